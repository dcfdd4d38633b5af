/**
 * Issue 10, item 9: the portal's security headers over real HTTP against the running portal
 * (production build): a nonce-based Content-Security-Policy on pages (proxy.ts) whose nonce is
 * fresh per request and is the one on the page's scripts, the static headers on every answer
 * (next.config.ts), and the https-only parts (upgrade-insecure-requests, HSTS, `Secure` cookies),
 * checked by calling the proxy and next-auth's handler with an https NEXTAUTH_URL.
 */
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { getDb } from "../../lib/server/db/db";
import { portalUrl, signIn, type PortalClient } from "./helpers";

let alice: PortalClient;

beforeAll(async () => {
  alice = await signIn("alice", "alice-password");
});

afterAll(async () => {
  await getDb().$disconnect();
});

/** A policy's directives: name → sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(";").map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name, sources] as const;
  }));
}

/** The page's <script> elements: nonce attribute and inline text. */
function scriptsOf(html: string): { nonce: string | null; inline: string }[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({
    nonce: /\bnonce="([^"]*)"/.exec(m[1])?.[1] ?? null,
    inline: /\bsrc=/.test(m[1]) ? "" : m[2],
  }));
}

async function getPage(path: string, cookie = ""): Promise<{ res: Response; html: string; policy: string; nonce: string }> {
  const res = await fetch(`${portalUrl}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const html = await res.text();
  const policy = res.headers.get("content-security-policy") ?? "";
  const nonce = /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(policy)?.[1] ?? "";
  return { res, html, policy, nonce };
}

const sha256 = (text: string) => `'sha256-${crypto.createHash("sha256").update(text).digest("base64")}'`;

describe("pages: a nonce-based Content-Security-Policy", () => {
  it.each([["the sign-in page", "/signin", false], ["the VM list (signed in)", "/t/acme/vms", true], ["an unknown page (404)", "/no-such-page", true]])(
    "%s carries a fresh nonce per request, the one on its scripts", async (_label, path, signedIn) => {
      const cookie = signedIn ? alice.cookie : "";
      const first = await getPage(path, cookie);
      const second = await getPage(path, cookie);
      expect(first.res.status).toBe(path === "/no-such-page" ? 404 : 200);
      expect(first.res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(first.nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(second.nonce).not.toBe(first.nonce);
      // One policy: proxy.ts's replaces next.config.ts's base one (not two headers joined).
      expect(first.policy.match(/frame-ancestors/g)).toHaveLength(1);

      const scripts = scriptsOf(first.html);
      expect(scripts.filter((s) => s.nonce === first.nonce).length).toBeGreaterThan(1);
      const csp = directives(first.policy);
      for (const s of scripts) {
        // Every script runs by the nonce, or (the theme script in <head>) by its hash.
        if (s.nonce !== first.nonce) expect(csp.get("script-src")).toContain(sha256(s.inline));
      }
    });

  it("names every directive of the production policy (http: no upgrade, no HSTS)", async () => {
    const { res, policy, nonce } = await getPage("/t/acme/vms", alice.cookie);
    const csp = directives(policy);
    const ws = portalUrl.replace(/^http/, "ws");
    const issuer = process.env.OIDC_ISSUER ? new URL(process.env.OIDC_ISSUER).origin : null;
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("script-src")?.slice(0, 3)).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(csp.get("script-src")).not.toContain("'unsafe-eval'");
    expect(csp.get("script-src")).not.toContain("'unsafe-inline'");
    expect(csp.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(csp.get("font-src")).toEqual(["'self'"]);
    expect(csp.get("connect-src")).toEqual(["'self'", ws]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    // The OIDC provider is known only when the server starts (after `next build`): read per request.
    expect(csp.get("form-action")).toEqual(issuer ? ["'self'", issuer] : ["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  it("pages also carry nosniff, X-Frame-Options and Referrer-Policy", async () => {
    for (const path of ["/signin", "/t/acme/vms"]) {
      const { res } = await getPage(path, alice.cookie);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
    }
  });
});

describe("answers that are not pages keep the static headers", () => {
  it.each(["/api/tenants", "/api/health", "/api/tenants/acme/vms"])("%s (JSON) is not sniffed nor framed", async (path) => {
    const res = await fetch(`${portalUrl}${path}`, { headers: { cookie: alice.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toBe("frame-ancestors 'none'; base-uri 'self'; object-src 'none'");
    await res.body?.cancel();
  });

  it("an anonymous API refusal is not sniffed either", async () => {
    const res = await fetch(`${portalUrl}/api/tenants`);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("Next's static files are not sniffed", async () => {
    const { html } = await getPage("/signin");
    const chunk = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(chunk).toBeTruthy();
    const res = await fetch(`${portalUrl}${chunk}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    await res.body?.cancel();
  });
});

