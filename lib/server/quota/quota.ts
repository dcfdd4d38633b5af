/**
 * Tenant quotas in the portal: the limits (Quota rows), the usage (computed from the cluster, never
 * stored) and the enforcement of both on every create, serialized per tenant by the database lock
 * of lock.ts. The cluster's ResourceQuota `tenant-quota` stays the backstop.
 *
 * Usage is read from the cluster at the moment of the check:
 * - vCPU and memory: the instance type (VirtualMachineClusterInstancetype `spec.cpu.guest`,
 *   `spec.memory.guest`) of every VMInstance, or its custom `resources` (cores × sockets, memory)
 *   when it names no type (vms/spec.ts), including those being deleted;
 * - VM count: the VMInstances; load balancers: the VMInstances with `external: true`;
 * - storage and disk count: the VMDisks and their `spec.storage` (default 5Gi, as the VMDisk schema).
 */
import { kinds, resourcePath } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import type { KubeList, VMDisk, VMInstance, VirtualMachineClusterInstancetype } from "../k8s/objects";
import { getDb } from "../db/db";
import { AppError } from "../errors";
import { withQuotaLock, type QuotaLease } from "./lock";
import { specSize } from "../vms/spec";
import type { TenantAccess } from "../tenancy/tenancy";
import { parseQuantity } from "../../shared/quantity";
import {
  findQuotaExcess,
  zeroAmounts,
  type QuotaAmounts,
  type QuotaResource,
  type QuotaStatus,
} from "../../shared/quota";
import type { ErrorItem, ErrorScalar } from "../../shared/api-errors";

/**
 * An amount of `resource` as an error parameter, so each language shows it in its own units:
 * vCPUs, a size in bytes, or a count.
 */
export function quotaAmount(resource: QuotaResource, value: number): ErrorScalar {
  if (resource === "cpuMillicores") return { vcpu: value / 1000 };
  if (resource === "memoryBytes" || resource === "storageBytes") return { bytes: value };
  return value;
}

/** The VMDisk schema's default size when `spec.storage` is not set. */
export const defaultDiskStorage = "5Gi";

/** A Quota row's limits as plain numbers (bytes stored as BigInt), or null when the tenant has none. */
export async function getQuotaLimits(tenantId: string): Promise<QuotaAmounts | null> {
  const q = await getDb().quota.findUnique({ where: { tenantId } });
  if (!q) return null;
  return {
    cpuMillicores: q.cpuMillicores,
    memoryBytes: Number(q.memoryBytes),
    storageBytes: Number(q.storageBytes),
    vmCount: q.vmCount,
    diskCount: q.diskCount,
    loadBalancers: q.loadBalancers,
  };
}

/**
 * What one VM takes from the quota: its instance type's vCPU (as millicores) and memory, one VM,
 * one load balancer when external, plus its disks (count and bytes).
 */
export function vmQuotaRequest(opts: { cpu: number; memoryBytes: number; external: boolean; diskBytes: number[] }): QuotaAmounts {
  return {
    cpuMillicores: opts.cpu * 1000,
    memoryBytes: opts.memoryBytes,
    storageBytes: opts.diskBytes.reduce((a, b) => a + b, 0),
    vmCount: 1,
    diskCount: opts.diskBytes.length,
    loadBalancers: opts.external ? 1 : 0,
  };
}

/**
 * A tenant's current usage, read from the cluster as the user (three lists, no cache: the quota
 * check needs what etcd holds now).
 * @throws AppError from the cluster calls (forbidden, cluster_unavailable)
 */
export async function getQuotaUsage(access: TenantAccess): Promise<QuotaAmounts> {
  const namespace = access.tenant.namespace;
  const [instances, disks, types] = await Promise.all([
    kubeRequest<KubeList<VMInstance>>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace }) }),
    kubeRequest<KubeList<VMDisk>>(access.identity, { path: resourcePath(kinds.VMDisk, { namespace }) }),
    kubeRequest<KubeList<VirtualMachineClusterInstancetype>>(access.identity, { path: resourcePath(kinds.VirtualMachineClusterInstancetype) }),
  ]);
  const sizes = new Map(types.items.map((t) => [t.metadata.name, { cpu: t.spec.cpu.guest, memoryBytes: parseQuantity(t.spec.memory.guest) }]));
  const usage = zeroAmounts();
  for (const i of instances.items) {
    // A type removed from the catalogue no longer tells its size: the ResourceQuota still counts it.
    const size = specSize(i.spec, sizes.get(i.spec.instanceType ?? ""));
    usage.cpuMillicores += (size?.cpu ?? 0) * 1000;
    usage.memoryBytes += size?.memoryBytes ?? 0;
    usage.vmCount += 1;
    if (i.spec.external) usage.loadBalancers += 1;
  }
  for (const d of disks.items) {
    usage.diskCount += 1;
    usage.storageBytes += parseQuantity(d.spec.storage ?? defaultDiskStorage);
  }
  return usage;
}

