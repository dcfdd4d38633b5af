/**
 * The permission table: which tenant level each action needs (safe for the browser).
 *
 * Levels follow Cozystack (../shared/spec/cluster-contract.md, "Tenancy and access"):
 * view < use < admin < super-admin; each level includes the ones below. Platform admins
 * (group `cozystack-cluster-admin`, or a local account flagged as platform admin) act as
 * super-admin in every tenant. The cluster's RBAC stays the final authority; this table lets the
 * portal answer first with a clear message.
 */

/** Tenant levels, lowest first. */
export const tenantRoles = ["view", "use", "admin", "super-admin"] as const;

/** One tenant level. */
export type TenantRole = (typeof tenantRoles)[number];

/** Every action a route can require, as `resource.verb`, and the lowest level allowed. */
export const permissionTable = {
  "vm.read": "view",
  "vm.power": "use",
  "vm.console": "use",
  "vm.create": "admin",
  "vm.delete": "admin",
  "vm.update": "admin",
  "disk.read": "view",
  "disk.create": "admin",
  "disk.update": "admin",
  "disk.delete": "admin",
  "catalogue.read": "view",
  "quota.read": "view",
  "audit.read": "admin",
  // Cozystack's cozy:backups:view (tenant view) and cozy:backups:admin (tenant admin) roles.
  "backup.read": "view",
  "backup.create": "admin",
  "backup.schedule": "admin",
  "backup.restore": "admin",
} as const satisfies Record<string, TenantRole>;

/** An action of {@link permissionTable}. */
export type Permission = keyof typeof permissionTable;

/** Whether `role` is at least `minimum`. */
export function isRoleAtLeast(role: TenantRole, minimum: TenantRole): boolean {
  return tenantRoles.indexOf(role) >= tenantRoles.indexOf(minimum);
}

/** Whether a member with `role` may perform `permission`. */
export function can(role: TenantRole, permission: Permission): boolean {
  return isRoleAtLeast(role, permissionTable[permission]);
}

/** The highest of several levels (a user in several groups of one tenant), or null for none. */
export function highestRole(roles: TenantRole[]): TenantRole | null {
  return roles.reduce<TenantRole | null>((best, r) => (best === null || isRoleAtLeast(r, best) ? r : best), null);
}

/** The OIDC group that grants `role` in tenant `tenant`, e.g. `tenant-acme-admin`. */
export function tenantGroup(tenant: string, role: TenantRole): string {
  return `tenant-${tenant}-${role}`;
}

/** The OIDC group of platform admins. */
export const platformAdminGroup = "cozystack-cluster-admin";

/**
 * Reads the tenant levels out of OIDC groups: `tenant-<name>-<level>` (tenant names match
 * `^[a-z][a-z0-9]*$`, so the first `-` after the name separates it from the level).
 * @returns tenant name → highest level found
 */
export function rolesFromGroups(groups: string[]): Record<string, TenantRole> {
  const out: Record<string, TenantRole> = {};
  for (const g of groups) {
    const m = /^tenant-([a-z][a-z0-9]*)-(view|use|admin|super-admin)$/.exec(g);
    if (!m) continue;
    const [, tenant, role] = m as unknown as [string, string, TenantRole];
    out[tenant] = highestRole([role, ...(out[tenant] ? [out[tenant]] : [])])!;
  }
  return out;
}
