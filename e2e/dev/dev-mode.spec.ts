import { expect, test } from "@playwright/test";

/**
 * `npm run dev`, as the README's first command starts it (scripts/test.ts step "dev" runs the
 * real command and points PORTAL_URL at it). The last turn shipped a development portal that
 * never hydrated: the sign-in form then posted natively, with the password in the URL.
 */
test("the development portal hydrates, signs alice in and its create form reacts", async ({ page }) => {
  test.setTimeout(110_000);
  const urls: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  await page.goto("/signin", { timeout: 60_000 });
  // React attached: an empty submit is answered by the form itself, not by a navigation.
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: /username and password/i })).toBeVisible({ timeout: 45_000 });

  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill("alice-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/t\/acme\/vms/, { timeout: 45_000 });
  await expect(page.getByRole("heading", { name: "Virtual machines", exact: true })).toBeVisible({ timeout: 45_000 });
  expect(urls.filter((u) => u.includes("password"))).toEqual([]);

  await page.getByRole("link", { name: "Create VM" }).click();
  await page.getByLabel("Name", { exact: true }).fill("dev-smoke");
  await page.getByRole("radiogroup", { name: "Instance type" }).getByRole("radio", { name: /^u1\.medium/ }).check();
  await page.getByRole("combobox", { name: "OS profile" }).selectOption("windows.11");
  await expect(page.getByText(/Windows 11 needs 2 vCPU; u1\.medium has 1 vCPU/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Create VM" })).toBeDisabled();
  await page.screenshot({ path: ".local/reports/dev-mode-create-form.png", fullPage: true });
});
