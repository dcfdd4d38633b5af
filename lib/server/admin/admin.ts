/**
 * The platform admin's work: tenants (database row + the cluster objects of k8s/tenant-objects.ts),
 * their local members, and their quotas (Quota row + ResourceQuota `tenant-quota`, written
 * together). Cluster calls carry the admin's own identity (`adminIdentity`: group
 * `cozystack-cluster-admin`), so the cluster's RBAC has the last word here too; the portal's own
 * identity can only impersonate.
 */
import { kinds, resourcePath, type KindDescriptor } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import type { KubeIdentity } from "../k8s/identity";
import type { KubeList } from "../k8s/objects";
import {
  tenantLimitRange,
  tenantNamespace,
  tenantNamespaceObject,
  tenantQuotaName,
  tenantResourceQuota,
  tenantRoleBindings,
  type TenantObject,
} from "../k8s/tenant-objects";
import { fromTenantRole, getDb, toTenantRole } from "../db/db";
import { AppError, invalidField } from "../errors";
import { issueProblem, type ErrorItem } from "../../shared/api-errors";
import { hashPassword } from "../auth/password";
import { getQuotaLimits, getQuotaUsage, quotaAmount } from "../quota/quota";
import { withQuotaLock } from "../quota/lock";
import type { TenantAccess, TenantRecord } from "../tenancy/tenancy";
import { createTenantSchema, type AddMemberInput, type AdminMember, type AdminTenant, type CreateTenantInput, type QuotaOverUsageDetails,
  type UpdateQuotaInput } from "../../shared/admin";
import { findOverUsage, type QuotaAmounts, type QuotaStatus } from "../../shared/quota";
import type { TenantRole } from "../../shared/permissions";

const tenantSelect = { id: true, name: true, namespace: true, displayName: true } as const;

function toQuotaData(q: QuotaAmounts) {
  return { ...q, memoryBytes: BigInt(q.memoryBytes), storageBytes: BigInt(q.storageBytes) };
}

/**
 * Tenant `name` as a record.
 * @throws AppError not_found
 */
export async function getTenantOrThrow(name: string): Promise<TenantRecord> {
  const tenant = await getDb().tenant.findUnique({ where: { name }, select: tenantSelect });
  if (!tenant) throw new AppError("not_found", "tenant_not_found", { tenant: name });
  return tenant;
}

/** Every tenant, by name, with its member count and quota. */
export async function listTenants(): Promise<AdminTenant[]> {
  const rows = await getDb().tenant.findMany({
    orderBy: { name: "asc" },
    include: { quota: true, _count: { select: { memberships: true } } },
  });
  return Promise.all(rows.map(async (t) => ({
    name: t.name,
    displayName: t.displayName,
    namespace: t.namespace,
    createdAt: t.createdAt.toISOString(),
    memberCount: t._count.memberships,
    quota: t.quota ? await getQuotaLimits(t.id) : null,
  })));
}

function objectPath(kind: KindDescriptor, obj: TenantObject, withName = false): string {
  return resourcePath(kind, { namespace: obj.metadata.namespace, ...(withName ? { name: obj.metadata.name } : {}) });
}

const kindOf: Record<string, KindDescriptor> = {
  Namespace: kinds.Namespace,
  RoleBinding: kinds.RoleBinding,
  ResourceQuota: kinds.ResourceQuota,
  LimitRange: kinds.LimitRange,
};

/**
 * Creates a tenant: namespace `tenant-<name>`, the four level RoleBindings, ResourceQuota
 * `tenant-quota`, LimitRange `tenant-limits`, then the Tenant and Quota rows (one transaction).
 * When a step fails, what the earlier steps created is deleted again (newest first) and the
 * original error is thrown.
 * @throws AppError invalid (field `name`) when the name is not a tenant name (checked here too, not
 *   only by the route's schema: the namespace and RoleBinding names derive from it, and a bad name
 *   must be reported on the field the admin typed, never on `namespace`); conflict (field `name`)
 *   when the tenant or its namespace exists; the cluster's answers (forbidden, invalid,
 *   cluster_unavailable)
 */
