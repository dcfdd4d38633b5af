import { describe, expect, it } from "vitest";
import { errorFromStatus } from "./client";

const status = (code: number, extra: object) => JSON.stringify({ kind: "Status", code, ...extra });

describe("errorFromStatus", () => {
  it("maps 403 to forbidden with the cluster's reason", () => {
    const e = errorFromStatus(403, status(403, { reason: "Forbidden", message: 'User "victor" cannot create resource "vminstances"' }));
    expect(e.code).toBe("forbidden");
    expect(e.message).toMatch(/victor/);
  });
  it("maps AlreadyExists to a conflict naming the object", () => {
    const e = errorFromStatus(409, status(409, { reason: "AlreadyExists", details: { name: "web", kind: "vminstances" } }));
    expect(e.code).toBe("conflict");
    expect(e.message).toBe('vminstances "web" already exists');
  });
  it("maps 422 to invalid with the field of the first cause, without the spec. prefix", () => {
    const e = errorFromStatus(422, status(422, { reason: "Invalid", details: { causes: [{ field: "spec.runStrategy", message: "Unsupported value" }] } }));
    expect(e.code).toBe("invalid");
    expect(e.field).toBe("runStrategy");
  });
  it("maps 5xx to cluster_unavailable and survives a non-JSON body", () => {
    const e = errorFromStatus(503, "upstream connect error");
    expect(e.code).toBe("cluster_unavailable");
    expect(e.status).toBe(503);
  });
});
