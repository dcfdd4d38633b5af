/**
 * Database access for the portal: the Prisma client (generated into lib/generated/prisma by
 * `tsx scripts/db-setup.ts`) bound to the driver adapter that matches DATABASE_URL.
 *
 * SERVER-ONLY. This module must never be imported from client components. It deliberately does not
 * `import "server-only"`: that import throws outside Next's react-server build, and this module is
 * also used by tsx scripts (scripts/db-setup.ts, prisma/seed.ts) and vitest.
 *
 * Prisma 6.19 runs here in "JS engine" mode (engineType = "client"): no native query engine; the
 * client talks to the database through @prisma/adapter-better-sqlite3 or @prisma/adapter-pg.
 * BigInt columns (Quota.memoryBytes, Quota.storageBytes) come back as `bigint`: convert them before
 * JSON serialisation.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import type { TenantRole as DbTenantRoleType } from "../../generated/prisma/enums";
import type { TenantRole } from "../../shared/permissions";
import {
  ensureSqliteDirectory,
  getDatabaseProvider,
  getSqliteFilePath,
  resolveDatabaseUrl,
} from "./database-url";

export { Prisma, PrismaClient } from "../../generated/prisma/client";
export { resolveDatabaseUrl, getDatabaseProvider } from "./database-url";
export type { DatabaseProvider } from "./database-url";

/** The generated Prisma client type (tenants, users, memberships, quotas, audit logs). */
export type Db = PrismaClient;

/** Tenant levels (view < use < admin < super-admin) are defined once, in the permission table. */
export type { TenantRole } from "../../shared/permissions";

/**
 * A tenant role as the Prisma client spells it (`super_admin`: enum values cannot contain '-').
 * The database column itself stores "super-admin" (enum value @map).
 */
export type DbTenantRole = DbTenantRoleType;

/** Outcome of an audited action, stored in AuditLog.result. */
export type AuditResult = "success" | "failure" | "denied";

/** Every audit result value. */
export const AUDIT_RESULTS = ["success", "failure", "denied"] as const satisfies readonly AuditResult[];

/**
 * Converts a role read through Prisma (`super_admin`) to the application spelling (`super-admin`).
 *
 * @example toTenantRole(membership.role) // "super-admin"
 */
export function toTenantRole(role: DbTenantRole): TenantRole {
  return role === "super_admin" ? "super-admin" : role;
}

/**
 * Converts an application role (`super-admin`) to the value Prisma expects in queries (`super_admin`).
 *
 * @example db.membership.create({ data: { userId, tenantId, role: fromTenantRole("super-admin") } })
 */
export function fromTenantRole(role: TenantRole): DbTenantRole {
  return role === "super-admin" ? "super_admin" : role;
}

/**
 * Creates a new, uncached Prisma client for a database URL (scripts and tests that need their own
 * database; the application uses {@link getDb}). The caller owns it and should `$disconnect()` it.
 *
 * @param databaseUrl `file:/path.db` (SQLite through better-sqlite3; relative paths are resolved
 *   against the project root, and the file's folder is created) or `postgres[ql]://…` (PostgreSQL
 *   through pg). Defaults to {@link resolveDatabaseUrl}(): DATABASE_URL, else `.local/dev.db`.
 * @throws Error for an unsupported URL scheme. Connection errors surface on the first query.
 */
export function createDbClient(databaseUrl?: string): PrismaClient {
  const url = databaseUrl ? resolveDatabaseUrl({ DATABASE_URL: databaseUrl }) : resolveDatabaseUrl();
  if (getDatabaseProvider(url) === "sqlite") {
    ensureSqliteDirectory(url);
    return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: getSqliteFilePath(url) ?? ":memory:" }) });
  }
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

const globalForDb = globalThis as typeof globalThis & { __hikubeDb?: PrismaClient };
let cachedDb: PrismaClient | undefined;

/**
 * Returns the process-wide Prisma client for DATABASE_URL (default `file:<root>/.local/dev.db`),
 * creating it on first use. In development it is kept on `globalThis` so that Next's hot reload
 * does not open a new connection (pool) for every reloaded module.
 */
export function getDb(): PrismaClient {
  cachedDb ??= globalForDb.__hikubeDb ?? createDbClient();
  if (process.env.NODE_ENV !== "production") globalForDb.__hikubeDb = cachedDb;
  return cachedDb;
}

/**
 * Disconnects and forgets the client returned by {@link getDb} (end of scripts and test suites);
 * the next {@link getDb} call creates a new one, re-reading DATABASE_URL.
 */
export async function disconnectDb(): Promise<void> {
  const db = cachedDb ?? globalForDb.__hikubeDb;
  cachedDb = undefined;
  delete globalForDb.__hikubeDb;
  await db?.$disconnect();
}
