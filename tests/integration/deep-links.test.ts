/**
 * Issue 16, defect A: a signed-out visit to any page of a tenant or of the platform admin is sent
 * to /signin with exactly that path and query as `callbackUrl`, and signing in with it lands there
 * (the layouts used to send everyone to `/t/<tenant>/vms` or `/admin/tenants`). Against the real
 * portal server (production build): proxy.ts gives the layouts the requested path, and a header of
 * that name sent by the client is replaced.
 */
import { describe, expect, it } from "vitest";
import { portalUrl } from "./helpers";

/**
 * Where a signed-out GET of `path` is sent: the `callbackUrl` of the /signin redirect (the 307's
 * Location, or Next's meta refresh had the redirect come after streaming began).
 */
async function callbackUrlOf(path: string, headers: Record<string, string> = {}): Promise<string | null> {
  const res = await fetch(`${portalUrl}${path}`, { headers, redirect: "manual" });
  const body = await res.text();
  const target = res.headers.get("location") ?? /http-equiv="refresh" content="\d+;url=([^"]+)"/.exec(body)?.[1]?.replace(/&amp;/g, "&");
  expect(target, `${path} answered ${res.status} without a redirect`).toBeTruthy();
  const url = new URL(target!, portalUrl);
  expect(url.origin).toBe(portalUrl);
  expect(url.pathname).toBe("/signin");
  return url.searchParams.get("callbackUrl");
}

describe("a signed-out deep link comes back after sign-in", () => {
  it.each([
    "/t/acme/vms/web/console",
    "/t/acme/vms/web/console?tab=vnc",
    "/t/acme/disks?x=1",
    "/t/acme/vms?state=Running&q=web",
    "/admin/tenants/acme",
    "/admin/audit?tenant=acme",
  ])("%s is the callbackUrl", async (path) => {
    expect(await callbackUrlOf(path)).toBe(path);
  });

  it("a header of the proxy's name sent by the client is replaced by the real path", async () => {
    expect(await callbackUrlOf("/t/acme/disks?x=1", { "x-hikube-request-path": "/t/acme/audit" })).toBe("/t/acme/disks?x=1");
    expect(await callbackUrlOf("/admin/tenants/acme", { "x-hikube-request-path": "//evil.example/" })).toBe("/admin/tenants/acme");
  });

  it("signing in with that callbackUrl lands on the page (next-auth's answer)", async () => {
    const path = "/t/acme/vms/web/console?tab=vnc";
    const callbackUrl = await callbackUrlOf(path);
    const csrfRes = await fetch(`${portalUrl}/api/auth/csrf`);
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const jar = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const res = await fetch(`${portalUrl}/api/auth/callback/local`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar, origin: portalUrl },
      body: new URLSearchParams({ csrfToken, username: "alice", password: "alice-password", json: "true", callbackUrl: callbackUrl! }).toString(),
      redirect: "manual",
    });
    const { url } = (await res.json()) as { url: string };
    expect(url).toBe(`${portalUrl}${path}`);
  });
});
