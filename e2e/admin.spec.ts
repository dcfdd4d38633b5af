import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { signInAs } from "./fixtures";

/**
 * The admin story of issue 5 end to end: the platform admin creates tenant `initech` with a small
 * quota and adds a new local account; that user signs in, sees the quota bars and an instance type
 * greyed out because it no longer fits; the admin filters the audit log to `initech` and downloads
 * it as CSV.
 */
test("admin creates initech with a quota and a user; the user sees the quota; the admin exports the audit log", async ({ page, browser }) => {
  await signInAs(page, "admin", "admin-password");
  await page.getByRole("link", { name: "Administration" }).click();
  await expect(page.getByRole("heading", { name: "Tenants", exact: true })).toBeVisible();

  const create = page.getByRole("region", { name: "Create a tenant" });
  await create.getByLabel("Name", { exact: true }).fill("initech");
  await create.getByLabel("Display name").fill("Initech");
  await create.getByLabel("vCPU").fill("2");
  await create.getByLabel("Memory (GiB)").fill("8");
  await create.getByLabel("Storage (GiB)").fill("100");
  await create.getByLabel("VMs", { exact: true }).fill("5");
  await create.getByRole("button", { name: "Create tenant" }).click();
  await expect(page).toHaveURL(/\/admin\/tenants\/initech$/);
  await expect(page.getByRole("heading", { name: "Initech", level: 1 })).toBeVisible();

  const members = page.getByRole("region", { name: "Members" });
  await members.getByLabel("Username").fill("peter");
  await members.getByLabel("Full name (new account)").fill("Peter Gibbons");
  await members.getByLabel("Password (new account)").fill("peter-password");
  await members.getByLabel("Level", { exact: true }).selectOption("admin");
  await members.getByRole("button", { name: "Add member" }).click();
  await expect(members.getByRole("row", { name: /peter/ })).toContainText("Peter Gibbons");

  // Peter, in his own browser context
  const peterContext = await browser.newContext();
  const peter = await peterContext.newPage();
  await signInAs(peter, "peter", "peter-password");
  await expect(peter).toHaveURL(/\/t\/initech\/vms$/);
  const quota = peter.getByRole("region", { name: "Quota" });
  await expect(quota.getByRole("meter", { name: "vCPU" })).toHaveAttribute("aria-valuetext", "0 vCPU of 2 vCPU");
  await expect(quota.getByRole("meter", { name: "VMs" })).toHaveAttribute("aria-valuetext", "0 of 5");

  await peter.getByRole("link", { name: "Create VM" }).click();
  const types = peter.getByRole("radiogroup", { name: "Instance type" });
  // u1.large (2 vCPU, 8 GiB) fits exactly; u1.xlarge (4 vCPU) does not, and says why
  await expect(types.getByRole("radio", { name: /^u1\.large/ })).toBeEnabled();
  const tooBig = types.getByRole("radio", { name: /^u1\.xlarge/ });
  await expect(tooBig).toBeDisabled();
  await expect(tooBig).toHaveAccessibleDescription("Over quota: vCPU, 2 vCPU left");
  await peterContext.close();

  // Back to the admin: the audit log of initech, as CSV
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Tenant", { exact: true }).fill("initech");
  await page.getByRole("button", { name: "Filter" }).click();
  const rows = page.getByRole("row").filter({ hasNot: page.getByRole("columnheader") });
  await expect.poll(async () => {
    const texts = await rows.allInnerTexts();
    return texts.length > 0 && texts.every((row) => row.includes("initech"));
  }).toBe(true);
  await expect(page.getByRole("row", { name: /tenant\.create/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /member\.create/ })).toBeVisible();

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^audit-initech-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const lines = csv.trim().split("\n");
  expect(lines[0]).toMatch(/^createdAt,actor,tenantName,action/);
  expect(lines.slice(1).every((l) => l.split(",")[2] === "initech")).toBe(true);
  expect(csv).toContain("tenant.create");
  expect(csv).toContain("member.create");
});
