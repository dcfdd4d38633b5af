/**
 * Issue 16 ("Every user, every screen"), the app shell on narrow screens and from the keyboard:
 * - below 768 px the tenant navigation vanished with nothing in its place, "Sign out" was off
 *   screen and pages scrolled sideways (504–961 px wide at a 390 px viewport): at 390×844 every
 *   page fits, and every header destination is reachable through the menu button;
 * - at 1024 px in French the header's items overlapped each other: they wrap instead;
 * - there was no way past the header from the keyboard: "Skip to content" is the first Tab stop.
 * The wide header keeps exactly one visible element per destination at 1280 px (the other specs
 * locate them by role and name there).
 * No VM is created here: the pages are read as they are (the cluster runs at most 4 guests).
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { signInAs } from "./fixtures";

/** The page is no wider than the viewport: nothing scrolls sideways. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `page is ${scrollWidth} px wide in a ${innerWidth} px viewport`).toBeLessThanOrEqual(innerWidth);
}

/** The header's menu button (phones). */
const menuButton = (page: Page) => page.getByRole("banner").getByRole("button", { name: "Menu", exact: true });

/**
 * Opens the header's menu and checks the button says so. Right after a sign-in the page may not
 * be hydrated yet and a click does nothing (1 run in 3 on a loaded machine): clicked again then,
 * as a user would.
 */
async function openMenu(page: Page): Promise<void> {
  const button = menuButton(page);
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(async () => {
    if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
    await expect(button).toHaveAttribute("aria-expanded", "true", { timeout: 2000 });
  }).toPass({ timeout: 20_000 });
}

/** Each locator is visible and inside the viewport (not pushed off screen). */
async function expectOnScreen(...locators: Locator[]): Promise<void> {
  for (const locator of locators) {
    await expect(locator).toBeVisible();
    await expect(locator).toBeInViewport();
  }
}

/** The destinations of a tenant page's header, as the menu shows them. */
function tenantDestinations(page: Page) {
  const nav = page.getByRole("navigation", { name: "Main" });
  return {
    vms: nav.getByRole("link", { name: "Virtual machines", exact: true }),
    disks: nav.getByRole("link", { name: "Disks", exact: true }),
    metrics: nav.getByRole("link", { name: "Metrics", exact: true }),
    audit: nav.getByRole("link", { name: "Audit log", exact: true }),
    tenant: page.getByRole("combobox", { name: "Tenant" }),
    language: page.getByRole("combobox", { name: "Language" }),
    signOut: page.getByRole("button", { name: "Sign out", exact: true }),
  };
}

/** Opens the menu on a tenant page and checks that every destination is there, on screen. */
async function expectTenantMenu(page: Page): Promise<void> {
  await openMenu(page);
  const d = tenantDestinations(page);
  await expectOnScreen(d.vms, d.disks, d.metrics, d.audit, d.tenant, d.language, d.signOut);
  await expectNoSidewaysScroll(page);
}

