/**
 * The demo data shared by dev mode, the tests and the local cluster: tenants and local accounts.
 *
 * The local cluster creates namespace `tenant-<name>` and its RoleBindings for each tenant here;
 * `prisma/seed.ts` creates the same tenants, the accounts and their memberships in the database.
 * Passwords are for local development only.
 */

/** A seeded tenant: `name` matches `^[a-z][a-z0-9]*$`; its namespace is `tenant-<name>`. */
export interface SeedTenant {
  name: string;
  displayName: string;
}

/** A seeded local account; `memberships` maps tenant names to a level. */
export interface SeedUser {
  username: string;
  displayName: string;
  password: string;
  isPlatformAdmin: boolean;
  memberships: Record<string, "view" | "use" | "admin" | "super-admin">;
}

export const seedTenants: SeedTenant[] = [
  { name: "acme", displayName: "ACME Corporation" },
  { name: "globex", displayName: "Globex" },
];

export const seedUsers: SeedUser[] = [
  { username: "admin", displayName: "Platform admin", password: "admin-password", isPlatformAdmin: true, memberships: {} },
  { username: "alice", displayName: "Alice Martin", password: "alice-password", isPlatformAdmin: false, memberships: { acme: "admin" } },
  { username: "victor", displayName: "Victor Viewer", password: "victor-password", isPlatformAdmin: false, memberships: { acme: "view" } },
  { username: "bob", displayName: "Bob Durand", password: "bob-password", isPlatformAdmin: false, memberships: { globex: "admin" } },
  // A new colleague nobody has added to a tenant yet (the portal's empty state).
  { username: "nora", displayName: "Nora Nouvelle", password: "nora-password", isPlatformAdmin: false, memberships: {} },
];
