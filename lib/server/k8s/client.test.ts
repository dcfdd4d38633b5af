import { afterEach, describe, expect, it, vi } from "vitest";
import { errorFromStatus, requestUrl, scrubClusterMessage } from "./client";
import { logger } from "../logger";

const status = (code: number, extra: object) => JSON.stringify({ kind: "Status", code, ...extra });

afterEach(() => vi.restoreAllMocks());

describe("errorFromStatus", () => {
  it("maps 403 to forbidden without the cluster's RBAC wording, and logs the original at warn", () => {
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const rbac = 'vminstances.apps.cozystack.io "web" is forbidden: User "victor" cannot delete resource "vminstances" in API group "apps.cozystack.io" in the namespace "tenant-initech"';
    const e = errorFromStatus(403, status(403, { reason: "Forbidden", message: rbac }));
    expect(e.code).toBe("forbidden");
    expect(e.message).toBe("The cluster refused this action for your account.");
    for (const leak of ["victor", "delete", "apps.cozystack.io", "tenant-initech", "User"]) expect(e.message).not.toContain(leak);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls[0])).toContain("victor");
  });
  it("maps 401 to the same neutral forbidden message", () => {
    vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const e = errorFromStatus(401, status(401, { reason: "Unauthorized", message: 'User "system:anonymous" cannot get path "/"' }));
    expect(e.code).toBe("forbidden");
    expect(e.message).not.toMatch(/anonymous/);
  });
  it("maps AlreadyExists to a conflict naming the object", () => {
    const e = errorFromStatus(409, status(409, { reason: "AlreadyExists", details: { name: "web", kind: "vminstances" } }));
    expect(e.code).toBe("conflict");
    expect(e.message).toBe('vminstances "web" already exists');
  });
  it("maps 404 to not_found naming the object but not the namespace", () => {
    const e = errorFromStatus(404, status(404, { reason: "NotFound", message: 'vmdisks.apps.cozystack.io "d" not found in namespace "tenant-x"', details: { name: "d", kind: "vmdisks" } }));
    expect(e.code).toBe("not_found");
    expect(e.message).toBe('vmdisks "d" was not found');
  });
  it("maps 422 to invalid with the field of the first cause, without the spec. prefix", () => {
    const e = errorFromStatus(422, status(422, { reason: "Invalid", details: { causes: [{ field: "spec.runStrategy", message: "Unsupported value" }] } }));
    expect(e.code).toBe("invalid");
    expect(e.field).toBe("runStrategy");
    expect(e.message).toBe("Unsupported value");
  });
  it("strips namespaces and users from a 422 message without causes", () => {
    const e = errorFromStatus(422, status(422, { reason: "Invalid", message: 'User "victor" may not set this in the namespace "tenant-initech"' }));
    expect(e.code).toBe("invalid");
    expect(e.message).not.toMatch(/victor|tenant-initech/);
  });
  it("maps 5xx to cluster_unavailable and survives a non-JSON body", () => {
    const e = errorFromStatus(503, "upstream connect error");
    expect(e.code).toBe("cluster_unavailable");
    expect(e.status).toBe(503);
  });
});

describe("scrubClusterMessage", () => {
  it("removes users, groups, service accounts, API groups and namespaces", () => {
    const out = scrubClusterMessage('User "alice" (groups=["tenant-a-admin" "system:authenticated"]) cannot list resource "pods" in API group "" in the namespace "tenant-a" as system:serviceaccount:cozy:portal');
    for (const leak of ["alice", "tenant-a", "system:authenticated", "cozy:portal", "API group"]) expect(out).not.toContain(leak);
  });
});

describe("requestUrl", () => {
  it("builds the URL with the query", () => {
    expect(requestUrl("https://k8s:6443", { path: "/api/v1/namespaces/a/configmaps", query: { limit: 5, x: undefined } }))
      .toBe("https://k8s:6443/api/v1/namespaces/a/configmaps?limit=5");
  });
  it.each(["/api/v1/namespaces/a/configmaps/..", "/api/v1/namespaces/a/configmaps/.", "/api/v1/namespaces/a/configmaps/%2E%2E",
    "/api/v1/namespaces/a/configmaps/x%2Fy", "/api/v1/namespaces//configmaps", "/api/v1/namespaces/a/configmaps/"])("refuses %s", (path) => {
    expect(() => requestUrl("https://k8s:6443", { path })).toThrow(expect.objectContaining({ code: "invalid", field: "name" }));
  });
});
