/**
 * Issue 16, "French end to end": in French, every page the suite visits reads in French — no raw
 * message key (`VmList.title`, what next-intl shows for a missing message) and no English text of
 * the server's (its error sentences, GiB) — sizes use the French units of docs/glossary.md, series
 * have French names, and the server's refusal of a duplicate VM name reaches the form in French.
 *
 * What the cluster writes itself (events, condition and CDI messages, audit messages stored as the
 * server wrote them) is English by nature: the pages mark it `lang="en"` (WCAG 3.1.2), and the
 * check skips it, as it skips code (the YAML, the terminal).
 *
 * The language comes from the `NEXT_LOCALE` cookie (what the language switcher writes), with a
 * French browser. The VM the VM pages show is created Halted through the API and deleted after.
 */
import { expect, test, type Browser, type Cookie, type Page } from "@playwright/test";
import { signInCookies, uniqueVmName } from "./fixtures";
import { consoleState } from "./console-helpers";

// One worker runs this file's tests in order, so beforeAll makes the VM once: with fullyParallel
// each test would be its own group, and a worker running two of them would delete the VM, then
// create it again under the same name (chosen when the file loads) while it is still going.
test.describe.configure({ mode: "default" });

const vm = uniqueVmName("fr");
type Who = "alice" | "admin" | "nobody";
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
      runStrategy: "Halted" },
  });
  expect(res.status(), await res.text()).toBe(201);
  await context.close();
});

test.afterAll(async ({ browser }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  const context = await browser.newContext({ baseURL });
  await context.addCookies(sessions.alice ?? []);
  await context.request.delete(`/api/tenants/acme/vms/${vm}?withDisks=true`, { headers: { origin: new URL(baseURL).origin } });
  await context.close();
});

/** A page in French (cookie and browser language) with the session of `who`. */
async function openInFrench(browser: Browser, baseURL: string, who: Who): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: "fr-FR" });
  await context.addCookies([...(sessions[who] ?? []), { name: "NEXT_LOCALE", value: "fr", domain: new URL(baseURL).hostname, path: "/" }]);
  return context.newPage();
}

/**
 * The text a French user meets on the page: visible text nodes (screen-reader-only ones included),
 * accessible names, placeholders and value texts; without code (pre, code, the terminal, the
 * editor) and without what is marked as another language (`lang="en"`).
 */
function frenchText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const skip = 'script, style, noscript, template, pre, code, .xterm, .cm-editor, [lang]:not([lang|="fr"])';
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest(skip) || !el.checkVisibility()) continue;
      if (node.textContent?.trim()) parts.push(node.textContent.trim());
    }
    for (const el of document.body.querySelectorAll("[aria-label], [placeholder], [aria-valuetext]")) {
      if (el.closest(skip)) continue;
      for (const attribute of ["aria-label", "placeholder", "aria-valuetext"]) {
        const value = el.getAttribute(attribute);
        if (value) parts.push(value);
      }
    }
    return parts.join("\n");
  });
}

/** A message key left as it is (next-intl's answer to a missing message): `Namespace.key`. */
const rawKey = /\b[A-Z][a-zA-Z]+\.[a-z][a-zA-Z]+\b/;

/**
 * English the server writes (lib/server: AppError messages, lib/shared/quota.ts) or English units:
 * none of it may reach a French page outside a `lang="en"` part.
 */
const englishServerText: RegExp[] = [
  /already exists/, /Your role in/, /\bmust be\b/, /\bis required\b/, /\bare required\b/, /Something went wrong/,
  /\bnot found\b/, /\bis not\b/, /\bcould not\b/, /\bcannot\b/, /\btry again\b/i, /\bThe cluster\b/, /\brefused\b/,
  /Sign in to continue/, /\bexceeded\b/, /\bthis action\b/, /\b[KMGTP]iB\b/,
];

/** What is wrong with the page's French text: raw keys and English server text, one line each. */
async function problemsOf(page: Page, state: string): Promise<string[]> {
  const text = await frenchText(page);
  const problems: string[] = [];
  for (const line of text.split("\n")) {
    const key = rawKey.exec(line);
    if (key) problems.push(`${state}: raw message key ${key[0]} in "${line}"`);
    for (const pattern of englishServerText) {
      if (pattern.test(line)) problems.push(`${state}: English ${pattern} in "${line}"`);
    }
  }
  return problems;
}

/** One page the suite visits: who looks, where, and what must be shown before the check. */
interface PageState {
  id: string;
  who: Who;
  path: string;
  ready?: (page: Page) => Promise<void>;
}

const liveList = async (page: Page) => { await expect(page.getByText("En direct", { exact: true })).toBeVisible(); };

