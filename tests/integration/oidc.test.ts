/**
 * OpenID Connect sign-in against a real OpenID provider (tests/support/oidc-provider.ts, started
 * by scripts/stack.ts next to the portal): the browser's redirect dance through next-auth and the
 * provider, then the `groups` claim deciding tenants and levels, and the impersonated groups
 * reaching the API server's RBAC.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getObject, paths, portalUrl, PortalClient, uniqueName } from "./helpers";
import { getDb } from "../../lib/server/db/db";

/** Cookies by name, shared by the portal and the provider (one host, so one browser jar). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]) < Date.now()));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(i + 1));
    }
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Sends a request and follows redirects like a browser (303/302 → GET), keeping cookies, until an
 * answer that is not a redirect or until `stop` says the URL reached is the end of the dance.
 */
async function follow(jar: CookieJar, url: string, init: RequestInit, stop: (url: URL) => boolean = () => false): Promise<{ res: Response; url: URL }> {
  let current = new URL(url);
  let req: RequestInit = init;
  for (let hop = 0; hop < 15; hop++) {
    const res = await fetch(current, { ...req, headers: { ...(req.headers as Record<string, string>), cookie: jar.header() }, redirect: "manual" });
    jar.take(res);
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
    await res.body?.cancel();
    current = new URL(location, current);
    req = { method: "GET" };
    if (stop(current)) return { res, url: current };
  }
  throw new Error(`too many redirects, last at ${current}`);
}

/**
 * Signs in through the `oidc` provider as `login` (an account of the test provider): next-auth's
 * CSRF token, POST /api/auth/signin/oidc, the provider's authorization endpoint and login form,
 * back to /api/auth/callback/oidc, which sets the session cookie.
 * @throws Error when a step does not answer as a browser would expect
 */
async function oidcAttempt(login: string): Promise<{ jar: CookieJar; url: URL; status: number }> {
  const jar = new CookieJar();
  const csrfRes = await fetch(`${portalUrl}/api/auth/csrf`);
  jar.take(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };

  // The portal sends the browser to the provider, which shows its login form.
  const form = await follow(jar, `${portalUrl}/api/auth/signin/oidc`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: portalUrl },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${portalUrl}/` }).toString(),
  });
  const html = await form.res.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (form.res.status !== 200 || !action || form.url.origin !== process.env.OIDC_ISSUER) {
    throw new Error(`expected the provider's login form, got HTTP ${form.res.status} at ${form.url}: ${html.slice(0, 300)}`);
  }

  // The provider sends the browser back to the portal's callback, which sets the session.
  const back = await follow(jar, new URL(action, form.url).toString(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: form.url.origin },
    body: new URLSearchParams({ login }).toString(),
  }, (url) => url.origin === portalUrl && !url.pathname.startsWith("/api/auth/"));
  return { jar, url: back.url, status: back.res.status };
}

/**
 * Signs in through the `oidc` provider as `login` (an account of the test provider): next-auth's
 * CSRF token, POST /api/auth/signin/oidc, the provider's authorization endpoint and login form,
 * back to /api/auth/callback/oidc, which sets the session cookie.
 * @throws Error when a step does not answer as a browser would expect
 */
async function oidcSignIn(login: string): Promise<PortalClient> {
  const { jar, url, status } = await oidcAttempt(login);
  if (!jar.has("next-auth.session-token")) {
    throw new Error(`no session after the OIDC callback for ${login}: ended at ${url} (HTTP ${status})`);
  }
  expect(url.toString(), "next-auth sends the browser on to the callbackUrl").toBe(`${portalUrl}/`);
  return new PortalClient(jar.header(), login);
}

const vmRequest = (name: string) => ({
  name,
  instanceType: "u1.medium",
  instanceProfile: "ubuntu",
  rootDisk: { source: { type: "image", name: "ubuntu" } },
});

let carol: PortalClient;
let dora: PortalClient;
let erin: PortalClient;

beforeAll(async () => {
  if (!process.env.OIDC_ISSUER) throw new Error("OIDC_ISSUER is not set: scripts/test.ts starts the stack with the test OpenID provider");
  [carol, dora, erin] = await Promise.all([oidcSignIn("carol"), oidcSignIn("dora"), oidcSignIn("erin")]);
});

afterAll(async () => {
  await getDb().$disconnect();
});

describe("OIDC sign-in", () => {
  it("offers the provider's button on the sign-in page", async () => {
    const res = await fetch(`${portalUrl}/signin`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`Sign in with ${process.env.OIDC_DISPLAY_NAME ?? "Keycloak"}`);
  });

  it("keeps the provider's username and groups in the session", async () => {
    const res = await carol.call("GET", "/api/auth/session");
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ name: "Carol Keycloak", username: "carol", source: "oidc", groups: ["tenant-acme-use"] });
  });

  it("refuses an account the provider does not know", async () => {
    await expect(oidcSignIn("mallory")).rejects.toThrow(/no session|login form/);
  });
});

