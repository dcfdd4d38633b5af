import { describe, expect, it } from "vitest";
import { expectedOrigin, isDecodableTarget, isSameOrigin } from "./edge";

describe("isDecodableTarget", () => {
  it("accepts well-formed paths and queries", () => {
    expect(isDecodableTarget("/api/tenants/acme/vms?q=a%20b&x=%C3%A9")).toBe(true);
  });
  it.each(["/api/tenants/acme%E0/vms", "/x%zz", "/ok?q=%E0", "*", "http://evil/x"])("refuses %s", (t) => {
    expect(isDecodableTarget(t)).toBe(false);
  });
});

describe("isSameOrigin", () => {
  const env = { NEXTAUTH_URL: "http://portal.example:3000" } as unknown as NodeJS.ProcessEnv;
  it("accepts the portal's own origin", () => {
    expect(isSameOrigin({ origin: "http://portal.example:3000", host: "portal.example:3000" }, {}, env)).toBe(true);
  });
  it("refuses a foreign Origin even with a matching forged X-Forwarded-Host, with or without TRUST_PROXY", () => {
    const h = { origin: "http://evil.example", host: "portal.example:3000", "x-forwarded-host": "evil.example" };
    expect(isSameOrigin(h, {}, env)).toBe(false);
    expect(isSameOrigin(h, {}, { ...env, TRUST_PROXY: "1" })).toBe(false);
  });
  it("refuses another scheme or port of the same host", () => {
    expect(isSameOrigin({ origin: "https://portal.example:3000" }, {}, env)).toBe(false);
    expect(isSameOrigin({ origin: "http://portal.example:3001" }, {}, env)).toBe(false);
  });
  it("takes Sec-Fetch-Site only where Origin is not required", () => {
    expect(isSameOrigin({ "sec-fetch-site": "same-origin" }, {}, env)).toBe(true);
    expect(isSameOrigin({ "sec-fetch-site": "same-origin" }, { requireOrigin: true }, env)).toBe(false);
  });
  it("reads forwarded headers only behind a configured proxy when NEXTAUTH_URL is unset", () => {
    const h = { host: "10.0.0.5:3000", "x-forwarded-host": "portal.example", "x-forwarded-proto": "https" };
    expect(expectedOrigin(h, {} as unknown as NodeJS.ProcessEnv)).toBe("http://10.0.0.5:3000");
    expect(expectedOrigin(h, { TRUST_PROXY: "1" } as unknown as NodeJS.ProcessEnv)).toBe("https://portal.example");
  });
});
