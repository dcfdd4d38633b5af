/**
 * The console page in Chromium against the real local cluster, the KubeVirt stand-in and a real
 * QEMU guest: serial console, VNC screen, refusals, stop/start with automatic reconnect, and two
 * browsers on one VNC. The tests share one VM and run in order (the stand-in runs at most 4 guests).
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { fillSignInForm, signInAs, uniqueVmName } from "./fixtures";
import { consoleState, createRunningVm, deleteVm, openConsoleFromList, terminalLines, upstreamConnections, waitForPrompt } from "./console-helpers";

test.describe.configure({ mode: "serial" });

const name = uniqueVmName("con");
let origin = "";

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  origin = new URL(page.url()).origin;
  await createRunningVm(page, name);
  await page.close();
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  await deleteVm(page, name);
  await page.close();
});

test("alice opens the serial console from the VM list and her commands reach the guest", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "alice", "alice-password");
  await openConsoleFromList(page, name);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await waitForPrompt(page, name);
  // One command at a time, typed at a person's pace: typed ahead, a slow TCG guest's shell redraws
  // its line ("vm-instance-x $((", "…h5g0te").
  await page.keyboard.type("hostname\n", { delay: 30 });
  // The output line (not a prompt line, which also starts with the name)
  await expect.poll(async () => (await terminalLines(page)).some((l) => l === `vm-instance-${name}`)).toBe(true);
  await page.keyboard.type("echo $((6*7))\n", { delay: 30 });
  await expect.poll(() => terminalLines(page)).toContain("42");
});

/** The variance of the VNC canvas's luminance (0 for a blank screen). */
async function screenVariance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>("[data-testid=vnc-screen] canvas");
    if (!canvas || canvas.width === 0) return 0;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    let sq = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) {
      const y = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sum += y;
      sq += y * y;
    }
    return sq / n - (sum / n) ** 2;
  });
}

test("the VNC tab renders the guest's screen and Ctrl+Alt+Del reaches the guest", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAs(page, "alice", "alice-password");
  await page.goto(`/t/acme/vms/${name}/console`);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await waitForPrompt(page, name);
  // A marker in the guest's RAM: a reboot wipes it.
  await page.keyboard.type("touch /tmp/cad-marker\n", { delay: 30 });

  await page.getByRole("tab", { name: "VNC" }).click();
  await expect(page).toHaveURL(/\?tab=vnc$/);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await expect.poll(() => screenVariance(page), { timeout: 30_000 }).toBeGreaterThan(100);

  await page.getByRole("button", { name: "Ctrl+Alt+Del", exact: true }).click();
  // The guest logs Ctrl+Alt+Del on its serial line and reboots (the log line scrolls away under
  // the boot messages): once it answers again, the marker is gone.
  await page.getByRole("tab", { name: "Serial console" }).click();
  await expect(async () => {
    await waitForPrompt(page, name);
    await page.keyboard.type("test -e /tmp/cad-marker || echo rebooted-$((40+2))\n", { delay: 30 });
    await expect.poll(() => terminalLines(page), { timeout: 3000 }).toContain("rebooted-42");
  }).toPass({ timeout: 90_000, intervals: [2000] });
});

test("victor (view) and bob (other tenant) are refused with a message, and no upstream connection is opened", async ({ browser }) => {
  const before = await upstreamConnections(origin, name);
  const victor = await newSignedInPage(browser, "victor");
  await expect(victor.getByRole("row", { name: new RegExp(name) })).toBeVisible();
  await expect(victor.getByRole("link", { name: `Open the console of ${name}` })).toHaveCount(0);
  await victor.goto(`/t/acme/vms/${name}/console`);
  await expect(victor.getByText("You cannot open this console")).toBeVisible();
  await expect(victor.getByText("Your role here is Viewer; consoles need the User role or higher.", { exact: false })).toBeVisible();

  const bob = await newSignedInPage(browser, "bob");
  const answer = await bob.goto(`/t/acme/vms/${name}/console`);
  expect(answer?.status()).toBe(404);
  await expect(bob.getByRole("heading", { name: "Page not found" })).toBeVisible();

  const anonymous = await browser.newPage();
  await anonymous.goto(`/t/acme/vms/${name}/console`);
  await expect(anonymous).toHaveURL(/\/signin/);

  expect(await upstreamConnections(origin, name)).toBe(before);
  for (const p of [victor, bob, anonymous]) await p.context().close();
});

/**
 * Issue 16, defect A: a signed-out visit to a VM's console used to land on the VM list after
 * signing in.
 */
