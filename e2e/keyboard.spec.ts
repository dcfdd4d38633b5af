/**
 * Issue 16, accessibility: the main story with the keyboard only. alice signs in, creates a VM,
 * waits for it to run, opens its serial console, types a command into the guest, leaves the
 * terminal with Esc then Tab (lib/client/console-keyboard.ts: inside, Tab goes to the guest), goes
 * back to the list and deletes the VM with its disks through the confirmation dialog.
 *
 * No mouse: every step is a key press (`page.keyboard`); `locator.focus()` only puts the focus
 * where a user's Tab presses would (and each step checks where the focus is). The VM has a name
 * of its own and is deleted through the API afterwards if the test stopped half-way.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { signInCookies, uniqueVmName } from "./fixtures";
import { consoleState, terminalLines } from "./console-helpers";

const name = uniqueVmName("kbd");

test.afterAll(async ({ browser }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  const cookies = await signInCookies(browser, baseURL, "alice", "alice-password");
  const context = await browser.newContext({ baseURL });
  await context.addCookies(cookies);
  const res = await context.request.delete(`/api/tenants/acme/vms/${name}?withDisks=true`, { headers: { origin: new URL(baseURL).origin } });
  expect([200, 404]).toContain(res.status());
  await context.close();
});

/** Puts the focus on `target` (as Tab presses would) once it is enabled, and presses `key` there. */
async function press(target: Locator, key: string): Promise<void> {
  await expect(target).toBeEnabled();
  await target.focus();
  await expect(target).toBeFocused();
  await target.page().keyboard.press(key);
}

/** Whether the focus is inside the serial terminal (xterm's hidden textarea). */
function focusInTerminal(page: Page): Promise<boolean> {
  return page.evaluate(() => Boolean(document.querySelector("[data-testid=serial-terminal]")?.contains(document.activeElement)));
}

test("alice signs in, creates a VM, uses and leaves its console, and deletes it, with the keyboard only", async ({ page }) => {
  test.setTimeout(300_000);

  // Sign in: type the username, Tab to the password, Enter submits.
  await page.goto("/signin");
  const username = page.getByLabel("Username");
  await username.focus();
  await page.keyboard.type("alice");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type("alice-password");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/t\/acme\/vms/);
  await expect(page.getByRole("heading", { name: "Virtual machines", exact: true })).toBeVisible();
  await expect(page.getByText("Live", { exact: true })).toBeVisible();

  // Create: the "Create VM" link, the name, Enter submits the form with its defaults.
  await press(page.getByRole("link", { name: "Create VM" }), "Enter");
  await expect(page).toHaveURL(/\/t\/acme\/vms\/new$/);
  const nameField = page.getByLabel("Name", { exact: true });
  await nameField.focus();
  await expect(nameField).toBeFocused();
  await page.keyboard.type(name);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/t\/acme\/vms$/, { timeout: 60_000 });

  // Back on the list, the new VM's link has the focus; wait until the VM runs.
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row.getByRole("link", { name, exact: true })).toBeFocused();
  await expect(row).toContainText("Running", { timeout: 120_000 });

  // Tab from the VM's link reaches its console link (after Running, no other control is in between).
  const consoleLink = row.getByRole("link", { name: `Open the console of ${name}` });
  await row.getByRole("link", { name, exact: true }).focus();
  await page.keyboard.press("Tab");
  await expect(consoleLink).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/t/acme/vms/${name}/console$`));
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });

  // Nothing takes the keyboard by itself: the terminal gets it from its "Focus terminal" button.
  expect(await focusInTerminal(page)).toBe(false);
  await press(page.getByRole("button", { name: "Focus terminal" }), "Enter");
  await expect.poll(() => focusInTerminal(page)).toBe(true);

  // Enter until the guest's prompt shows, then one command (typed at a person's pace).
  await expect(async () => {
    await page.keyboard.press("Enter");
    expect((await terminalLines(page)).some((l) => l.startsWith(`vm-instance-${name}:`))).toBe(true);
  }).toPass({ timeout: 90_000, intervals: [1000] });
  await page.keyboard.type("echo kbd-$((6*7))\n", { delay: 30 });
  await expect.poll(() => terminalLines(page)).toContain("kbd-42");

  // A Tab alone stays in the terminal (it goes to the guest); Esc then Tab leaves it.
  await page.keyboard.press("Tab");
  expect(await focusInTerminal(page)).toBe(true);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect.poll(() => focusInTerminal(page)).toBe(false);
  // The terminal is the page's last stop: the Tab that left it went on to the browser's own UI
  // (headless: the document), and the next one comes back to the page's first control.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();

  // Back to the list through the breadcrumb link.
  await press(page.getByRole("link", { name: "← Virtual machines" }), "Enter");
  await expect(page).toHaveURL(/\/t\/acme\/vms$/);

  // Delete: the row's Delete button opens the dialog with Cancel focused; Shift+Tab reaches "Also
  // delete its disks", Space ticks it, Tab Tab reaches Delete, Enter confirms.
  await press(row.getByRole("button", { name: `Delete ${name}` }), "Enter");
  const dialog = page.getByRole("dialog", { name: `Delete ${name}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  const withDisks = dialog.getByRole("checkbox", { name: /Also delete its disks/ });
  await expect(withDisks).toBeFocused();
  await page.keyboard.press("Space");
  await expect(withDisks).toBeChecked();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Delete", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");

  // The row goes, and the focus lands on the list's heading (the Delete button is gone).
  await expect(page.getByRole("row", { name: new RegExp(name) })).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByRole("heading", { name: "Virtual machines", exact: true })).toBeFocused();
  await expect.poll(async () => (await (await page.request.get("/api/tenants/acme/vms")).json()).map((v: { name: string }) => v.name)).not.toContain(name);
});
