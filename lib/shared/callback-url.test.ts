import { describe, expect, it } from "vitest";
import { requestedPath, safeCallbackPath, signInHref, signInRedirectPath } from "./callback-url";

const origin = "http://127.0.0.1:3000";

describe("safeCallbackPath", () => {
  it("keeps a path of the portal, with its query and hash", () => {
    expect(safeCallbackPath("/t/acme/vms/web/console?tab=vnc", origin)).toBe("/t/acme/vms/web/console?tab=vnc");
    expect(safeCallbackPath("http://127.0.0.1:3000/admin/tenants#x", origin)).toBe("/admin/tenants#x");
  });

  // The attack suite's findings (issue 10, defect 1): each of these went to //evil.example.
  it.each([
    "/.//evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "/./\\evil.example",
    "//evil.example",
    "/\\evil.example",
    "http://127.0.0.1:3000//evil.example",
    "https://evil.example/",
    "http://127.0.0.1:3001/t/acme",
    "javascript:alert(1)",
    "/\tevil",
    "http://user:pw@127.0.0.1:3000/",
  ])("refuses %s", (raw) => {
    const path = safeCallbackPath(raw, origin);
    expect(path).toBe("/");
    // whatever it returns, a browser resolves it on the portal
    expect(new URL(path, origin).origin).toBe(origin);
  });

  it("never returns the sign-in page or a missing value", () => {
    expect(safeCallbackPath("/signin?callbackUrl=/x", origin)).toBe("/");
    expect(safeCallbackPath(undefined, origin)).toBe("/");
    expect(safeCallbackPath("/t/acme", null)).toBe("/");
  });
});

describe("requestedPath", () => {
  it("keeps the path and the query verbatim", () => {
    expect(requestedPath(new URL("http://127.0.0.1:3000/t/acme/vms/web/console"))).toBe("/t/acme/vms/web/console");
    expect(requestedPath(new URL("http://127.0.0.1:3000/t/acme/disks?x=1&q=a%20b+c"))).toBe("/t/acme/disks?x=1&q=a%20b+c");
    expect(requestedPath(new URL("http://127.0.0.1:3000/admin/tenants/acme?"))).toBe("/admin/tenants/acme");
  });

  it("drops Next's internal _rsc parameter of client navigations", () => {
    expect(requestedPath(new URL("http://127.0.0.1:3000/t/acme/disks?_rsc=1x2y"))).toBe("/t/acme/disks");
    expect(requestedPath(new URL("http://127.0.0.1:3000/t/acme/disks?x=1&_rsc=1x2y&y=2"))).toBe("/t/acme/disks?x=1&y=2");
    expect(requestedPath(new URL("http://127.0.0.1:3000/t/acme/disks?_rscx=1"))).toBe("/t/acme/disks?_rscx=1");
  });
});

describe("signInRedirectPath (issue 16, defect A: deep links lost their destination)", () => {
  const callbackOf = (href: string) => {
    const url = new URL(href, origin);
    expect(url.pathname).toBe("/signin");
    return url.searchParams.get("callbackUrl");
  };

  it.each([
    ["/t/acme/vms/web/console", "/t/acme"],
    ["/t/acme/vms/web/console?tab=vnc", "/t/acme"],
    ["/t/acme/disks?x=1", "/t/acme"],
    ["/t/acme", "/t/acme"],
    ["/admin/tenants/acme", "/admin"],
    ["/admin/audit?tenant=acme&action=vm.create", "/admin"],
  ])("comes back to %s (layout %s)", (requested, section) => {
    const href = signInRedirectPath(requested, section, "/fallback");
    expect(callbackOf(href)).toBe(requested);
    // and the sign-in page's own guard keeps it as it is
    expect(safeCallbackPath(callbackOf(href), origin)).toBe(requested);
  });

  it("keeps the old landing when the page is not known", () => {
    expect(callbackOf(signInRedirectPath(null, "/t/acme", "/t/acme/vms"))).toBe("/t/acme/vms");
    expect(callbackOf(signInRedirectPath(undefined, "/admin", "/admin/tenants"))).toBe("/admin/tenants");
    expect(callbackOf(signInRedirectPath("", "/admin", "/admin/tenants"))).toBe("/admin/tenants");
  });

  // The header is set by proxy.ts, but prefetches skip the proxy: a forged value must not lead
  // anywhere but into the layout's own section, and never off the portal.
  it.each([
    "//evil.example/t/acme",
    "/\\evil.example",
    "https://evil.example/t/acme/vms",
    "http://127.0.0.1:3000/t/acme/vms",
    "javascript:alert(1)",
    "t/acme/vms",
    "/t/globex/vms",
    "/t/acme-corp/vms",
    "/t/acme/../globex/vms",
    "/t/acme/%2e%2e/globex/vms",
    "/admin/tenants",
    "/signin?callbackUrl=/t/acme",
    "/t/acme/\tx",
    `/t/acme/${"a".repeat(3000)}`,
  ])("refuses %s for /t/acme", (requested) => {
    expect(callbackOf(signInRedirectPath(requested, "/t/acme", "/t/acme/vms"))).toBe("/t/acme/vms");
  });

  it("refuses a tenant path in the admin layout", () => {
    expect(callbackOf(signInRedirectPath("/t/acme/vms", "/admin", "/admin/tenants"))).toBe("/admin/tenants");
    expect(callbackOf(signInRedirectPath("/administrator", "/admin", "/admin/tenants"))).toBe("/admin/tenants");
  });
});

describe("signInHref", () => {
  it("encodes the path and its query into callbackUrl", () => {
    expect(signInHref("/t/acme/vms?state=Running&q=a b")).toBe("/signin?callbackUrl=%2Ft%2Facme%2Fvms%3Fstate%3DRunning%26q%3Da%20b");
    expect(signInHref("/t/acme/vms", "state=Running&q=a+b")).toBe("/signin?callbackUrl=%2Ft%2Facme%2Fvms%3Fstate%3DRunning%26q%3Da%2Bb");
    expect(signInHref("/t/acme/vms", "")).toBe("/signin?callbackUrl=%2Ft%2Facme%2Fvms");
  });
});