describe("over https (NEXTAUTH_URL https://…): the proxy and next-auth called directly", () => {
  const https = "https://portal.example";

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function policyFor(env: Record<string, string | undefined>): Promise<{ headers: Headers; csp: Map<string, string[]> }> {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const { proxy } = await import("../../proxy");
    const res = await proxy(new NextRequest(`${env.NEXTAUTH_URL ?? portalUrl}/t/acme/vms`));
    return { headers: res.headers, csp: directives(res.headers.get("content-security-policy") ?? "") };
  }

  it("adds upgrade-insecure-requests, HSTS and the wss: origin", async () => {
    const { headers, csp } = await policyFor({ NEXTAUTH_URL: https });
    expect(csp.has("upgrade-insecure-requests")).toBe(true);
    expect(csp.get("connect-src")).toEqual(["'self'", "wss://portal.example"]);
    expect(headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("development adds 'unsafe-eval' (React's error stacks) and nothing else", async () => {
    const prod = await policyFor({ NEXTAUTH_URL: "http://127.0.0.1:3000", NODE_ENV: "production", OIDC_ISSUER: undefined });
    const dev = await policyFor({ NEXTAUTH_URL: "http://127.0.0.1:3000", NODE_ENV: "development", OIDC_ISSUER: undefined });
    const withoutNonce = (sources: string[] | undefined) => sources?.filter((s) => !s.startsWith("'nonce-"));
    expect(withoutNonce(prod.csp.get("script-src"))).not.toContain("'unsafe-eval'");
    expect(withoutNonce(dev.csp.get("script-src"))).toEqual([...withoutNonce(prod.csp.get("script-src"))!, "'unsafe-eval'"]);
    expect([...dev.csp.keys()]).toEqual([...prod.csp.keys()]);
    expect(dev.csp.get("form-action")).toEqual(["'self'"]);
    expect(dev.csp.has("upgrade-insecure-requests")).toBe(false);
  });

  /** next-auth's Pages-API handler with a minimal response object, the portal's own authOptions. */
  async function nextAuth(action: string[], req: { method: string; cookies?: Record<string, string>; body?: Record<string, string> }) {
    const { authOptions } = await import("../../lib/server/auth/auth");
    const NextAuth = (await import("next-auth")).default;
    const headers = new Map<string, unknown>();
    const res = {
      status: () => res,
      setHeader: (k: string, v: unknown) => (headers.set(k.toLowerCase(), v), res),
      getHeader: (k: string) => headers.get(k.toLowerCase()),
      json: () => {},
      send: () => {},
      end: () => {},
    };
    await NextAuth({ query: { nextauth: action }, method: req.method, headers: { "x-forwarded-for": "127.0.0.1" }, cookies: req.cookies ?? {}, body: req.body ?? {} } as never, res as never, authOptions);
    const setCookie = headers.get("set-cookie");
    return (Array.isArray(setCookie) ? setCookie : setCookie ? [String(setCookie)] : []) as string[];
  }

  it("next-auth's cookies are Secure (and __Secure-/__Host- named), and the portal reads that session", async () => {
    vi.stubEnv("NEXTAUTH_URL", https);
    const csrfCookies = await nextAuth(["csrf"], { method: "GET" });
    const csrf = csrfCookies.find((c) => c.startsWith("__Host-next-auth.csrf-token="));
    expect(csrf).toMatch(/; Secure/);
    const csrfValue = csrf!.split(";")[0].split("=")[1];
    const csrfToken = decodeURIComponent(csrfValue).split("|")[0];

    const signedIn = await nextAuth(["callback", "local"], {
      method: "POST",
      cookies: { "__Host-next-auth.csrf-token": decodeURIComponent(csrfValue) },
      body: { csrfToken, username: "alice", password: "alice-password", json: "true", callbackUrl: `${https}/` },
    });
    const session = signedIn.find((c) => c.startsWith("__Secure-next-auth.session-token="));
    expect(session).toBeTruthy();
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Lax/i);

    const { principalFromCookies } = await import("../../lib/server/auth/session");
    const pair = session!.split(";")[0];
    const value = pair.slice(pair.indexOf("=") + 1);
    expect((await principalFromCookies({ "__Secure-next-auth.session-token": value }))?.username).toBe("alice");
    // the name next-auth uses over http is not read over https
    expect(await principalFromCookies({ "next-auth.session-token": value })).toBeNull();
  });

  it("over plain http (the test stack) the session cookie is not Secure", async () => {
    const csrfRes = await fetch(`${portalUrl}/api/auth/csrf`);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const jar = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
    const res = await fetch(`${portalUrl}/api/auth/callback/local`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; "), origin: portalUrl },
      body: new URLSearchParams({ csrfToken, username: "alice", password: "alice-password", json: "true" }).toString(),
      redirect: "manual",
    });
    const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
    expect(session).toBeTruthy();
    expect(session).not.toMatch(/; Secure/i);
  });
});