/**
 * What existing VM `name` of `source` takes from a quota (its instance type's or custom size, one
 * VM, a load balancer when external, and its disks' `spec.storage`): what a copy of it (a restore
 * into another tenant) asks of that tenant's quota. Read as the user.
 * @returns the amounts, or null when the VM no longer exists (its size is then unknown)
 * @throws AppError from the cluster calls (forbidden, cluster_unavailable)
 */
export async function existingVmQuotaRequest(source: TenantAccess, name: string): Promise<QuotaAmounts | null> {
  const namespace = source.tenant.namespace;
  const [instance, types] = await Promise.all([
    kubeRequest<VMInstance>(source.identity, { path: resourcePath(kinds.VMInstance, { namespace, name }) }).catch((err) => {
      if (err instanceof AppError && err.code === "not_found") return null;
      throw err;
    }),
    kubeRequest<KubeList<VirtualMachineClusterInstancetype>>(source.identity, { path: resourcePath(kinds.VirtualMachineClusterInstancetype) }),
  ]);
  if (!instance) return null;
  const type = types.items.find((t) => t.metadata.name === instance.spec.instanceType);
  const size = specSize(instance.spec, type ? { cpu: type.spec.cpu.guest, memoryBytes: parseQuantity(type.spec.memory.guest) } : undefined);
  const diskBytes: number[] = [];
  for (const d of instance.spec.disks ?? []) {
    const disk = await kubeRequest<VMDisk>(source.identity, { path: resourcePath(kinds.VMDisk, { namespace, name: d.name }) }).catch(() => null);
    if (disk) diskBytes.push(parseQuantity(disk.spec.storage ?? defaultDiskStorage));
  }
  return vmQuotaRequest({ cpu: size?.cpu ?? 0, memoryBytes: size?.memoryBytes ?? 0, external: Boolean(instance.spec.external), diskBytes });
}

/** The tenant's limits and usage (`GET /api/tenants/{tenant}/quota`). */
export async function getQuotaStatus(access: TenantAccess): Promise<QuotaStatus> {
  const [limits, usage] = await Promise.all([getQuotaLimits(access.tenant.id), getQuotaUsage(access)]);
  return { limits, usage };
}

/**
 * Runs `create` only if `request` fits the tenant's quota, with the tenant's quota lock held from the
 * usage read to the end of `create` (so concurrent creates cannot together exceed the quota; see
 * lock.ts). `create` should call `lease.renew()` before each cluster write.
 * @throws AppError quota_exceeded (403) naming each resource, the request and what remains;
 *   busy (503) when the lock could not be had; whatever `create` throws
 */
export async function createWithinQuota<T>(
  access: TenantAccess,
  request: Partial<QuotaAmounts>,
  create: (lease: QuotaLease) => Promise<T>,
): Promise<T> {
  return withQuotaLock(access.tenant.id, async (lease) => {
    const [limits, usage] = await Promise.all([getQuotaLimits(access.tenant.id), getQuotaUsage(access)]);
    if (limits) {
      const excess = findQuotaExcess(limits, usage, request);
      if (excess.length > 0) {
        const items = excess.map((e): ErrorItem => ({ item: "quotaExcess", params: {
          resource: e.resource, requested: quotaAmount(e.resource, e.requested), used: quotaAmount(e.resource, e.used),
          limit: quotaAmount(e.resource, e.limit), remaining: quotaAmount(e.resource, e.remaining) } }));
        throw new AppError("quota_exceeded", "quota_exceeded", { tenant: access.tenant.name, excess: items });
      }
    }
    await lease.renew();
    return create(lease);
  });
}

/**
 * Creates one VMDisk in the tenant within its quota (one disk, `spec.storage` bytes). The namespace
 * is set from the tenant, whatever `disk.metadata.namespace` says. Meant for the disk routes.
 * @returns the created VMDisk
 * @throws AppError quota_exceeded, busy, and the cluster's answers (conflict, invalid, forbidden)
 */
export async function createVmDiskWithinQuota(access: TenantAccess, disk: VMDisk): Promise<VMDisk> {
  const namespace = access.tenant.namespace;
  const storageBytes = parseQuantity(disk.spec.storage ?? defaultDiskStorage);
  return createWithinQuota(access, { diskCount: 1, storageBytes }, () =>
    kubeRequest<VMDisk>(access.identity, {
      method: "POST",
      path: resourcePath(kinds.VMDisk, { namespace }),
      body: { ...disk, metadata: { ...disk.metadata, namespace } },
    }));
}
