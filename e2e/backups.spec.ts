/**
 * Nothing lost (issue 14): in Chromium, against the real local cluster, the stand-in's backup
 * controller and a real QEMU guest. alice writes a marker (4 KiB of random bytes, with their
 * sha256) to her VM's 1 GiB data disk through the serial console, backs the VM up from its
 * Backups tab, overwrites the marker, restores the backup in place from the same tab, and once the
 * VM runs again the console reads the original marker with the same sha256. The backup and
 * restore times of the 1 GiB disk are printed for the closing note.
 */
import { expect, test, type Page } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";
import { consoleState, createRunningVm, deleteVm, terminalLines, waitForPrompt, waitForVmState } from "./console-helpers";
import type { BackupsOverview } from "../lib/shared/backup";

const name = uniqueVmName("bak");
/** 1 GiB in 512-byte sectors (/sys/block/vdX/size): the data disk, whatever its letter. */
const dataDiskSectors = 2 * 1024 * 1024;
/** Shell: the data disk's device (the root disk, a clone of a small golden image, is much smaller). */
const findDisk = `D=$(for d in /sys/block/vd*; do [ "$(cat $d/size)" = "${dataDiskSectors}" ] && echo /dev/\${d##*/}; done)`;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  await createRunningVm(page, name, { dataDisks: [{ storage: "1Gi" }] });
  await page.close();
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  await deleteVm(page, name);
  await page.close();
});

/**
 * Runs a shell line on the open serial console and returns the value it printed as
 * `<tag>=<value>/<tag>`. The closing `/<tag>` tells a whole value from one the terminal has only
 * partly drawn: the guest's UART sends 16 bytes per interrupt, so a 64-digit sha256 can reach the
 * page in several frames (a CI run once compared the first frame's digits with the marker).
 */
async function shellValue(page: Page, tag: string, line: string): Promise<string> {
  const terminal = page.getByTestId("serial-terminal");
  if (!(await terminal.evaluate((el) => el.contains(document.activeElement)))) await terminal.click();
  await page.keyboard.type(`${line}/${tag}\n`, { delay: 10 });
  let value = "";
  await expect.poll(async () => {
    const found = (await terminalLines(page)).map((l) => new RegExp(`^${tag}=([^\\s$()]+)/${tag}$`).exec(l)).filter(Boolean).pop();
    value = found?.[1] ?? "";
    return value;
  }, { timeout: 30_000 }).not.toBe("");
  return value;
}

async function openConsole(page: Page): Promise<void> {
  await page.goto(`/t/acme/vms/${name}/console`);
  await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 60_000 });
  await waitForPrompt(page, name);
}

async function overview(page: Page): Promise<BackupsOverview> {
  return (await page.request.get(`/api/tenants/acme/backups?vm=${name}`)).json();
}

test("a marker written to the data disk survives: back up, overwrite, restore in place, read it back", async ({ page }) => {
  test.setTimeout(420_000);
  await signInAs(page, "alice", "alice-password");

  // 1. The marker, through the serial console.
  await openConsole(page);
  const device = await shellValue(page, "DEV", `${findDisk}; echo DEV=$D`);
  expect(device).toMatch(/^\/dev\/vd[a-z]$/);
  const marker = await shellValue(page, "MARK",
    `head -c 4096 /dev/urandom > /tmp/m && dd if=/tmp/m of=${device} bs=4096 count=1 conv=fsync 2>/dev/null && echo MARK=$(sha256sum < /tmp/m | cut -c1-64)`);
  expect(marker).toMatch(/^[0-9a-f]{64}$/);
  expect(await shellValue(page, "READ1", `echo READ1=$(dd if=${device} bs=4096 count=1 2>/dev/null | sha256sum | cut -c1-64)`), "the marker read back before the backup").toBe(marker);

  // 2. Back up now, from the VM's Backups tab; the backup shows Ready.
  await page.goto(`/t/acme/vms/${name}?tab=backups`);
  await page.getByRole("button", { name: "Back up now", exact: true }).click();
  let backupName = "";
  await expect.poll(async () => {
    const ready = (await overview(page)).backups.find((b) => b.phase === "Ready");
    backupName = ready?.name ?? "";
    return backupName;
  }, { timeout: 120_000 }).not.toBe("");
  // The Backup is Ready a moment before its job records backupRef and completedAt.
  let job: BackupsOverview["jobs"][number] | undefined;
  await expect.poll(async () => {
    job = (await overview(page)).jobs.find((j) => j.backup === backupName && j.completedAt);
    return job?.phase;
  }, { timeout: 30_000 }).toBe("Succeeded");
  const backup = (await overview(page)).backups.find((b) => b.name === backupName)!;
  console.log(`[backups] backup of ${name} (1 GiB data disk + root): ${Date.parse(job!.completedAt!) - Date.parse(job!.startedAt!)} ms, ${backup.sizeBytes} bytes`);
  const restoreButton = page.getByRole("button", { name: `Restore backup ${backupName}` });
  await expect(restoreButton).toBeVisible({ timeout: 30_000 });

  // 3. Overwrite the marker.
  await openConsole(page);
  const overwritten = await shellValue(page, "OVER",
    `head -c 4096 /dev/urandom | dd of=${device} bs=4096 count=1 conv=fsync 2>/dev/null; echo OVER=$(dd if=${device} bs=4096 count=1 2>/dev/null | sha256sum | cut -c1-64)`);
  expect(overwritten).not.toBe(marker);

  // 4. Restore in place, with the confirmation that says what happens.
  await page.goto(`/t/acme/vms/${name}?tab=backups`);
  await page.getByRole("button", { name: `Restore backup ${backupName}` }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("radio", { name: "Restore in place" }).check();
  await expect(dialog).toContainText("halted");
  await expect(dialog).toContainText("IP");
  await dialog.getByRole("button", { name: "Restore", exact: true }).click();
  await expect(dialog).toBeHidden();
  let restoreMs = 0;
  await expect.poll(async () => {
    const r = (await overview(page)).restores.find((x) => x.backup === backupName);
    if (r?.phase === "Succeeded") restoreMs = Date.parse(r.completedAt!) - Date.parse(r.startedAt!);
    return r?.phase === "Failed" ? `Failed: ${r.message}` : r?.phase;
  }, { timeout: 180_000 }).toBe("Succeeded");
  console.log(`[backups] restore in place of ${name}: ${restoreMs} ms (halt, disks written back, VM started)`);
  await waitForVmState(page, name, "Running");

  // 5. The console reads the original marker.
  await openConsole(page);
  const device2 = await shellValue(page, "DEV2", `${findDisk}; echo DEV2=$D`);
  expect(await shellValue(page, "READ2", `echo READ2=$(dd if=${device2} bs=4096 count=1 2>/dev/null | sha256sum | cut -c1-64)`),
    "the data disk's first 4 KiB after the restore in place").toBe(marker);
});