const states: PageState[] = [
  { id: "sign-in", who: "nobody", path: "/signin" },
  { id: "not-found", who: "alice", path: "/t/acme/no-such-page" },
  { id: "vm-list", who: "alice", path: "/t/acme/vms", ready: liveList },
  { id: "vm-list-filtered-empty", who: "alice", path: "/t/acme/vms?q=zzz-no-such-vm", ready: liveList },
  { id: "vm-create", who: "alice", path: "/t/acme/vms/new", ready: async (page) => { await expect(page.getByRole("radiogroup").first()).toBeVisible(); } },
  ...(["overview", "configuration", "disks", "events", "metrics", "yaml"] as const).map((tab): PageState => ({
    id: `vm-${tab}`, who: "alice", path: `/t/acme/vms/${vm}?tab=${tab}`,
    ready: async (page) => { await expect(page.getByRole("tabpanel")).toBeVisible(); },
  })),
  { id: "vm-console", who: "alice", path: `/t/acme/vms/${vm}/console`, ready: async (page) => { await expect(consoleState(page)).toBeVisible(); } },
  { id: "tenant-metrics", who: "alice", path: "/t/acme/metrics", ready: async (page) => { await expect(page.getByRole("figure").first()).toBeVisible(); } },
  { id: "disk-list", who: "alice", path: "/t/acme/disks", ready: liveList },
  { id: "disk-create", who: "alice", path: "/t/acme/disks/new" },
  { id: "audit", who: "alice", path: "/t/acme/audit" },
  { id: "admin-tenants", who: "admin", path: "/admin/tenants" },
  { id: "admin-tenant", who: "admin", path: "/admin/tenants/acme" },
  { id: "admin-audit", who: "admin", path: "/admin/audit" },
];

/** Opens `path` and waits until it is loaded and in French. */
async function visit(page: Page, state: PageState): Promise<void> {
  await page.goto(state.path);
  await expect(page.getByRole("heading", { level: 1 }).first(), `${state.id}: heading`).toBeVisible({ timeout: 30_000 });
  await state.ready?.(page);
  await expect(page.locator("[data-loading]"), `${state.id}: still loading`).toHaveCount(0, { timeout: 30_000 });
  await expect(page.locator("html"), `${state.id}: language`).toHaveAttribute("lang", "fr");
}

test("every page the suite visits reads in French: no raw message key, no English server text", async ({ browser }, testInfo) => {
  test.setTimeout(300_000);
  const baseURL = testInfo.project.use.baseURL!;
  const pages = new Map<Who, Page>();
  const problems: string[] = [];
  for (const state of states) {
    let page = pages.get(state.who);
    if (!page) {
      page = await openInFrench(browser, baseURL, state.who);
      pages.set(state.who, page);
    }
    await visit(page, state);
    problems.push(...await problemsOf(page, state.id));
  }
  for (const page of pages.values()) await page.context().close();
  console.log(`French text: ${states.length} pages checked, ${problems.length} problems`);
  expect(problems, problems.join("\n")).toEqual([]);
});

test("sizes read in French units and series have French names", async ({ browser }, testInfo) => {
  const page = await openInFrench(browser, testInfo.project.use.baseURL!, "alice");
  await page.goto(`/t/acme/vms/${vm}?tab=overview`);
  // u1.medium: 1 vCPU and 4 GiB of memory
  await expect(page.getByRole("tabpanel")).toContainText("1 vCPU, 4 Gio");

  await page.goto("/t/acme/disks");
  const disk = page.getByRole("row").filter({ hasText: vm }).first();
  await expect(disk).toContainText("1 Gio");
  await expect(disk).not.toContainText("GiB");

  await page.goto("/t/acme/vms/new");
  await expect(page.getByRole("group", { name: "U Série Universelle" })).toBeVisible();
  await expect(page.getByRole("radiogroup", { name: "Type d’instance" }).getByRole("radio", { name: /^u1\.medium — 1 vCPU, 4\sGio$/ })).toHaveCount(1);
  await page.context().close();
});

test("a duplicate VM name is refused in French, under the name", async ({ browser }, testInfo) => {
  const page = await openInFrench(browser, testInfo.project.use.baseURL!, "alice");
  await visit(page, states.find((s) => s.id === "vm-create")!);
  await page.getByLabel("Nom", { exact: true }).fill(vm);
  await page.getByRole("button", { name: "Créer la VM" }).click();
  // The server's 409 (code vm_exists) rendered from the ApiErrors messages, whatever their exact wording.
  await expect(page.getByText(/existe déjà/).first()).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(/\/t\/acme\/vms\/new$/);
  const problems = await problemsOf(page, "vm-create-duplicate");
  expect(problems, problems.join("\n")).toEqual([]);
  await page.context().close();
});
