import { describe, expect, it } from "vitest";
import { resourceQuotaHard, tenantRoleBindings } from "./tenant-objects";

describe("tenant objects", () => {
  it("maps a quota to the contract's ResourceQuota keys (millicores, bytes, counts)", () => {
    expect(resourceQuotaHard({ cpuMillicores: 2500, memoryBytes: 2 ** 33, storageBytes: 10 ** 11, vmCount: 3, diskCount: 6, loadBalancers: 1 })).toEqual({
      "requests.cpu": "2500m",
      "requests.memory": "8589934592",
      "requests.storage": "100000000000",
      "count/vminstances.apps.cozystack.io": "3",
      "count/vmdisks.apps.cozystack.io": "6",
      "services.loadbalancers": "1",
    });
  });

  it("binds each level's group to its ClusterRole in the tenant's namespace", () => {
    const rb = tenantRoleBindings("initech").find((b) => b.metadata.name === "tenant-initech-super-admin")!;
    expect(rb).toMatchObject({
      metadata: { namespace: "tenant-initech" },
      roleRef: { kind: "ClusterRole", name: "hikube:tenant:super-admin" },
      subjects: [{ kind: "Group", name: "tenant-initech-super-admin" }],
    });
  });
});
