/**
 * Resizing a running VM from the VM page's Configuration tab in Chromium, against the real local
 * cluster, the KubeVirt stand-in and a real QEMU guest: u1.medium (1 vCPU) → u1.large (2 vCPUs);
 * the page says "restart required" (KubeVirt's RestartRequired), Restart applies it, and `nproc`
 * typed in the guest's serial console prints the new count. Also: a viewer sees the form
 * read-only. Own VM, own sign-in.
 */
import { expect, test } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";
import { consoleState, createRunningVm, deleteVm, terminalLines, waitForPrompt } from "./console-helpers";

// One worker runs this file's tests in order, so beforeAll makes the VM once: with fullyParallel
// each test would be its own group, and a worker running two of them would delete the VM, then
// create it again under the same name (chosen when the file loads) while it is still going.
test.describe.configure({ mode: "default" });

const name = uniqueVmName("rsz");

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  await createRunningVm(page, name);
  await page.close();
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  await deleteVm(page, name);
  await page.close();
});

test("alice resizes a running VM to u1.large: restart required, Restart, then nproc prints 2", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await signInAs(page, "alice", "alice-password");
  await page.goto(`/t/acme/vms/${name}?tab=configuration`);
  const instanceType = page.getByRole("combobox", { name: "Instance type", exact: true });
  await expect(instanceType).toHaveValue("u1.medium");
  await expect(page.getByText("The VM is running: a new size takes effect after a restart.")).toBeVisible();
  await instanceType.selectOption("u1.large");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("instanceType: u1.medium → u1.large")).toBeVisible();
  await expect(page.getByText("Restart required: the VM keeps its old size until it restarts.")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("configuration-restart-required.png"), fullPage: true });

  // The Overview says so too (the VirtualMachine's RestartRequired condition), with its button.
  await page.getByRole("tab", { name: "Overview" }).click();
  const overview = page.getByRole("tabpanel", { name: "Overview" });
  await expect(overview.getByText("Restart required")).toBeVisible({ timeout: 30_000 });
  await overview.getByRole("button", { name: "Restart now" }).click();
  await expect(overview.getByText("Restart required")).toBeHidden({ timeout: 90_000 });
  await expect(page.getByText("Running", { exact: true }).first()).toBeVisible({ timeout: 90_000 });
  await expect(overview.getByText(/u1\.large/)).toBeVisible();

  await page.getByRole("link", { name: "Console", exact: true }).click();
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 30_000 });
  await waitForPrompt(page, name);
  await page.keyboard.type("echo cpus=$(nproc)\n", { delay: 30 });
  await expect.poll(() => terminalLines(page), { timeout: 20_000 }).toContain("cpus=2");
});

test("victor (view) sees the configuration read-only", async ({ page }) => {
  await signInAs(page, "victor", "victor-password");
  await page.goto(`/t/acme/vms/${name}?tab=configuration`);
  await expect(page.getByText(/can read this configuration but not change it/)).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Instance type", exact: true })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
});
