/**
 * The Kubernetes objects that make a tenant, as Cozystack's tenant chart lays them out
 * (cozystack/cozystack `packages/apps/tenant/templates`, ../shared/spec/cluster-contract.md):
 * namespace `tenant-<name>`, one RoleBinding per level binding group `tenant-<name>-<level>` to
 * ClusterRole `hikube:tenant:<level>`, ResourceQuota `tenant-quota`, and LimitRange
 * `tenant-limits`. Plain data, shared by the portal's admin side and the local cluster's seed.
 */
import { tenantRoles as tenantLevels } from "../../shared/permissions";
import type { QuotaAmounts } from "../../shared/quota";

/** A Kubernetes object as plain JSON. */
export interface TenantObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** The namespace of tenant `name`. */
export const tenantNamespace = (name: string) => `tenant-${name}`;

/** Name of the tenant's ResourceQuota (the contract's name). */
export const tenantQuotaName = "tenant-quota";

/** Name of the tenant's LimitRange. */
export const tenantLimitRangeName = "tenant-limits";

/** Namespace `tenant-<name>`, labelled as Cozystack labels tenant namespaces. */
export function tenantNamespaceObject(name: string): TenantObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: tenantNamespace(name), labels: { "tenant.cozystack.io/name": name } } };
}

/** One RoleBinding per level: group `tenant-<name>-<level>` → ClusterRole `hikube:tenant:<level>`. */
export function tenantRoleBindings(name: string): TenantObject[] {
  return tenantLevels.map((level) => ({
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
    metadata: { name: `tenant-${name}-${level}`, namespace: tenantNamespace(name) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `hikube:tenant:${level}` },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `tenant-${name}-${level}` }],
  }));
}

/**
 * The ResourceQuota `hard` map of a quota (the contract's keys): CPU as millicores ("4000m"),
 * memory and storage in bytes, counts of VMInstances and VMDisks, LoadBalancer Services.
 */
export function resourceQuotaHard(q: QuotaAmounts): Record<string, string> {
  return {
    "requests.cpu": `${q.cpuMillicores}m`,
    "requests.memory": String(q.memoryBytes),
    "requests.storage": String(q.storageBytes),
    "count/vminstances.apps.cozystack.io": String(q.vmCount),
    "count/vmdisks.apps.cozystack.io": String(q.diskCount),
    "services.loadbalancers": String(q.loadBalancers),
  };
}

/** ResourceQuota `tenant-quota` of tenant `name` with the limits `q`. */
export function tenantResourceQuota(name: string, q: QuotaAmounts): TenantObject {
  return {
    apiVersion: "v1", kind: "ResourceQuota",
    metadata: { name: tenantQuotaName, namespace: tenantNamespace(name) },
    spec: { hard: resourceQuotaHard(q) },
  };
}

/**
 * LimitRange `tenant-limits`: default requests and limits for containers that set none, so that
 * every pod counts against `requests.cpu`/`requests.memory` (a ResourceQuota on requests refuses
 * pods without them).
 */
export function tenantLimitRange(name: string): TenantObject {
  return {
    apiVersion: "v1", kind: "LimitRange",
    metadata: { name: tenantLimitRangeName, namespace: tenantNamespace(name) },
    spec: {
      limits: [{
        type: "Container",
        default: { cpu: "1", memory: "1Gi" },
        defaultRequest: { cpu: "100m", memory: "128Mi" },
      }],
    },
  };
}