test("a signed-out visit to the console URL lands on that console after signing in", async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/t/acme/vms/${name}/console`);
  await expect(page).toHaveURL(new RegExp(`/signin\\?callbackUrl=${encodeURIComponent(`/t/acme/vms/${name}/console`)}$`));
  await fillSignInForm(page, "alice", "alice-password");
  await expect(page).toHaveURL(new RegExp(`/t/acme/vms/${name}/console$`));
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await waitForPrompt(page, name);
  await context.close();
});

/** The bytes the page sent on its serial console socket, one frame after another. */
function watchSerialFrames(page: Page): Buffer[] {
  const sent: Buffer[] = [];
  page.on("websocket", (ws) => {
    if (!new URL(ws.url()).pathname.endsWith("/console")) return;
    ws.on("framesent", ({ payload }) => sent.push(Buffer.from(payload)));
  });
  return sent;
}

/**
 * Issue 16, defect B (WCAG 2.1.2): the terminal took focus on load and kept Tab, Shift+Tab and Esc
 * with no way out. Now: no focus until asked for; Tab goes to the guest; Esc then Tab leaves.
 */
test("the serial terminal waits to be focused, keeps Tab for the guest, and Esc then Tab leaves it", async ({ page }) => {
  test.setTimeout(90_000);
  const sent = watchSerialFrames(page);
  await signInAs(page, "alice", "alice-password");
  await page.goto(`/t/acme/vms/${name}/console`);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  const input = page.getByLabel("Serial console input");
  const focusButton = page.getByRole("button", { name: "Focus terminal" });
  await expect(page.getByText("To leave the terminal, press Esc, then Tab (or Shift+Tab).")).toBeVisible();
  await expect(input).toHaveAccessibleDescription(/press Esc, then Tab/);
  await expect(input).not.toBeFocused();

  await focusButton.click();
  await expect(input).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(input).toBeFocused();
  await expect.poll(() => sent.some((b) => b.includes(0x09))).toBe(true);

  const tabsSent = () => sent.filter((b) => b.includes(0x09)).length;
  const before = tabsSent();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(input).not.toBeFocused();
  // the Esc reached the guest (vi needs it), the Tab that left did not
  await expect.poll(() => sent.some((b) => b.includes(0x1b))).toBe(true);
  expect(tabsSent()).toBe(before);

  // (xterm's input is a zero-size textarea: a person clicks the terminal itself)
  await page.getByTestId("serial-terminal").click();
  await expect(input).toBeFocused();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Tab");
  await expect(focusButton).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(input).toBeFocused();
});

test("the VNC screen waits to be focused, and Esc then Tab leaves it", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAs(page, "alice", "alice-password");
  await page.goto(`/t/acme/vms/${name}/console?tab=vnc`);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  const screen = page.locator("[data-testid=vnc-screen] canvas").first();
  const focusButton = page.getByRole("button", { name: "Focus screen" });
  await expect(page.getByText("To leave the screen, press Esc, then Tab (or Shift+Tab).")).toBeVisible();
  await expect(screen).toHaveAttribute("aria-label", "VNC screen of the VM");
  await expect(screen).not.toBeFocused();

  await focusButton.click();
  await expect(screen).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(screen).toBeFocused();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(screen).not.toBeFocused();

  await focusButton.click();
  await expect(screen).toBeFocused();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Tab");
  await expect(focusButton).toBeFocused();
});

test("stopping the VM shows 'VM is not running'; starting it again reconnects by itself", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAs(page, "alice", "alice-password");
  await page.goto(`/t/acme/vms/${name}/console`);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });

  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop VM" }).click();
  await expect(consoleState(page)).toHaveAttribute("data-state", "notRunning", { timeout: 60_000 });
  await expect(consoleState(page)).toHaveText("VM is not running");

  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await waitForPrompt(page, name);
});

test("a second browser on the same VNC sees 'session in use' and can take it over", async ({ browser }) => {
  test.setTimeout(90_000);
  const first = await newSignedInPage(browser, "alice");
  await first.goto(`/t/acme/vms/${name}/console?tab=vnc`);
  await expect(consoleState(first)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });

  const second = await newSignedInPage(browser, "alice");
  await second.goto(`/t/acme/vms/${name}/console?tab=vnc`);
  await expect(consoleState(second)).toHaveAttribute("data-state", "sessionInUse");
  await expect(second.getByText("Session in use.")).toBeVisible();
  await second.getByRole("button", { name: "Take over" }).click();
  await expect(consoleState(second)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await expect(consoleState(first)).toHaveAttribute("data-state", "takenOver");
  await expect(first.getByRole("button", { name: "Take it back" })).toBeVisible();
  for (const p of [first, second]) await p.context().close();
});

test("the console page speaks French", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
  await expect(page.getByRole("heading", { name: "Machines virtuelles", exact: true })).toBeVisible();
  await page.goto(`/t/acme/vms/${name}/console`);
  await expect(page.getByRole("tab", { name: "Console série" })).toBeVisible();
  await expect(consoleState(page)).toHaveText("Connecté", { timeout: 60_000 });
});

async function newSignedInPage(browser: Browser, user: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, user, `${user}-password`);
  return page;
}
