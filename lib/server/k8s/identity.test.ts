import { describe, expect, it } from "vitest";
import { impersonationHeaders } from "./identity";
import { resourcePath, kinds } from "./kinds";

describe("impersonationHeaders", () => {
  it("sends one Impersonate-Group value per group (an array, never a comma-joined string)", () => {
    const h = impersonationHeaders({ type: "user", username: "alice", groups: ["tenant-acme-admin", "tenant-globex-view"] });
    expect(h["Impersonate-User"]).toBe("alice");
    expect(h["Impersonate-Group"]).toEqual(["tenant-acme-admin", "tenant-globex-view"]);
  });
  it("sends nothing for the portal's own identity", () => {
    expect(impersonationHeaders({ type: "portal" })).toEqual({});
  });
});

describe("resourcePath", () => {
  it("derives namespaced and cluster-scoped paths", () => {
    expect(resourcePath(kinds.VMInstance, { namespace: "tenant-acme", name: "web" }))
      .toBe("/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-acme/vminstances/web");
    expect(resourcePath(kinds.VirtualMachineClusterInstancetype)).toBe("/apis/instancetype.kubevirt.io/v1beta1/virtualmachineclusterinstancetypes");
    expect(resourcePath(kinds.ResourceQuota, { namespace: "tenant-acme" })).toBe("/api/v1/namespaces/tenant-acme/resourcequotas");
  });
  it("refuses a namespaced kind without a namespace", () => {
    expect(() => resourcePath(kinds.VMDisk)).toThrow(/namespace/);
  });
});
