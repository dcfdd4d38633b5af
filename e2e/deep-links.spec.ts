/**
 * Issue 16 ("Every user, every screen") in Chromium, on pages that need no VM of their own:
 * - defect A: a signed-out visit to a page is sent to the sign-in page and, once signed in (the
 *   local form or the OIDC button), lands on exactly that page and query, not on the VM list or
 *   the tenant list as before (the VM console deep link is in console.spec.ts, with its VM);
 * - defect C: the admin's tenant page showed the raw key "Admin.oidcNote" in both languages.
 * Each test opens its own signed-out browser context.
 */
import { expect, test } from "@playwright/test";
import { fillSignInForm } from "./fixtures";

test("a signed-out deep link to a tenant page with a query lands there after signing in", async ({ page }) => {
  await page.goto("/t/acme/disks?x=1");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Ft%2Facme%2Fdisks%3Fx%3D1$/);
  await fillSignInForm(page, "alice", "alice-password");
  await expect(page).toHaveURL(/\/t\/acme\/disks\?x=1$/);
  await expect(page.getByRole("heading", { name: "Disks", exact: true })).toBeVisible();
});

test("a signed-out deep link to an admin page lands there after signing in, and its OIDC note is text in both languages", async ({ page }) => {
  await page.goto("/admin/tenants/acme");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin%2Ftenants%2Facme$/);
  await fillSignInForm(page, "admin", "admin-password");
  await expect(page).toHaveURL(/\/admin\/tenants\/acme$/);
  await expect(page.getByText("get their level from their groups (tenant-acme-<level>)")).toBeVisible();
  await expect(page.getByText("Admin.oidcNote")).toHaveCount(0);

  await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
  await expect(page.getByText("tiennent leur rôle de leurs groupes (tenant-acme-<rôle>)")).toBeVisible();
  await expect(page.getByText("Admin.oidcNote")).toHaveCount(0);
});

test("without a page to come back to, signing in still lands on the VM list", async ({ page }) => {
  await page.goto("/signin");
  await fillSignInForm(page, "alice", "alice-password");
  await expect(page).toHaveURL(/\/t\/acme\/vms$/);
});

test("a forged callbackUrl still stays on the portal", async ({ page }) => {
  await page.goto(`/signin?callbackUrl=${encodeURIComponent("//evil.example/t/acme")}`);
  await fillSignInForm(page, "alice", "alice-password");
  await expect(page).toHaveURL(/\/t\/acme\/vms$/);
});

test("the OIDC button also lands on the deep link", async ({ page }) => {
  test.skip(!process.env.OIDC_ISSUER, "the stack runs without an OpenID provider");
  await page.goto("/t/acme/disks?x=1");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await page.getByRole("button", { name: /^Sign in with / }).click();
  // The test provider's login form (tests/support/oidc-provider.ts); carol has `use` on acme.
  await expect(page).toHaveURL(new RegExp(`^${process.env.OIDC_ISSUER}/interaction/`));
  await page.locator("input[name=login]").fill("carol");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/disks\?x=1$/);
  await expect(page.getByRole("heading", { name: "Disks", exact: true })).toBeVisible();
});
