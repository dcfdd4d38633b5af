/**
 * Which tenants a principal belongs to, at which level, and the cluster identity that goes with
 * it. Authorization lives in the query (documenso's habit): a tenant the user is not a member of
 * is simply not found, and the routes answer 404 so its existence does not leak.
 */
import { getDb, toTenantRole } from "../db/db";
import type { Principal } from "../auth/auth";
import type { KubeIdentity } from "../k8s/identity";
import { platformAdminGroup, rolesFromGroups, tenantGroup, type TenantRole } from "../../shared/permissions";

/** A tenant as routes see it; `namespace` is always `tenant-<name>`, read from the database. */
export interface TenantRecord {
  id: string;
  name: string;
  namespace: string;
  displayName: string;
}

/** A principal's access to one tenant. */
export interface TenantAccess {
  tenant: TenantRecord;
  role: TenantRole;
  /** the identity cluster calls for this tenant carry (impersonation) */
  identity: KubeIdentity;
}

/**
 * The cluster identity of a principal acting in `tenant` with `role`: the username and the groups
 * the cluster's RoleBindings know (`tenant-<name>-<level>`, `cozystack-cluster-admin`). OIDC users
 * keep exactly their token's groups.
 */
export function clusterIdentity(principal: Principal, tenant: string, role: TenantRole): KubeIdentity {
  if (principal.source === "oidc") return { type: "user", username: principal.username, groups: principal.groups };
  const groups = principal.isPlatformAdmin ? [platformAdminGroup] : [tenantGroup(tenant, role)];
  return { type: "user", username: principal.username, groups };
}

/**
 * The cluster identity of a platform admin acting outside any one tenant (the admin pages): local
 * admins carry group `cozystack-cluster-admin` (bound to cluster-admin, as in Cozystack); OIDC
 * admins keep their token's groups, which include it.
 */
export function adminIdentity(principal: Principal): KubeIdentity {
  if (principal.source === "oidc") return { type: "user", username: principal.username, groups: principal.groups };
  return { type: "user", username: principal.username, groups: [platformAdminGroup] };
}

/** The tenants a principal may open, with its level in each, sorted by name. */
export async function listTenantAccess(principal: Principal): Promise<{ tenant: TenantRecord; role: TenantRole }[]> {
  const db = getDb();
  const select = { id: true, name: true, namespace: true, displayName: true } as const;
  if (principal.isPlatformAdmin) {
    const tenants = await db.tenant.findMany({ select, orderBy: { name: "asc" } });
    return tenants.map((tenant) => ({ tenant, role: "super-admin" as const }));
  }
  if (principal.source === "oidc") {
    const roles = rolesFromGroups(principal.groups);
    const tenants = await db.tenant.findMany({ where: { name: { in: Object.keys(roles) } }, select, orderBy: { name: "asc" } });
    return tenants.map((tenant) => ({ tenant, role: roles[tenant.name] }));
  }
  const memberships = await db.membership.findMany({
    where: { userId: principal.userId! },
    select: { role: true, tenant: { select } },
    orderBy: { tenant: { name: "asc" } },
  });
  return memberships.map((m) => ({ tenant: m.tenant, role: toTenantRole(m.role) }));
}

/**
 * The principal's access to tenant `name`, or null when the tenant does not exist or the principal
 * is not a member (the caller answers 404 in both cases).
 */
export async function getTenantAccess(principal: Principal, name: string): Promise<TenantAccess | null> {
  if (!/^[a-z][a-z0-9]*$/.test(name)) return null;
  const db = getDb();
  const select = { id: true, name: true, namespace: true, displayName: true } as const;
  let found: { tenant: TenantRecord; role: TenantRole } | null = null;
  if (principal.isPlatformAdmin) {
    const tenant = await db.tenant.findUnique({ where: { name }, select });
    found = tenant && { tenant, role: "super-admin" };
  } else if (principal.source === "oidc") {
    const role = rolesFromGroups(principal.groups)[name];
    const tenant = role ? await db.tenant.findUnique({ where: { name }, select }) : null;
    found = tenant && { tenant, role };
  } else {
    const m = await db.membership.findFirst({ where: { userId: principal.userId!, tenant: { name } }, select: { role: true, tenant: { select } } });
    found = m && { tenant: m.tenant, role: toTenantRole(m.role) };
  }
  return found && { ...found, identity: clusterIdentity(principal, found.tenant.name, found.role) };
}
