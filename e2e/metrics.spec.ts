/**
 * Metrics in Chromium against the real local cluster, a real QEMU guest and the local Prometheus
 * (dev-cluster/prometheus.ts): a busy loop started in the guest's serial console shows as close to
 * one full vCPU on the VM's CPU graph within a minute and falls once stopped; the tenant's Metrics
 * page lists the VM among its busiest and draws the tenant's usage against its quota.
 */
import { expect, test, type Page } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";
import { createRunningVm, deleteVm, terminalLines, waitForPrompt } from "./console-helpers";

const name = uniqueVmName("met");

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  await deleteVm(page, name);
  await page.close();
});

/** The CPU graph's newest value in percent of the VM's vCPUs (its `data-latest-value`), or -1 before it has one. */
async function cpuPercent(page: Page): Promise<number> {
  const value = await page.getByRole("figure", { name: /^CPU/ }).getAttribute("data-latest-value");
  return value === null ? -1 : Number(value);
}

/**
 * Types `command` followed by `echo <marker>-$((40+2))` (after `;` unless the command ends with `&`) into the focused serial console until the
 * terminal shows `<marker>-42` (the expansion, so the echoed command line does not count): the
 * proof that the guest's shell ran it. Types again only if no proof came within 10 s.
 */
async function runInGuest(page: Page, command: string, marker: string): Promise<void> {
  await expect(async () => {
    if (!(await terminalLines(page)).some((l) => l.includes(`${marker}-42`))) {
      await page.getByTestId("serial-terminal").click();
      await page.keyboard.type(`${command}${command.endsWith("&") ? "" : ";"} echo ${marker}-$((40+2))\n`, { delay: 30 });
    }
    await expect.poll(async () => (await terminalLines(page)).some((l) => l.includes(`${marker}-42`)), { timeout: 10_000 }).toBe(true);
  }).toPass({ timeout: 60_000 });
}

test("a busy loop in alice's VM shows as about one vCPU on its CPU graph and on the tenant's Metrics page, and stopping it brings the graph down", async ({ page }) => {
  test.setTimeout(360_000);
  await signInAs(page, "alice", "alice-password");
  await createRunningVm(page, name);
  const metricsUrl = `/t/acme/vms/${name}?tab=metrics&range=15m`;

  await page.goto(metricsUrl);
  // the VM page loads its detail first (slow on a busy machine)
  await expect(page.getByRole("tab", { name: "Metrics" })).toHaveAttribute("aria-selected", "true", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "15 min" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("figure", { name: "CPU (share of 1 vCPU)" })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Memory" })).toBeVisible();
  // the guests have no balloon driver: the page says what is missing instead of drawing nothing
  await expect(page.getByText(/Memory used inside the guest needs the guest agent/)).toBeVisible();
  // the idle guest's first points arrive, far below one vCPU
  await expect.poll(() => cpuPercent(page), { timeout: 90_000, intervals: [2000] }).toBeGreaterThanOrEqual(0);
  const idle = await cpuPercent(page);

  // The loop keeps running in the guest's shell when the console page is left (one page at a
  // time: a page in the background would neither take keys nor refresh its graphs).
  await page.goto(`/t/acme/vms/${name}/console`);
  await waitForPrompt(page, name);
  await runInGuest(page, "yes > /dev/null &", "loop");
  const started = Date.now();
  await page.goto(metricsUrl);
  // KubeVirt's series is the host CPU time of the VM's process: one busy vCPU is ~100% of a core
  // (0.95–1.02 measured on an idle 2-core host); a saturated host caps what QEMU gets (39–60% next
  // to two parallel workers, hence this spec's own project), so the test asks for 75% and reports
  // the peak it saw.
  let peak = 0;
  await expect.poll(async () => (peak = Math.max(peak, await cpuPercent(page))), { timeout: 60_000, intervals: [2000] }).toBeGreaterThan(75);
  test.info().annotations.push({ type: "busy CPU", description: `before the loop ${idle.toFixed(1)}% (the guest just booted), peak ${peak.toFixed(1)}% of 1 vCPU, ${((Date.now() - started) / 1000).toFixed(0)} s after the loop started` });
  await expect(page.getByRole("figure", { name: /^CPU/ }).getByText(/^Now: \d+(\.\d)?%$/)).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("vm-metrics-busy.png"), fullPage: true });

  // the tenant's page: the busy VM among the busiest, linking to its graphs; usage against the quota
  await page.goto("/t/acme/metrics?range=15m");
  await expect(page.getByRole("heading", { level: 1, name: "Metrics" })).toBeVisible();
  const busiest = page.getByRole("region", { name: /Busiest VMs by CPU/ });
  await expect(busiest.getByRole("link", { name, exact: true })).toHaveAttribute("href", `/t/acme/vms/${name}?tab=metrics&range=15m`, { timeout: 30_000 });
  await expect(page.getByRole("region", { name: /Largest VMs by memory/ }).getByRole("link", { name, exact: true })).toBeVisible();
  const cpuCard = page.getByRole("figure", { name: "CPU in use" });
  await expect(cpuCard.getByText(/^Now: [\d.]+ vCPU of \d+ vCPU$/)).toBeVisible();
  await expect(cpuCard.locator("canvas")).toBeVisible();
  await expect(page.getByRole("figure", { name: "Memory in use" }).getByText(/^Now: .+ of .+$/)).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("tenant-metrics.png"), fullPage: true });

  await page.goto(`/t/acme/vms/${name}/console`);
  await waitForPrompt(page, name);
  await runInGuest(page, "killall yes", "stopped");
  await page.goto(metricsUrl);
  await expect.poll(() => cpuPercent(page), { timeout: 60_000, intervals: [2000] }).toBeLessThan(peak / 2);

  // another range is one click, kept in the URL
  await page.getByRole("button", { name: "1 h" }).click();
  await expect(page).toHaveURL(/range=1h/);
  await expect(page.getByRole("figure", { name: /^CPU/ }).locator("canvas")).toBeVisible();
});
