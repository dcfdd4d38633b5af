import { describe, expect, it } from "vitest";
import { diskAttachments, getDiskOrThrow, toDiskSummary } from "./disks";
import type { VMDisk, VMInstance } from "../k8s/objects";
import type { TenantAccess } from "../tenancy/tenancy";

const disk = (name: string, spec: VMDisk["spec"]): VMDisk => ({
  apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name, creationTimestamp: "2026-01-01T00:00:00Z", resourceVersion: "3" }, spec,
});
const vm = (name: string, disks: string[]): VMInstance => ({
  apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name }, spec: { disks: disks.map((d) => ({ name: d })) },
});

describe("toDiskSummary", () => {
  it("reads CDI's phase, progress and failure reason, and the VM using the disk", () => {
    const row = toDiskSummary(disk("iso", { source: { http: { url: "https://x.example/a.iso" } }, optical: true, storage: "2Gi" }), {
      metadata: { name: "vm-disk-iso" },
      status: { phase: "Failed", progress: "N/A", conditions: [{ type: "Running", status: "False", reason: "Error", message: "Unable to connect to http data source: expected status code 200, got 404" }] },
    }, "web");
    expect(row).toMatchObject({
      name: "iso", storage: "2Gi", storageBytes: 2 * 2 ** 30, storageClass: "replicated", optical: true,
      source: { type: "http", detail: "https://x.example/a.iso" }, phase: "Failed", progress: null, attachedTo: "web",
    });
    expect(row.message).toMatch(/got 404/);
  });
  it("says Pending before the DataVolume exists and 100 once Succeeded", () => {
    expect(toDiskSummary(disk("d", {}), undefined, null)).toMatchObject({ phase: "Pending", progress: null, source: { type: "blank" } });
    expect(toDiskSummary(disk("d", {}), { metadata: { name: "vm-disk-d" }, status: { phase: "Succeeded", progress: "N/A" } }, null).progress).toBe(100);
    expect(toDiskSummary(disk("d", {}), { metadata: { name: "vm-disk-d" }, status: { phase: "ImportInProgress", progress: "45.23%" } }, null).progress).toBe(45.23);
  });
});

describe("diskAttachments", () => {
  it("maps each disk to the VM naming it", () => {
    const map = diskAttachments([vm("a", ["a-os", "iso"]), vm("b", ["b-os"])]);
    expect(Object.fromEntries(map)).toEqual({ "a-os": "a", iso: "a", "b-os": "b" });
  });
});

describe("getDiskOrThrow", () => {
  const access = { tenant: { namespace: "tenant-a" }, identity: { username: "u", groups: [] } } as unknown as TenantAccess;
  it.each(["..", ".", "a/b", "../../secrets", ""])("answers the URL name %j with 404, before any cluster call", async (name) => {
    await expect(getDiskOrThrow(access, name)).rejects.toMatchObject({ code: "not_found" });
  });
});
