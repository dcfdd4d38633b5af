/**
 * Seeds the demo tenants, local accounts, memberships and quotas of prisma/seed-data.ts.
 *
 * Idempotent: running it again leaves the same rows. Tenants, users and the seeded memberships are
 * brought back to the seed-data values; passwords are re-hashed only when the stored hash no longer
 * matches the seed password; quotas are created when missing but never overwritten (so quota edits
 * made in dev mode survive a restart). Rows not described by seed-data.ts are left alone.
 *
 * Usage: `tsx prisma/seed.ts` (uses DATABASE_URL, default .local/dev.db), or `seedDatabase(db)`
 * from scripts/db-setup.ts and tests. The database must be migrated first.
 */
import type { Db } from "../lib/server/db/db";
import { fromTenantRole } from "../lib/server/db/db";
import { hashPassword, verifyPassword } from "../lib/server/auth/password";
import { seedTenants, seedUsers, type SeedTenant, type SeedUser } from "./seed-data";

const GiB = 1024n ** 3n;

/** Quota given to every seeded tenant (units as in the Quota model). */
export const defaultSeedQuota = {
  /** 16 vCPU. */
  cpuMillicores: 16_000,
  memoryBytes: 64n * GiB,
  storageBytes: 500n * GiB,
  vmCount: 20,
  diskCount: 40,
  loadBalancers: 5,
} as const;

/** What {@link seedDatabase} did, for logging. */
export interface SeedSummary {
  tenants: number;
  users: number;
  memberships: number;
  /** Quotas created by this run (existing ones are kept). */
  quotasCreated: number;
  /** Users whose password hash was (re)written by this run. */
  passwordsHashed: number;
}

/**
 * Upserts the seed tenants, users, memberships and default quotas into `db`.
 *
 * @param db A Prisma client on a migrated database (e.g. getDb() or createDbClient(url)).
 * @param data Tenants and users to seed; prisma/seed-data.ts by default.
 * @throws Error when a user's membership names a tenant that is not in `data.tenants`.
 */
export async function seedDatabase(
  db: Db,
  data: { tenants: SeedTenant[]; users: SeedUser[] } = { tenants: seedTenants, users: seedUsers },
): Promise<SeedSummary> {
  const summary: SeedSummary = { tenants: 0, users: 0, memberships: 0, quotasCreated: 0, passwordsHashed: 0 };
  const tenantIds = new Map<string, string>();

  for (const t of data.tenants) {
    const fields = { namespace: `tenant-${t.name}`, displayName: t.displayName };
    const tenant = await db.tenant.upsert({ where: { name: t.name }, create: { name: t.name, ...fields }, update: fields });
    tenantIds.set(t.name, tenant.id);
    summary.tenants++;
    const quota = await db.quota.findUnique({ where: { tenantId: tenant.id }, select: { id: true } });
    if (!quota) {
      await db.quota.create({ data: { tenantId: tenant.id, ...defaultSeedQuota } });
      summary.quotasCreated++;
    }
  }

  for (const u of data.users) {
    const existing = await db.user.findUnique({ where: { username: u.username } });
    const isHashCurrent = existing ? await verifyPassword(u.password, existing.passwordHash) : false;
    const passwordHash = isHashCurrent ? undefined : await hashPassword(u.password);
    if (passwordHash) summary.passwordsHashed++;
    const fields = { displayName: u.displayName, isPlatformAdmin: u.isPlatformAdmin };
    const user = existing
      ? await db.user.update({ where: { id: existing.id }, data: { ...fields, ...(passwordHash ? { passwordHash } : {}) } })
      : await db.user.create({ data: { username: u.username, passwordHash: passwordHash ?? null, ...fields } });
    summary.users++;

    for (const [tenantName, role] of Object.entries(u.memberships)) {
      const tenantId = tenantIds.get(tenantName);
      if (!tenantId) throw new Error(`Seed user ${u.username} is a member of unknown tenant ${tenantName}`);
      await db.membership.upsert({
        where: { userId_tenantId: { userId: user.id, tenantId } },
        create: { userId: user.id, tenantId, role: fromTenantRole(role) },
        update: { role: fromTenantRole(role) },
      });
      summary.memberships++;
    }
  }
  return summary;
}

async function main(): Promise<void> {
  const { disconnectDb, getDb } = await import("../lib/server/db/db");
  try {
    const s = await seedDatabase(getDb());
    console.log(
      `seed: ${s.tenants} tenants, ${s.users} users, ${s.memberships} memberships, ` +
        `${s.quotasCreated} quotas created, ${s.passwordsHashed} passwords hashed`,
    );
  } finally {
    await disconnectDb();
  }
}

// Run directly (`tsx prisma/seed.ts`). Not by file URL: in the image this module is inlined into
// scripts/db-setup.mjs, where import.meta.url is the entry's own and would match.
if (process.argv[1] && /[/\\]seed\.[cm]?[jt]s$/.test(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
