/**
 * Accessibility in CI (issue 16): axe-core (`@axe-core/playwright`, WCAG 2.0/2.1/2.2 A and AA
 * rules) over the portal's page states, in English and French, light and dark, at a desktop
 * viewport (1280 × 720) and a phone one (390 × 844); any serious or critical violation fails,
 * with the rule, the page state and the offending elements in the message. Each combination is
 * one test, so a failure names it, and prints how many states it scanned; the file ends with the
 * total ("axe total: … scans"). The tests run one after another in one worker (one VM, one
 * sign-in per account, one total).
 *
 * CI scans four of the eight combinations, chosen so that every pair of values (language × theme,
 * language × viewport, theme × viewport) is scanned once: each scan of all the page states takes
 * about 1.5 minutes on 2 cores, and the eight took half of the end-to-end run.
 * `HIKUBE_A11Y_ALL=1 npx playwright test e2e/a11y.spec.ts` scans all eight.
 *
 * The VM the VM-page states show is created Halted through the API (no guest needed) and deleted
 * afterwards. Sign-ins happen once per account (bcrypt takes a while on a busy machine).
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Cookie, type Page } from "@playwright/test";
import { signInCookies, uniqueVmName, waitForHydration } from "./fixtures";

test.describe.configure({ mode: "default" });

const vm = uniqueVmName("a11y");
type Who = "alice" | "admin" | "nobody";

const viewports = { desktop: { width: 1280, height: 720 }, phone: { width: 390, height: 844 } } as const;
type ViewportName = keyof typeof viewports;

/** One page state to scan: who looks, where, and what must be shown before the scan. */
interface PageState {
  id: string;
  who: Who;
  path: string;
  /** an extra wait for content that loads after the heading (a tab's panel, the editor, …) */
  ready?: (page: Page) => Promise<void>;
  /** what a user does on the page before the scan (open a menu, a dialog) */
  act?: (page: Page) => Promise<void>;
  /** the one viewport where the state exists (default: both) */
  only?: ViewportName;
}

const states: PageState[] = [
  { id: "sign-in", who: "nobody", path: "/signin" },
  { id: "not-found", who: "alice", path: "/t/acme/no-such-page" },
  { id: "vm-list", who: "alice", path: "/t/acme/vms" },
  { id: "vm-list-filtered-empty", who: "alice", path: "/t/acme/vms?q=zzz-no-such-vm" },
  {
    // the phone's header menu, open: navigation, tenant picker, language, theme and sign-out
    id: "vm-list-menu-open", who: "alice", path: "/t/acme/vms", only: "phone",
    act: async (page) => {
      const menu = page.getByRole("banner").getByRole("button", { name: "Menu", exact: true });
      await menu.click();
      await expect(menu).toHaveAttribute("aria-expanded", "true");
    },
  },
  {
    id: "vm-delete-dialog", who: "alice", path: `/t/acme/vms?q=${vm}`,
    act: async (page) => {
      await page.getByRole("row", { name: new RegExp(vm) }).getByRole("button", { name: /^(Delete|Supprimer) / }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
    },
  },
  { id: "vm-create", who: "alice", path: "/t/acme/vms/new" },
  ...(["overview", "configuration", "disks", "backups", "events", "metrics", "yaml"] as const).map((tab): PageState => ({
    id: `vm-${tab}`, who: "alice", path: `/t/acme/vms/${vm}?tab=${tab}`,
    ready: async (page) => { await expect(page.getByRole("tabpanel")).toBeVisible(); },
  })),
  {
    // the restore confirmation, with the copy's tenant picker open
    id: "vm-restore-dialog", who: "alice", path: `/t/acme/vms/${vm}?tab=backups`,
    act: async (page) => {
      await page.getByRole("button", { name: /^(Restore backup|Restaurer la sauvegarde) / }).first().click();
      await page.getByRole("dialog").getByRole("radio").first().check();
      await expect(page.getByRole("dialog")).toBeVisible();
    },
  },
  { id: "vm-console", who: "alice", path: `/t/acme/vms/${vm}/console` },
  { id: "tenant-backups", who: "alice", path: "/t/acme/backups" },
  {
    id: "tenant-metrics", who: "alice", path: "/t/acme/metrics",
    ready: async (page) => { await expect(page.getByRole("figure").first()).toBeVisible(); },
  },
  { id: "disk-list", who: "alice", path: "/t/acme/disks" },
  { id: "disk-create", who: "alice", path: "/t/acme/disks/new" },
  { id: "audit", who: "alice", path: "/t/acme/audit" },
  { id: "admin-tenants", who: "admin", path: "/admin/tenants" },
  { id: "admin-tenant", who: "admin", path: "/admin/tenants/acme" },
  { id: "admin-audit", who: "admin", path: "/admin/audit" },
];

const sessions: Partial<Record<Who, Cookie[]>> = {};

test.beforeAll(async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  const baseURL = testInfo.project.use.baseURL!;
  sessions.nobody = [];
  sessions.alice = await signInCookies(browser, baseURL, "alice", "alice-password");
  sessions.admin = await signInCookies(browser, baseURL, "admin", "admin-password");
  const context = await browser.newContext({ baseURL });
  await context.addCookies(sessions.alice);
  const res = await context.request.post("/api/tenants/acme/vms", {
    headers: { origin: new URL(baseURL).origin },
    data: { name: vm, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
      external: true, externalPorts: [22], runStrategy: "Halted" },
  });
  expect(res.status(), await res.text()).toBe(201);
  // one Ready backup, for the Backups tab's table and the restore dialog
  const origin = new URL(baseURL).origin;
  // (a job fails while the root disk's clone is not populated yet: another is asked for then)
  await expect.poll(async () => {
    const overview = await (await context.request.get(`/api/tenants/acme/backups?vm=${vm}`)).json();
    if (overview.backups?.some((b: { phase: string }) => b.phase === "Ready")) return "Ready";
    if (!overview.jobs?.some((j: { phase: string }) => j.phase !== "Failed" && j.phase !== "Succeeded")) {
      await context.request.post(`/api/tenants/acme/vms/${vm}/backups`, { headers: { origin }, data: {} });
    }
    return "waiting";
  }, { timeout: 120_000, intervals: [1000] }).toBe("Ready");
  await context.close();
});

