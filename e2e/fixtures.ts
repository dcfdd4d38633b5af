import { expect, type Browser, type Cookie, type Page } from "@playwright/test";

/** Signs in through the sign-in page, as a person would, and waits for the VM list, hydrated. */
export async function signInAs(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/signin");
  await fillSignInForm(page, username, password);
  // bcrypt and the list's first server render: seconds on a loaded machine
  await expect(page).toHaveURL(/\/t\/[a-z0-9]+\/vms/, { timeout: 60_000 });
  await waitForHydration(page);
}

/**
 * Waits until React has hydrated the page (components/shell/providers.tsx marks `<html
 * data-hydrated>`): before that a click on a client control does nothing.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1, { timeout: 30_000 });
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

/**
 * Signs `username` in through next-auth's credentials flow (CSRF token, then the callback), as the
 * sign-in page does, and returns the session cookies, for specs that open many contexts as one
 * user: each sign-in hashes a password, which takes seconds on a busy machine.
 */
export async function signInCookies(browser: Browser, baseURL: string, username: string, password: string): Promise<Cookie[]> {
  const context = await browser.newContext({ baseURL });
  const { csrfToken } = await (await context.request.get("/api/auth/csrf")).json();
  const res = await context.request.post("/api/auth/callback/local", {
    form: { csrfToken, username, password, json: "true", callbackUrl: baseURL },
    headers: { origin: new URL(baseURL).origin },
    timeout: 90_000,
  });
  expect(res.status(), await res.text()).toBe(200);
  const cookies = await context.cookies();
  expect(cookies.some((c) => c.name.endsWith("next-auth.session-token")), `sign-in of ${username}`).toBe(true);
  await context.close();
  return cookies;
}
