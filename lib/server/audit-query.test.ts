import { describe, expect, it } from "vitest";
import { auditWhere, decodeAuditCursor, encodeAuditCursor, neutralizeCsvCell } from "./audit-query";

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
  it("seeks below the cursor with a range on createdAt that the index can use", () => {
    const after = { createdAt: new Date("2026-01-01T00:00:00Z"), id: "b" };
    expect(auditWhere({ tenant: "acme", result: "denied" }, after)).toEqual({
      tenantName: "acme",
      result: "denied",
      AND: [{ createdAt: { lte: after.createdAt } }, { OR: [{ createdAt: { lt: after.createdAt } }, { id: { lt: "b" } }] }],
    });
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
