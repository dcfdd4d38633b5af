/**
 * The VM page in Chromium, against the real local cluster and the KubeVirt stand-in's QEMU guest:
 * the Overview shows the guest's IP, the external IP and ports of its load balancer and an SSH
 * command; the Events tab lists the events of its creation; the tabs work from the keyboard and
 * the chosen tab survives a reload. Own VM, own sign-in.
 */
import { expect, test } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";
import { deleteVm } from "./console-helpers";

const name = uniqueVmName("page");

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/tenants/acme/vms", {
    headers: { origin },
    data: { name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
      external: true, externalPorts: [22, 8080], cloudInit: "#cloud-config\nuser: cirros\n" },
  });
  expect(created.status(), await created.text()).toBe(201);
  await page.close();
});

test.afterAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signInAs(page, "alice", "alice-password");
  await deleteVm(page, name);
  await page.close();
});

test("the VM page shows its IP, external IP and ports, SSH command and the events of its creation", async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  await signInAs(page, "alice", "alice-password");
  await page.goto(`/t/acme/vms/${name}`);
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  const overview = page.getByRole("region", { name: "Overview" });
  await expect(overview.getByText(/^10\.244\.\d+\.\d+$/)).toBeVisible({ timeout: 120_000 });
  await expect(overview.getByText(/^192\.0\.2\.\d+$/)).toBeVisible({ timeout: 30_000 });
  await expect(overview.getByText("Ports 22, 8080")).toBeVisible();
  await expect(overview.getByLabel("SSH command")).toHaveText(/^ssh cirros@192\.0\.2\.\d+$/);
  await expect(overview.getByText("u1.medium")).toBeVisible();
  await expect(overview.getByText(/1 vCPU, 4(\.0)? GiB/)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("vm-overview.png"), fullPage: true });

  // keyboard: from the selected tab, ArrowRight moves through Configuration, Disks and Backups to Events
  await page.getByRole("tab", { name: "Overview" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Configuration" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Disks" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tab", { name: "Disks" })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(/\?tab=backups$/);
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(/\?tab=events$/);
  const events = page.getByRole("table", { name: `Events of VM ${name}, newest first` });
  await expect(events.getByRole("row").filter({ hasText: "EnsuredLoadBalancer" })).toBeVisible({ timeout: 30_000 });
  await expect(events.getByRole("row").filter({ hasText: "VirtualMachine" }).first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("vm-events.png"), fullPage: true });
  await page.reload();
  await expect(page.getByRole("tab", { name: "Events" })).toHaveAttribute("aria-selected", "true");
  await expect(events).toBeVisible();
});
