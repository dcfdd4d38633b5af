/**
 * Disks end to end, in Chromium against the real local cluster and the stand-in's CDI: alice
 * imports a 64 MB image served (throttled) from this process and watches the bar move to 100 %,
 * uploads a generated 20 MB ISO through the portal with a progress bar (and a cancel), creates a
 * stopped VM with a new data disk and that ISO, sees both on the VM's page, cannot delete the
 * attached ISO until she detaches it, and sees a 404 URL end as a failed disk with the reason.
 * The VM is created Halted: no QEMU guest is started.
 */
import { expect, test, type Page } from "@playwright/test";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { signInAs, uniqueVmName, waitForHydration } from "./fixtures";

test.describe.configure({ mode: "serial" });

const imageBytes = 64 * 1024 * 1024;
let server: http.Server;
let baseUrl = "";
const iso = uniqueVmName("iso");
const imported = uniqueVmName("img");
const failed = uniqueVmName("bad");
const vm = uniqueVmName("vmd");

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url !== "/image.raw") return void res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    // 64 MiB at about 8 MiB/s: the stand-in writes the progress at most every 500 ms.
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": imageBytes });
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    let sent = 0;
    const tick = setInterval(() => {
      if (sent >= imageBytes || res.destroyed) {
        clearInterval(tick);
        res.end();
        return;
      }
      res.write(chunk);
      sent += chunk.length;
    }, 125);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  const origin = new URL(page.url()).origin;
  await page.request.delete(`/api/tenants/acme/vms/${vm}?withDisks=true`, { headers: { origin } });
  for (const d of [iso, imported, failed]) await page.request.delete(`/api/tenants/acme/disks/${d}`, { headers: { origin } });
  await page.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function openCreateDisk(page: Page, name: string) {
  await page.goto("/t/acme/disks");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Create disk" }).first().click();
  await expect(page.getByRole("heading", { name: "Create a disk" })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
}

test("alice imports a URL and watches the progress bar move to 100 %", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Disks" }).click();
  await expect(page.getByRole("heading", { name: "Disks", exact: true })).toBeVisible();

  await openCreateDisk(page, imported);
  // A quick pick fills the URL and raises the size to its documented minimum.
  await page.getByRole("button", { name: /Ubuntu 24\.04 LTS/ }).click();
  await expect(page.getByLabel("Image URL")).toHaveValue(/noble-server-cloudimg/);
  await expect(page.getByRole("textbox", { name: "Size", exact: true })).toHaveValue("20");
  // The form checks the scheme before anything is sent.
  await page.getByLabel("Image URL").fill("ftp://example.org/disk.img");
  await page.getByRole("button", { name: "Create disk" }).click();
  await expect(page.getByText("Enter an http:// or https:// URL.")).toBeVisible();

  await page.getByLabel("Image URL").fill(`${baseUrl}/image.raw`);
  await page.getByRole("textbox", { name: "Size", exact: true }).fill("1");
  await page.getByRole("button", { name: "Create disk" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/disks$/);

  const row = page.getByRole("row", { name: new RegExp(imported) });
  const bar = row.getByRole("progressbar");
  const seen = new Set<number>();
  await expect(async () => {
    const now = await bar.getAttribute("aria-valuenow").catch(() => null);
    if (now !== null) seen.add(Number(now));
    expect(seen.has(100)).toBe(true);
  }).toPass({ timeout: 45_000, intervals: [150] });
  const between = [...seen].filter((v) => v > 0 && v < 100);
  expect(between.length, `progress values seen: ${[...seen].sort((a, b) => a - b).join(", ")}`).toBeGreaterThanOrEqual(3);
  await expect(row).toContainText("Ready");
  await expect(row).toContainText("replicated");
  await expect(row).toContainText("1 GiB");

  // Grow: never below the current size; the storage class is shown, not offered.
  await row.getByRole("button", { name: `Grow ${imported}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("replicated");
  await expect(dialog.getByRole("combobox", { name: /storage class/i })).toHaveCount(0);
  await dialog.getByRole("textbox", { name: "New size" }).fill("0.5");
  await expect(dialog.getByText("A disk cannot shrink below its 1 GiB.")).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Grow", exact: true })).toBeDisabled();
  await dialog.getByRole("textbox", { name: "New size" }).fill("2");
  await dialog.getByRole("button", { name: "Grow", exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toContainText("2 GiB");
});

test("alice uploads a generated 20 MB ISO from the browser with a progress bar, cancels once, then completes", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await openCreateDisk(page, iso);
  await page.getByRole("radio", { name: "Upload" }).check();
  await page.getByLabel("File").setInputFiles({ name: "install.iso", mimeType: "application/x-iso9660-image", buffer: Buffer.alloc(20 * 1024 * 1024, 0x43) });
  await expect(page.getByRole("checkbox", { name: /Optical disk/ })).toBeChecked();

  // Slow the browser's uploads down so the bar can be watched (Chrome DevTools network emulation).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });

  await page.getByRole("button", { name: "Create disk" }).click();
  const bar = page.getByRole("progressbar", { name: "Upload progress" });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 15_000 }).toBeGreaterThan(0);
  await page.getByRole("button", { name: "Cancel upload" }).click();
  await expect(page.getByText("Upload cancelled")).toBeVisible();
  await expect(page.getByText(`The disk ${iso} waits for a file`)).toBeVisible();

  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 8 * 1024 * 1024 });
  // The cancelled upload is put back to UploadReady by CDI; the retry may need a moment.
  await expect(async () => {
    if (await page.getByRole("button", { name: "Upload again" }).isVisible()) await page.getByRole("button", { name: "Upload again" }).click();
    await expect(page).toHaveURL(/\/t\/acme\/disks$/, { timeout: 8_000 });
  }).toPass({ timeout: 40_000 });
  const row = page.getByRole("row", { name: new RegExp(iso) });
  await expect(row).toContainText("Ready", { timeout: 15_000 });
  await expect(row).toContainText("Optical");
  await expect(row).toContainText("Upload");
});

test("alice creates a stopped VM with a data disk and the ISO; its page lists both", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await page.getByRole("link", { name: "Create VM" }).first().click();
  await page.getByLabel("Name", { exact: true }).fill(vm);
  await page.getByRole("combobox", { name: "Run strategy" }).selectOption("Halted");
  // The root disk may not be smaller than its golden image (ubuntu: 4 GiB in the local cluster).
  await page.getByLabel("Size", { exact: true }).fill("1Gi");
  await page.getByRole("button", { name: "Create VM" }).click();
  await expect(page.getByText("At least 4 GiB for image ubuntu.")).toBeVisible();
  await page.getByLabel("Size", { exact: true }).fill("20Gi");
  await page.getByRole("button", { name: "Add a data disk" }).click();
  await page.getByLabel("Size of data disk 1").fill("2Gi");
  await page.getByRole("checkbox", { name: new RegExp(iso) }).check();
  await page.getByRole("button", { name: "Create VM" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/vms$/, { timeout: 60_000 });

  await page.getByRole("link", { name: vm, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/t/acme/vms/${vm}$`));
  await page.getByRole("tab", { name: "Disks" }).click();
  const disks = page.getByRole("list", { name: "Disks" });
  await expect(disks.getByRole("listitem")).toHaveCount(3);
  await expect(disks.getByRole("listitem").nth(0)).toContainText(`${vm}-os`);
  await expect(disks.getByRole("listitem").nth(1)).toContainText(`${vm}-d1`);
  await expect(disks.getByRole("listitem").nth(2)).toContainText(iso);
  await expect(disks.getByRole("listitem").nth(2)).toContainText("Optical");
  await expect(page.getByRole("link", { name: "Console" })).toHaveAttribute("href", `/t/acme/vms/${vm}/console`);
});

test("deleting the attached ISO is refused with the VM's name; after detaching it succeeds", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await page.goto("/t/acme/disks");
  const row = page.getByRole("row", { name: new RegExp(iso) });
  await expect(row).toContainText(vm);
  // The page does not offer it (issue 16: Delete is disabled and says why) and the API refuses it.
  const del = row.getByRole("button", { name: `Delete ${iso}` });
  await expect(del).toBeDisabled();
  await expect(del).toHaveAccessibleDescription(`Attached to VM ${vm}: detach it there to delete this disk.`);
  const refused = await page.request.delete(`/api/tenants/acme/disks/${iso}`, { headers: { origin: new URL(page.url()).origin } });
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error.message).toContain(`attached to VM "${vm}"`);

  await row.getByRole("link", { name: vm }).first().click();
  await expect(page.getByText("Stopped").first()).toBeVisible({ timeout: 20_000 });
  await page.getByRole("tab", { name: "Disks" }).click();
  await page.getByRole("button", { name: `Detach ${iso}` }).click();
  await expect(page.getByRole("list", { name: "Disks" }).getByRole("listitem")).toHaveCount(2);

  await page.goto("/t/acme/disks");
  await waitForHydration(page);
  await expect(row).not.toContainText(vm);
  await row.getByRole("button", { name: `Delete ${iso}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("row", { name: new RegExp(iso) })).toHaveCount(0);
});

test("a URL that answers 404 ends as a failed disk with the reason shown", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await openCreateDisk(page, failed);
  await page.getByLabel("Image URL").fill(`${baseUrl}/missing.iso`);
  await page.getByRole("textbox", { name: "Size", exact: true }).fill("1");
  await page.getByRole("button", { name: "Create disk" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/disks$/);
  const row = page.getByRole("row", { name: new RegExp(failed) });
  await expect(row).toContainText("Failed", { timeout: 20_000 });
  await expect(row).toContainText(/expected status code 200, got 404/);
});
