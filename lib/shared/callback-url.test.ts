import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./callback-url";

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
