import { expect, type Page } from "@playwright/test";

/** Signs in through the sign-in page, as a person would, and waits for the VM list. */
export async function signInAs(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/signin");
  await fillSignInForm(page, username, password);
  await expect(page).toHaveURL(/\/t\/[a-z0-9]+\/vms/);
}

/**
 * Fills and submits the local-account form of the sign-in page the browser is on (e.g. where a
 * signed-out deep link was sent), without waiting for where it lands.
 */
export async function fillSignInForm(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** A unique VM name for one test. */
export function uniqueVmName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
}