export async function createTenant(identity: KubeIdentity, input: CreateTenantInput): Promise<AdminTenant> {
  const name = createTenantSchema.shape.name.safeParse(input.name);
  if (!name.success) {
    const { problem, params } = issueProblem(name.error.issues[0]);
    throw invalidField("name", problem, params);
  }
  const db = getDb();
  if (await db.tenant.findUnique({ where: { name: input.name }, select: { id: true } })) {
    throw new AppError("conflict", "tenant_exists", { name: input.name }, { field: "name" });
  }
  const objects = [
    tenantNamespaceObject(input.name),
    ...tenantRoleBindings(input.name),
    tenantResourceQuota(input.name, input.quota),
    tenantLimitRange(input.name),
  ];
  const created: TenantObject[] = [];
  try {
    for (const obj of objects) {
      try {
        await kubeRequest(identity, { method: "POST", path: objectPath(kindOf[obj.kind], obj), body: obj });
      } catch (err) {
        if (obj.kind === "Namespace" && err instanceof AppError && err.code === "conflict") {
          throw new AppError("conflict", "namespace_exists", { namespace: obj.metadata.name }, { field: "name" });
        }
        throw err;
      }
      created.push(obj);
    }
    const tenant = await db.$transaction(async (tx) => {
      const t = await tx.tenant.create({ data: { name: input.name, namespace: tenantNamespace(input.name), displayName: input.displayName } });
      await tx.quota.create({ data: { tenantId: t.id, ...toQuotaData(input.quota) } });
      return t;
    });
    return {
      name: tenant.name, displayName: tenant.displayName, namespace: tenant.namespace,
      createdAt: tenant.createdAt.toISOString(), memberCount: 0, quota: input.quota,
    };
  } catch (err) {
    for (const obj of created.reverse()) {
      // the path is built inside the promise: a throw there must neither end the rollback nor hide the original error
      await Promise.resolve().then(() => kubeRequest(identity, { method: "DELETE", path: objectPath(kindOf[obj.kind], obj, true) })).catch(() => {
        /* the rollback's own failure must not hide the original error */
      });
    }
    if (err instanceof AppError) throw err;
    // e.g. a unique constraint of the database: the cluster side is rolled back, say what failed
    throw new AppError("conflict", "tenant_not_recorded", { detail: String(err instanceof Error ? err.message.split("\n").pop() : err) }, { field: "name" });
  }
}

/**
 * Renames tenant `name` (its display name only: the name and namespace never change).
 * @throws AppError not_found
 */
export async function updateTenant(name: string, displayName: string): Promise<AdminTenant> {
  await getTenantOrThrow(name);
  await getDb().tenant.update({ where: { name }, data: { displayName } });
  return (await listTenants()).find((t) => t.name === name)!;
}

/**
 * Deletes tenant `name` when it holds no VMInstance and no VMDisk: its namespace (and so its
 * RoleBindings, ResourceQuota and LimitRange), then its row (memberships, quota; audit rows stay,
 * with the tenant's name).
 * @throws AppError invalid (field `confirm`) when `confirm` is not the tenant's name; not_found;
 *   conflict when the tenant is not empty (says what is left)
 */
export async function deleteTenant(identity: KubeIdentity, name: string, confirm: string): Promise<void> {
  if (confirm !== name) throw invalidField("confirm", "confirmName", { name });
  const tenant = await getTenantOrThrow(name);
  const namespace = tenant.namespace;
  const [vms, disks] = await Promise.all([
    kubeRequest<KubeList<unknown>>(identity, { path: resourcePath(kinds.VMInstance, { namespace }) }),
    kubeRequest<KubeList<unknown>>(identity, { path: resourcePath(kinds.VMDisk, { namespace }) }),
  ]).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "not_found") {
      const empty: KubeList<unknown> = { metadata: { resourceVersion: "" }, items: [] };
      return [empty, empty];
    }
    throw err;
  });
  if (vms.items.length > 0 || disks.items.length > 0) {
    throw new AppError("conflict", "tenant_not_empty", { tenant: name, vms: vms.items.length, disks: disks.items.length });
  }
  await kubeRequest(identity, { method: "DELETE", path: resourcePath(kinds.Namespace, { name: namespace }) }).catch((err: unknown) => {
    if (!(err instanceof AppError && err.code === "not_found")) throw err;
  });
  await getDb().tenant.delete({ where: { id: tenant.id } });
}

/** The local accounts that are members of tenant `name`, by username. */
export async function listMembers(name: string): Promise<AdminMember[]> {
  const tenant = await getTenantOrThrow(name);
  const rows = await getDb().membership.findMany({
    where: { tenantId: tenant.id },
    include: { user: { select: { username: true, displayName: true } } },
    orderBy: { user: { username: "asc" } },
  });
  return rows.map((m) => ({ username: m.user.username, displayName: m.user.displayName, level: toTenantRole(m.role), source: "local" as const }));
}

/**
 * Adds a local account to tenant `name` with `level`. An unknown username becomes a new local
 * account when `password` (and optionally `displayName`) is given.
 * @throws AppError not_found (tenant); invalid (field `password`) for an unknown username without
 *   a password; conflict (field `username`) when already a member
 */
