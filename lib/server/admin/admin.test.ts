import { beforeEach, describe, expect, it, vi } from "vitest";
import type { KubeRequest } from "../k8s/client";

const calls: KubeRequest[] = [];

vi.mock("../k8s/client", () => ({
  kubeRequest: vi.fn(async (_identity: unknown, req: KubeRequest) => {
    calls.push(req);
    return {};
  }),
}));
vi.mock("../db/db", () => ({
  getDb: () => ({ tenant: { findUnique: vi.fn(async () => null) }, $transaction: vi.fn(async () => { throw new Error("no database here"); }) }),
  fromTenantRole: (r: string) => r,
  toTenantRole: (r: string) => r,
}));

const { createTenant } = await import("./admin");

const identity = { type: "user" as const, username: "admin", groups: ["cozystack-cluster-admin"] };
const quota = { cpuMillicores: 1000, memoryBytes: 2 ** 30, storageBytes: 2 ** 30, vmCount: 1, diskCount: 1, loadBalancers: 0 };

describe("createTenant", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  /** Regression: a bad name reached the cluster and came back as 422 on field `namespace`. */
  it.each(["Bad-Name", "a/b", "..", "tenant-x", "1abc", "a".repeat(41), ""])("refuses name %j with 422 on field name, before any cluster call", async (name) => {
    await expect(createTenant(identity, { name, displayName: "Bad", quota })).rejects.toMatchObject({ code: "invalid", field: "name", status: 422 });
    expect(calls).toEqual([]);
  });
});
