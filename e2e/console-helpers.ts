import { expect, type Locator, type Page } from "@playwright/test";

/** The console page's status line (its `data-state` is the state machine's state). */
export function consoleState(page: Page): Locator {
  return page.getByTestId("console-state");
}

/** The serial terminal's visible lines, trimmed (xterm's DOM renderer). */
export async function terminalLines(page: Page): Promise<string[]> {
  const text = await page.locator("[data-testid=serial-terminal] .xterm-rows").innerText();
  return text.split("\n").map((l) => l.replace(/\u00a0/g, " ").trim());
}

/**
 * Waits for the console to be connected, then presses Enter in the serial terminal until the
 * guest's shell prompt shows. The terminal is clicked before each Enter while it does not hold the
 * focus: a click that lands while the page is still loading focuses nothing, and every key
 * after it would be lost.
 */
export async function waitForPrompt(page: Page, vm: string): Promise<void> {
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  const terminal = page.getByTestId("serial-terminal");
  await expect(async () => {
    if (!(await terminal.evaluate((el) => el.contains(document.activeElement)))) await terminal.click();
    await page.keyboard.press("Enter");
    const lines = await terminalLines(page);
    expect(lines.some((l) => l.startsWith(`vm-instance-${vm}:`))).toBe(true);
  }).toPass({ timeout: 90_000, intervals: [1000] });
}

/**
 * Creates a small VM through the API as the page's user and waits until the list shows it Running.
 * @param extra more fields of the create request, e.g. `{ dataDisks: [{ storage: "1Gi" }] }`
 */
export async function createRunningVm(page: Page, name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/tenants/acme/vms", {
    headers: { origin },
    data: { name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" }, ...extra },
  });
  expect(created.status(), await created.text()).toBe(201);
  await waitForVmState(page, name, "Running");
}

/** Waits until acme's VM list (through the API, as the page's user) shows VM `name` in `state`. */
export async function waitForVmState(page: Page, name: string, state: string, timeout = 120_000): Promise<void> {
  await expect.poll(async () => {
    const vms = await (await page.request.get("/api/tenants/acme/vms")).json();
    return vms.find((v: { name: string }) => v.name === name)?.powerState;
  }, { timeout }).toBe(state);
}

/** Deletes a VM and its disks through the API. */
export async function deleteVm(page: Page, name: string): Promise<void> {
  const origin = new URL(page.url()).origin;
  await page.request.delete(`/api/tenants/acme/vms/${name}?withDisks=true`, { headers: { origin } });
}

/** From the VM list, one click on the row's console link. */
export async function openConsoleFromList(page: Page, name: string): Promise<void> {
  await page.getByRole("link", { name: `Open the console of ${name}` }).click();
  await expect(page).toHaveURL(new RegExp(`/t/acme/vms/${name}/console$`));
}

/**
 * How many upstream connections the portal's relay has tried to VM `vm` (test hook,
 * HIKUBE_TEST_HOOKS=1): counted per VM, since the other worker's specs open consoles meanwhile.
 */
export async function upstreamConnections(origin: string, vm: string): Promise<number> {
  const res = await fetch(`${origin}/__test__/console-relay?vm=${encodeURIComponent(vm)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { upstreamConnections: number }).upstreamConnections;
}
