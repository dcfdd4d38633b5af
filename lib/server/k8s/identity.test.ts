import { describe, expect, it } from "vitest";
import { identityValueProblem, impersonationHeaders, isForwardableGroup } from "./identity";
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

describe("identityValueProblem (issue 10, defect 8)", () => {
  it("accepts ordinary usernames and groups", () => {
    for (const v of ["alice", "carol@example.test", "tenant-acme-admin", "cozystack-cluster-admin", "Dora Platform"]) expect(identityValueProblem(v)).toBeNull();
  });
  it("refuses the reserved system: prefix in any case, commas and control characters", () => {
    expect(identityValueProblem("system:masters")).toMatch(/system:/);
    expect(identityValueProblem("System:Masters")).toMatch(/system:/);
    expect(identityValueProblem("system:serviceaccount:kube-system:default")).toMatch(/system:/);
    expect(identityValueProblem("a,b")).toMatch(/comma/);
    expect(identityValueProblem("alice\r\nImpersonate-Group: system:masters")).toMatch(/control/);
    expect(identityValueProblem("bob\u0085")).toMatch(/control/);
    expect(identityValueProblem("")).toMatch(/empty/);
  });
  it("makes impersonationHeaders refuse such an identity rather than send it", () => {
    expect(() => impersonationHeaders({ type: "user", username: "mallory", groups: ["system:masters"] })).toThrow();
    expect(() => impersonationHeaders({ type: "user", username: "system:admin", groups: [] })).toThrow();
  });
});

describe("isForwardableGroup", () => {
  it("forwards tenant groups of the four levels and the platform-admin group only", () => {
    const ok = ["tenant-acme-view", "tenant-acme-use", "tenant-acme-admin", "tenant-acme2-super-admin", "cozystack-cluster-admin"];
    const no = ["developers", "/staff", "tenant-acme-owner", "tenant-Acme-view", "tenant--view", "cozystack-cluster-admins", "system:masters", "tenant-acme-view,x"];
    for (const g of ok) expect(isForwardableGroup(g, "cozystack-cluster-admin"), g).toBe(true);
    for (const g of no) expect(isForwardableGroup(g, "cozystack-cluster-admin"), g).toBe(false);
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
