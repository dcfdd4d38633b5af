import { expect, type Page } from "@playwright/test";

/** Signs in through the sign-in page, as a person would, and waits for the VM list. */
export async function signInAs(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/t\/[a-z0-9]+\/vms/);
}

/** A unique VM name for one test. */
export function uniqueVmName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
}