test.describe("at 390×844", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("alice's pages fit the phone, and the menu reaches every header destination", async ({ page }) => {
    await page.goto("/signin");
    await expect(page.getByRole("heading", { name: "Sign in to Hikube Portal" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Skip to content" })).toHaveCount(1);
    await expectNoSidewaysScroll(page);

    await signInAs(page, "alice", "alice-password");
    // The wide bar's items are not shown (nor in the accessibility tree) until the menu opens.
    await expect(tenantDestinations(page).disks).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);

    await page.goto("/t/acme/vms");
    await expect(page.getByRole("heading", { name: "Virtual machines", exact: true })).toBeVisible();
    await expect(page.getByText("Live", { exact: true })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await expectTenantMenu(page);
    // Escape closes the menu and gives the focus back to its button.
    await page.keyboard.press("Escape");
    await expect(menuButton(page)).toHaveAttribute("aria-expanded", "false");
    await expect(menuButton(page)).toBeFocused();
    await expect(tenantDestinations(page).disks).toHaveCount(0);

    await page.goto("/t/acme/vms/new");
    await expect(page.getByRole("radiogroup", { name: "Instance type" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Create VM" })).toBeInViewport();
    await expectNoSidewaysScroll(page);
    await expectTenantMenu(page);

    await page.goto("/t/acme/disks");
    await expect(page.getByRole("heading", { name: "Disks", exact: true })).toBeVisible();
    await expect(page.getByText("Live", { exact: true })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await expectTenantMenu(page);

    await page.goto("/t/acme/audit");
    await expect(page.getByRole("heading", { name: "Audit log", exact: true })).toBeVisible();
    // a first entry, or the answer that there is none yet
    await expect(page.getByRole("row").nth(1).or(page.getByText("No entries match these filters."))).toBeVisible();
    await expectNoSidewaysScroll(page);
    await expectTenantMenu(page);

    const missing = await page.goto("/no-such-page");
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Skip to content" })).toHaveCount(1);
    await expectNoSidewaysScroll(page);
  });

  test("each destination of alice's menu can be followed, and the menu closes behind it", async ({ page }) => {
    await signInAs(page, "alice", "alice-password");
    const d = tenantDestinations(page);

    for (const [link, url, heading] of [
      [d.disks, /\/t\/acme\/disks$/, "Disks"],
      [d.metrics, /\/t\/acme\/metrics$/, "Metrics"],
      [d.audit, /\/t\/acme\/audit$/, "Audit log"],
      [d.vms, /\/t\/acme\/vms$/, "Virtual machines"],
    ] as const) {
      await openMenu(page);
      await link.click();
      await expect(page).toHaveURL(url);
      await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
      await expect(menuButton(page)).toHaveAttribute("aria-expanded", "false");
    }

    await openMenu(page);
    await d.language.selectOption("fr");
    await expect(page.getByRole("heading", { name: "Machines virtuelles", exact: true })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Disques", exact: true })).toBeInViewport();
    await page.getByRole("combobox", { name: "Langue" }).selectOption("en");
    await expect(page.getByRole("heading", { name: "Virtual machines", exact: true })).toBeVisible();

    await expect(d.signOut).toBeInViewport();
    await d.signOut.click();
    await expect(page).toHaveURL(/\/signin/);
  });

  /**
   * WCAG 2.4.11: the create form's sticky Create/Cancel bar (and the sticky header) covered the
   * control that had the focus. Each Tab stop of the form, up to Create VM, is checked at its
   * centre: the topmost element there must be the focused control itself.
   */
  test("tabbing through the create form never leaves the focus under the sticky bar or header", async ({ page }) => {
    await signInAs(page, "alice", "alice-password");
    await page.goto("/t/acme/vms/new");
    await expect(page.getByRole("radiogroup", { name: "Instance type" })).toBeVisible();
    const create = page.getByRole("button", { name: "Create VM" });
    await page.getByLabel("Name", { exact: true }).focus();
    for (let i = 0; i < 80; i++) {
      const covered = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return "the focus is on the page body";
        const r = el.getBoundingClientRect();
        const [x, y] = [Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1), r.top + r.height / 2];
        const what = (e: Element | null) => e?.outerHTML.slice(0, 100) ?? "nothing";
        if (y < 0 || y >= window.innerHeight) return `${what(el)} is off screen`;
        const top = document.elementFromPoint(x, y);
        return top && (el.contains(top) || top.contains(el)) ? null : `${what(el)} is covered by ${what(top)}`;
      });
      expect(covered).toBeNull();
      if (await create.evaluate((button) => button === document.activeElement)) break;
      await page.keyboard.press("Tab");
    }
    await expect(create).toBeFocused();
  });

  test("the admin's pages fit the phone, and the menu holds the admin navigation", async ({ page }) => {
    await signInAs(page, "admin", "admin-password");
    const nav = page.getByRole("navigation", { name: "Administration" });
    const tenants = nav.getByRole("link", { name: "Tenants", exact: true });
    const audit = nav.getByRole("link", { name: "Audit log", exact: true });
    const language = page.getByRole("combobox", { name: "Language" });
    const signOut = page.getByRole("button", { name: "Sign out", exact: true });

    await page.goto("/admin/tenants");
    await expect(page.getByRole("heading", { name: "Tenants", exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: "acme", exact: true })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await openMenu(page);
    await expectOnScreen(tenants, audit, language, signOut);
    await expectNoSidewaysScroll(page);

    await page.goto("/admin/tenants/acme");
    await expect(page.getByRole("region", { name: "Members" }).getByRole("row", { name: /alice/ })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await openMenu(page);
    await expectOnScreen(tenants, audit, language, signOut);
    await expectNoSidewaysScroll(page);

    await audit.click();
    await expect(page).toHaveURL(/\/admin\/audit$/);
    await expect(page.getByRole("button", { name: "Filter" })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await openMenu(page);
    await tenants.click();
    await expect(page).toHaveURL(/\/admin\/tenants$/);
    await expect(page.getByRole("heading", { name: "Tenants", exact: true })).toBeVisible();
  });
});

test("the first Tab reaches “Skip to content”, and Enter moves the focus to the page's main content", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await page.goto("/t/acme/vms");
  await expect(page.getByRole("heading", { name: "Virtual machines", exact: true })).toBeVisible();
  // loaded: the list's controls are there for the Tab after the skip
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
  // The next Tab goes into the page, past the header.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => Boolean(document.querySelector("main")?.contains(document.activeElement)))).toBe(true);
});

test.describe("at 1024 px in French", () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test("the header's items wrap instead of overlapping", async ({ page }) => {
    await signInAs(page, "alice", "alice-password");
    await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
    await expect(page.getByRole("heading", { name: "Machines virtuelles", exact: true })).toBeVisible();
    const header = page.getByRole("banner");
    const nav = header.getByRole("navigation", { name: "Navigation principale" });
    const items = [
      header.getByRole("link", { name: "Hikube Portal" }),
      header.getByRole("combobox", { name: "Locataire" }),
      nav.getByRole("link", { name: "Machines virtuelles", exact: true }),
      nav.getByRole("link", { name: "Disques", exact: true }),
      nav.getByRole("link", { name: "Journal d’audit", exact: true }),
      header.getByRole("combobox", { name: "Langue" }),
      header.getByRole("group", { name: "Thème" }),
      header.getByRole("button", { name: "Se déconnecter" }),
    ];
    await expect(header.getByRole("button", { name: "Menu" })).toBeHidden();
    const boxes = [];
    for (const item of items) {
      await expect(item).toBeInViewport();
      const box = await item.boundingBox();
      expect(box).not.toBeNull();
      boxes.push(box!);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `header items ${i} and ${j} overlap: ${JSON.stringify(a)} / ${JSON.stringify(b)}`).toBe(false);
      }
    }
    await expectNoSidewaysScroll(page);
  });
});

test("at 1280 px the wide header shows each destination once, and no menu button", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  const header = page.getByRole("banner");
  await expect(header.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(1);
  for (const name of ["Virtual machines", "Disks", "Audit log"]) {
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(1);
    await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  }
  for (const control of [
    page.getByRole("combobox", { name: "Language" }),
    page.getByRole("combobox", { name: "Tenant" }),
    page.getByRole("group", { name: "Theme" }),
    page.getByRole("button", { name: "Sign out" }),
  ]) {
    await expect(control).toHaveCount(1);
    await expect(control).toBeVisible();
  }
});
