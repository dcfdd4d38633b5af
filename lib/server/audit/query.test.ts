import { describe, expect, it, vi } from "vitest";
import type { Principal } from "../auth/session";

const tenants: Record<string, string> = { acme: "id-acme-2" };
vi.mock("../db/db", () => ({
  getDb: () => ({ tenant: { findUnique: vi.fn(async ({ where }: { where: { name: string } }) => (tenants[where.name] ? { id: tenants[where.name] } : null)) } }),
}));
vi.mock("../tenancy/tenancy", () => ({
  getTenantAccess: vi.fn(async (principal: Principal, name: string) => {
    if (name !== "acme" || principal.username === "bob") return null;
    return { tenant: { id: tenants.acme, name, namespace: `tenant-${name}`, displayName: name }, role: principal.username === "victor" ? "view" : "admin" };
  }),
}));

const { assertAuditScope, auditWhere, decodeAuditCursor, encodeAuditCursor, neutralizeCsvCell } = await import("./query");

const principal = (username: string, isPlatformAdmin = false) => ({ username, isPlatformAdmin, source: "local", groups: [], userId: username }) as unknown as Principal;

describe("audit cursors", () => {
  it("round-trips the position of a row", () => {
    const row = { createdAt: new Date("2026-03-04T05:06:07.089Z"), id: "clx123" };
    expect(decodeAuditCursor(encodeAuditCursor(row))).toEqual(row);
  });

  it("refuses a cursor it did not make, on field cursor", () => {
    expect(() => decodeAuditCursor("bm9wZQ")).toThrow(expect.objectContaining({ code: "invalid", field: "cursor" }));
  });
});

describe("auditWhere", () => {
  const after = { createdAt: new Date("2026-01-01T00:00:00Z"), id: "b" };
  const keyset = [{ createdAt: { lte: after.createdAt } }, { OR: [{ createdAt: { lt: after.createdAt } }, { id: { lt: "b" } }] }];

  it("reads a tenant's rows by its id (index tenantId, createdAt, id), seeking below the cursor", () => {
    expect(auditWhere({ tenant: "acme", result: "denied" }, { tenantId: "t1" }, after)).toEqual({ tenantId: "t1", result: "denied", AND: keyset });
  });

  it("reads a deleted tenant's history by name among rows without a tenant id", () => {
    expect(auditWhere({ tenant: "gone" }, { tenantName: "gone", tenantId: null })).toEqual({ tenantName: "gone", tenantId: null });
  });

  it("never filters by the tenant name of the filter itself", () => {
    expect(auditWhere({ tenant: "acme", actor: "alice" }, {})).toEqual({ actor: "alice" });
  });
});

/** Regression (issue 10, defect 10): a tenant's log was its name's rows, so a re-created tenant inherited the old one's. */
describe("assertAuditScope", () => {
  it("gives a tenant admin their tenant's rows by id", async () => {
    await expect(assertAuditScope(principal("alice"), { tenant: "acme" })).resolves.toEqual({ tenantId: "id-acme-2" });
  });

  it("gives a platform admin an existing tenant by id, a deleted one's history by name, everything without a filter", async () => {
    await expect(assertAuditScope(principal("admin", true), { tenant: "acme" })).resolves.toEqual({ tenantId: "id-acme-2" });
    await expect(assertAuditScope(principal("admin", true), { tenant: "gone" })).resolves.toEqual({ tenantName: "gone", tenantId: null });
    await expect(assertAuditScope(principal("admin", true), {})).resolves.toEqual({});
  });

  it("refuses others: no tenant (422 on tenant), not a member (404), below admin (403)", async () => {
    await expect(assertAuditScope(principal("alice"), {})).rejects.toMatchObject({ code: "invalid", field: "tenant" });
    await expect(assertAuditScope(principal("bob"), { tenant: "acme" })).rejects.toMatchObject({ code: "not_found" });
    await expect(assertAuditScope(principal("victor"), { tenant: "acme" })).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("neutralizeCsvCell", () => {
  it.each(["=HYPERLINK(\"http://x\")", "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])("prefixes %j with a single quote", (cell) => {
    expect(neutralizeCsvCell(cell)).toBe(`'${cell}`);
  });
  it("leaves other cells alone", () => {
    expect(neutralizeCsvCell("alice")).toBe("alice");
    expect(neutralizeCsvCell("")).toBe("");
    expect(neutralizeCsvCell("a=b")).toBe("a=b");
    expect(neutralizeCsvCell(42)).toBe(42);
  });
});