test.afterAll(async ({ browser }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  const context = await browser.newContext({ baseURL });
  await context.addCookies(sessions.alice ?? []);
  await context.request.delete(`/api/tenants/acme/vms/${vm}?withDisks=true`, { headers: { origin: new URL(baseURL).origin } });
  await context.close();
});

/** Opens a context with the session of `who`, the language cookie, the stored theme and the viewport. */
async function openAs(browser: Browser, baseURL: string, who: Who, locale: "en" | "fr", theme: "light" | "dark", viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport, locale: locale === "fr" ? "fr-FR" : "en-US" });
  const host = new URL(baseURL).hostname;
  await context.addCookies([...(sessions[who] ?? []), { name: "NEXT_LOCALE", value: locale, domain: host, path: "/" }]);
  // lib/client/theme.ts keeps the choice in localStorage; the page's inline script applies it before paint
  await context.addInitScript((t) => window.localStorage.setItem("hikube-theme", t), theme);
  return context.newPage();
}

/** Every scan of the file, for the total printed at the end. */
const tally = { combinations: 0, scans: 0, violations: 0 };

test.afterAll(() => {
  console.log(`axe total: ${tally.scans} scans over ${tally.combinations} combinations of language, theme and viewport `
    + `(${states.filter((s) => !s.only || s.only === "desktop").length} page states at desktop, `
    + `${states.filter((s) => !s.only || s.only === "phone").length} on the phone), ${tally.violations} serious/critical violations`);
});

type Combination = [locale: "en" | "fr", theme: "light" | "dark", viewport: ViewportName];

/** Every pair of values in four combinations (see the module doc), or all eight with HIKUBE_A11Y_ALL=1. */
const combinations: Combination[] = process.env.HIKUBE_A11Y_ALL === "1"
  ? (["en", "fr"] as const).flatMap((l) => (["light", "dark"] as const).flatMap((t) => (["desktop", "phone"] as const).map((v): Combination => [l, t, v])))
  : [["en", "light", "desktop"], ["en", "dark", "phone"], ["fr", "light", "phone"], ["fr", "dark", "desktop"]];

for (const [locale, theme, viewportName] of combinations) {
  const viewport = viewports[viewportName];
  test(`axe: no serious or critical violation (${locale}, ${theme}, ${viewportName})`, async ({ browser }, testInfo) => {
    test.setTimeout(420_000);
    const baseURL = testInfo.project.use.baseURL!;
    const found: string[] = [];
    const pages = new Map<Who, Page>();
    const scanned = states.filter((s) => !s.only || s.only === viewportName);
    for (const state of scanned) {
      let page = pages.get(state.who);
      if (!page) {
        page = await openAs(browser, baseURL, state.who, locale, theme, viewport);
        pages.set(state.who, page);
      }
      await page.goto(state.path);
      await expect(page.getByRole("heading", { level: 1 }).first(), `${state.id}: heading`).toBeVisible({ timeout: 30_000 });
      await state.ready?.(page);
      await expect(page.locator("[data-loading]"), `${state.id}: still loading`).toHaveCount(0, { timeout: 30_000 });
      await expect(page.locator("html"), `${state.id}: language`).toHaveAttribute("lang", locale);
      if (theme === "dark") await expect(page.locator("html")).toHaveClass(/\bdark\b/);
      if (state.act) {
        await waitForHydration(page); // a click on server-rendered HTML before hydration is lost
        await state.act(page);
      }
      const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
      for (const v of result.violations) {
        if (v.impact !== "serious" && v.impact !== "critical") continue;
        const where = v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ").trim()}`);
        found.push(`${state.id} — ${v.id} (${v.impact}): ${v.help}\n    ${where.join("\n    ")}`);
      }
    }
    for (const page of pages.values()) await page.context().close();
    tally.combinations++;
    tally.scans += scanned.length;
    tally.violations += found.length;
    console.log(`axe (${locale}, ${theme}, ${viewportName}): ${scanned.length} page states scanned, ${found.length} serious/critical violations`);
    expect(found, found.join("\n")).toEqual([]);
  });
}