export async function addMember(name: string, input: AddMemberInput): Promise<AdminMember> {
  const db = getDb();
  const tenant = await getTenantOrThrow(name);
  let user = await db.user.findUnique({ where: { username: input.username } });
  if (!user) {
    if (!input.password) throw invalidField("password", "passwordForNewAccount", { username: input.username });
    const passwordHash = await hashPassword(input.password);
    user = await db.user.create({ data: { username: input.username, displayName: input.displayName ?? input.username, passwordHash } });
  }
  const existing = await db.membership.findUnique({ where: { userId_tenantId: { userId: user.id, tenantId: tenant.id } } });
  if (existing) throw new AppError("conflict", "already_member", { username: input.username, tenant: name, level: toTenantRole(existing.role) }, { field: "username" });
  await db.membership.create({ data: { userId: user.id, tenantId: tenant.id, role: fromTenantRole(input.level) } });
  return { username: user.username, displayName: user.displayName, level: input.level, source: "local" };
}

async function getMembershipOrThrow(name: string, username: string) {
  const tenant = await getTenantOrThrow(name);
  const m = await getDb().membership.findFirst({ where: { tenantId: tenant.id, user: { username } }, include: { user: true } });
  if (!m) throw new AppError("not_found", "not_member", { username, tenant: name });
  return m;
}

/**
 * Changes a member's level.
 * @throws AppError not_found (tenant or membership)
 */
export async function updateMember(name: string, username: string, level: TenantRole): Promise<AdminMember> {
  const m = await getMembershipOrThrow(name, username);
  await getDb().membership.update({ where: { id: m.id }, data: { role: fromTenantRole(level) } });
  return { username: m.user.username, displayName: m.user.displayName, level, source: "local" };
}

/**
 * Removes a member from a tenant (the account itself stays).
 * @throws AppError not_found (tenant or membership)
 */
export async function removeMember(name: string, username: string): Promise<void> {
  const m = await getMembershipOrThrow(name, username);
  await getDb().membership.delete({ where: { id: m.id } });
}

function adminAccess(identity: KubeIdentity, tenant: TenantRecord): TenantAccess {
  return { tenant, role: "super-admin", identity };
}

/** Tenant `name`'s limits and usage, for the quota form. */
export async function getTenantQuota(identity: KubeIdentity, name: string): Promise<QuotaStatus> {
  const tenant = await getTenantOrThrow(name);
  const [limits, usage] = await Promise.all([getQuotaLimits(tenant.id), getQuotaUsage(adminAccess(identity, tenant))]);
  return { limits, usage };
}

/**
 * Saves tenant `name`'s quota: the Quota row and ResourceQuota `tenant-quota` together (the
 * cluster write happens inside the database transaction, so a refused cluster write leaves the
 * row unchanged). Runs under the tenant's quota lock, so no create checks against a half-saved
 * quota. Limits below the current usage are saved only with `confirmOverUsage`.
 * @throws AppError conflict with `details: { over }` listing what is over when not confirmed;
 *   not_found; the cluster's answers
 */
export async function updateTenantQuota(identity: KubeIdentity, name: string, input: UpdateQuotaInput): Promise<QuotaStatus> {
  const tenant = await getTenantOrThrow(name);
  const { confirmOverUsage, ...limits } = input;
  return withQuotaLock(tenant.id, async () => {
    const usage = await getQuotaUsage(adminAccess(identity, tenant));
    const over = findOverUsage(limits, usage);
    if (over.length > 0 && !confirmOverUsage) {
      const items = over.map((e): ErrorItem => ({ item: "quotaOver", params: { resource: e.resource, used: quotaAmount(e.resource, e.used), limit: quotaAmount(e.resource, e.limit) } }));
      throw new AppError("conflict", "quota_below_usage", { tenant: name, over: items }, { details: { over } satisfies QuotaOverUsageDetails });
    }
    const rq = tenantResourceQuota(name, limits);
    const rqPath = resourcePath(kinds.ResourceQuota, { namespace: tenant.namespace, name: tenantQuotaName });
    await getDb().$transaction(async (tx) => {
      await tx.quota.upsert({ where: { tenantId: tenant.id }, create: { tenantId: tenant.id, ...toQuotaData(limits) }, update: toQuotaData(limits) });
      try {
        await kubeRequest(identity, { method: "PATCH", path: rqPath, body: { spec: rq.spec }, contentType: "application/merge-patch+json" });
      } catch (err) {
        if (!(err instanceof AppError && err.code === "not_found")) throw err;
        await kubeRequest(identity, { method: "POST", path: resourcePath(kinds.ResourceQuota, { namespace: tenant.namespace }), body: rq });
      }
    });
    return { limits, usage };
  });
}