describe("carol (group tenant-acme-use)", () => {
  it("sees acme with level use", async () => {
    const res = await carol.call("GET", "/api/tenants");
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ name: "acme", role: "use" })]);
  });

  it("lists acme's VMs", async () => {
    expect((await carol.call("GET", "/api/tenants/acme/vms")).status).toBe(200);
  });

  it("may not create a VM (use < admin); the denial is audited under her name", async () => {
    const name = uniqueName("oidc-carol");
    const res = await carol.call("POST", "/api/tenants/acme/vms", vmRequest(name));
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(await getObject(paths.vmInstance("tenant-acme", name))).toBeNull();
    const rows = await getDb().auditLog.findMany({ where: { action: "vm.create", targetName: name } });
    expect(rows.map((r) => [r.actor, r.actorId, r.tenantName, r.result])).toEqual([["carol", null, "acme", "denied"]]);
  });

  it("does not see globex", async () => {
    expect((await carol.call("GET", "/api/tenants/globex/vms")).status).toBe(404);
  });
});

describe("dora (group cozystack-cluster-admin)", () => {
  it("sees every tenant as super-admin", async () => {
    const res = await dora.call("GET", "/api/tenants");
    expect(res.status).toBe(200);
    expect(res.body.map((t: { name: string; role: string }) => [t.name, t.role])).toEqual([["acme", "super-admin"], ["globex", "super-admin"]]);
  });

  it("creates and deletes a VM in globex: the cluster accepts her impersonated group", async () => {
    const name = uniqueName("oidc-dora");
    const created = await dora.call("POST", "/api/tenants/globex/vms", vmRequest(name));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(await getObject(paths.vmInstance("tenant-globex", name))).not.toBeNull();
    const deleted = await dora.call("DELETE", `/api/tenants/globex/vms/${name}?withDisks=true`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const rows = await getDb().auditLog.findMany({ where: { targetName: name }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.action, r.actor, r.result])).toEqual([["vm.create", "dora", "success"], ["vm.delete", "dora", "success"]]);
  });
});

describe("erin (no groups)", () => {
  it("is signed in but has no tenant", async () => {
    const res = await erin.call("GET", "/api/tenants");
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it("gets 404 for acme", async () => {
    expect((await erin.call("GET", "/api/tenants/acme/vms")).status).toBe(404);
  });
});

describe("8. identity sent to the cluster", () => {
  it("keeps only tenant groups and the platform-admin group of the provider's claim", async () => {
    const frank = await oidcSignIn("frank");
    const res = await frank.call("GET", "/api/auth/session");
    expect(res.body.user.groups).toEqual(["tenant-acme-view"]);
    // "cozystack-cluster-admins" is not the platform-admin group: no admin pages
    expect((await frank.call("GET", "/api/admin/tenants")).status).toBe(403);
    expect((await frank.call("GET", "/api/tenants")).body).toEqual([expect.objectContaining({ name: "acme", role: "view" })]);
  });

  it("refuses a sign-in whose groups include system:masters, and audits it at platform level", async () => {
    const { jar, url } = await oidcAttempt("trudy");
    expect(jar.has("next-auth.session-token")).toBe(false);
    expect(url.pathname).toBe("/signin");
    expect(url.searchParams.get("error")).toBe("IdentityRefused");
    const page = await (await fetch(url, { headers: { "accept-language": "en" } })).text();
    expect(page).toContain("reserved");
    const row = await getDb().auditLog.findFirst({ where: { action: "session.signin", targetName: "trudy" }, orderBy: { createdAt: "desc" } });
    expect(row).toMatchObject({ result: "denied", tenantId: null, tenantName: "" });
    expect(row?.errorMessage).toMatch(/group that starts with "system:"/);
  });
});

describe("7. a token of a provider that is switched off", () => {
  it("is refused, even with a live session row and the admin group", async () => {
    const { principalFromCookies } = await import("../../lib/server/auth/session");
    const cookie = Object.fromEntries(dora.cookie.split("; ").map((c) => [c.slice(0, c.indexOf("=")), c.slice(c.indexOf("=") + 1)]));
    // the same checks as the portal's, in this process: same database, same NEXTAUTH_SECRET (stack env)
    const saved = process.env.OIDC_ISSUER;
    try {
      expect((await principalFromCookies(cookie))?.isPlatformAdmin).toBe(true);
      delete process.env.OIDC_ISSUER;
      expect(await principalFromCookies(cookie)).toBeNull();
    } finally {
      process.env.OIDC_ISSUER = saved;
    }
  });
});
