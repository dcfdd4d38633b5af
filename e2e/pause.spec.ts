/**
 * Pause and unpause from the console page in Chromium, against the real local cluster, the
 * KubeVirt stand-in and a real QEMU guest: a paused guest (QEMU's `stop`) does not echo what is
 * typed on its serial console; once unpaused (`cont`) the echo arrives. Own VM, own sign-in.
 */
import { expect, test, type Page } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";
import { consoleState, createRunningVm, deleteVm, openConsoleFromList, terminalLines, waitForPrompt } from "./console-helpers";

const name = uniqueVmName("pau");

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

/**
 * Checks for `ms` that no terminal line contains `text` (a paused guest must stay silent: the
 * absence can only be watched for a while, polled every 200 ms, failing at the first sight).
 */
async function expectSilence(page: Page, text: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    expect((await terminalLines(page)).some((l) => l.includes(text)), `"${text}" showed while the VM was paused`).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("pause makes the serial console stop echoing; unpause brings the echo back", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAs(page, "alice", "alice-password");
  await openConsoleFromList(page, name);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await waitForPrompt(page, name);
  await page.keyboard.type("echo hi-$((40+2))\n", { delay: 30 });
  await expect.poll(() => terminalLines(page)).toContain("hi-42");

  await page.getByRole("button", { name: "Pause", exact: true }).click();
  await expect(page.getByText("Paused", { exact: true })).toBeVisible({ timeout: 30_000 });
  const unpause = page.getByRole("button", { name: "Unpause", exact: true });
  await expect(unpause).toBeEnabled();

  await page.getByTestId("serial-terminal").click();
  await page.keyboard.type("echo again-$((40+2))\n", { delay: 30 });
  await expectSilence(page, "again-", 2_000);

  await unpause.click();
  await expect.poll(() => terminalLines(page), { timeout: 20_000 }).toContain("again-42");
  await expect(page.getByText("Running", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Pause", exact: true })).toBeEnabled();
});
