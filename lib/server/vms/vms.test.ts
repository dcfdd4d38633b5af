import { beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import type { KubeRequest } from "../k8s/client";

const calls: KubeRequest[] = [];
let failVmInstanceCreate: AppError | null = null;

vi.mock("../k8s/client", () => ({
  kubeRequest: vi.fn(async (_identity: unknown, req: KubeRequest) => {
    calls.push(req);
    const method = req.method ?? "GET";
    if (method === "GET" && req.path.includes("/namespaces/cozy-public/datavolumes/vm-image-ubuntu")) {
      return { metadata: { name: "vm-image-ubuntu" }, spec: { storage: { resources: { requests: { storage: "4Gi" } } } } };
    }
    if (method === "GET" && req.path.endsWith("/storageclasses")) return { metadata: { resourceVersion: "1" }, items: [{ metadata: { name: "replicated" } }] };
    if (method === "GET") throw new AppError("not_found", "cluster_object_not_found");
    if (method === "POST" && req.path.endsWith("/vminstances")) {
      if (failVmInstanceCreate) throw failVmInstanceCreate;
      return { ...(req.body as object), metadata: { ...(req.body as { metadata: object }).metadata, resourceVersion: "7", creationTimestamp: "2026-01-01T00:00:00Z" } };
    }
    return {};
  }),
}));
vi.mock("./catalogue", () => ({
  goldenImageNamespace: "cozy-public",
  goldenImagePrefix: "vm-image-",
  getInstanceType: vi.fn(async () => ({ name: "u1.medium", series: "U", seriesDisplayName: "Universal", cpu: 1, memoryBytes: 4 * 2 ** 30, ratio: "1:4" })),
  getPreference: vi.fn(async (_i: unknown, name: string) => name === "windows.11"
    ? { name, displayName: "Windows 11", osType: "windows", requiredCpu: 2, requiredMemoryBytes: 4 * 2 ** 30 }
    : { name, displayName: "Ubuntu", osType: "linux", requiredCpu: 1, requiredMemoryBytes: 2 * 2 ** 30 }),
}));
vi.mock("./schema-flavor", () => ({ getVmInstanceSchemaFlavor: vi.fn(async () => "runStrategy") }));
// The quota check and its database lock are covered by tests/integration/quota.test.ts; here the
// create runs as if the quota had room, and the request it was checked against is recorded.
const quotaRequests: unknown[] = [];
vi.mock("../quota/quota", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../quota/quota")>()),
  createWithinQuota: vi.fn(async (_access: unknown, request: unknown, create: (lease: { renew(): Promise<void> }) => Promise<unknown>) => {
    quotaRequests.push(request);
    return create({ renew: async () => {} });
  }),
}));

const { createVm } = await import("./vms");
const { createVmSchema } = await import("../../shared/vm");

const access = {
  tenant: { id: "t1", name: "acme", namespace: "tenant-acme", displayName: "ACME" },
  role: "admin" as const,
  identity: { type: "user" as const, username: "alice", groups: ["tenant-acme-admin"] },
};
const input = createVmSchema.parse({ name: "web", instanceType: "u1.medium", instanceProfile: "ubuntu", rootDisk: { source: { type: "image", name: "ubuntu" } } });

describe("createVm", () => {
  beforeEach(() => {
    calls.length = 0;
    quotaRequests.length = 0;
    failVmInstanceCreate = null;
  });

  it("creates the root disk first, then the VMInstance referencing it, in the tenant's namespace", async () => {
    const vm = await createVm(access, input);
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts.map((c) => c.path)).toEqual([
      "/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-acme/vmdisks",
      "/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-acme/vminstances",
    ]);
    expect((posts[0].body as { spec: object }).spec).toEqual({ source: { image: { name: "ubuntu" } }, storage: "20Gi", optical: false });
    expect((posts[1].body as { spec: { disks: unknown } }).spec.disks).toEqual([{ name: "web-os" }]);
    expect(vm.name).toBe("web");
  });

  it("checks the quota for the instance type's size, one VM and its root disk", async () => {
    await createVm(access, { ...input, external: true });
    expect(quotaRequests).toEqual([{ cpuMillicores: 1000, memoryBytes: 4 * 2 ** 30, storageBytes: 20 * 2 ** 30, vmCount: 1, diskCount: 1, loadBalancers: 1 }]);
  });

  it("deletes the root disk again when the VMInstance cannot be created, and reports the original error", async () => {
    failVmInstanceCreate = new AppError("forbidden", "cluster_forbidden");
    await expect(createVm(access, input)).rejects.toThrow(/refused/);
    const del = calls.filter((c) => c.method === "DELETE");
    expect(del.map((c) => c.path)).toEqual(["/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-acme/vmdisks/web-os"]);
  });

  it("deletes the root and new data disks again when the VMInstance cannot be created", async () => {
    failVmInstanceCreate = new AppError("forbidden", "cluster_forbidden");
    await expect(createVm(access, { ...input, dataDisks: [{ storage: "2Gi", storageClass: "replicated" }, { storage: "3Gi", storageClass: "replicated" }] })).rejects.toThrow(/refused/);
    const del = calls.filter((c) => c.method === "DELETE");
    expect(del.map((c) => c.path.split("/").at(-1))).toEqual(["web-os", "web-d1", "web-d2"]);
  });

  it("refuses a root disk below its golden image's size before creating anything", async () => {
    await expect(createVm(access, { ...input, rootDisk: { ...input.rootDisk, storage: "3Gi" } })).rejects.toMatchObject({ code: "invalid", field: "rootDisk.storage" });
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
  });

  it("refuses a profile that needs more than the instance type offers before creating anything", async () => {
    await expect(createVm(access, { ...input, instanceProfile: "windows.11" })).rejects.toMatchObject({ code: "invalid", field: "instanceProfile" });
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
  });
});
