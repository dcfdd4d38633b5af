/**
 * A per-tenant lock in the database that serializes quota-checked creates, across every portal
 * process that shares the database.
 *
 * Why a lock and why it is correct
 * --------------------------------
 * A create must (1) read the tenant's usage from the cluster, (2) compare usage + request with the
 * quota, (3) create the objects. Two creates that both do (1) before either does (3) would both
 * pass (2) and together exceed the quota. Holding the tenant's lock from (1) to the end of (3)
 * makes these sections run one at a time per tenant; and because (3) only returns once the API
 * server has stored the objects in etcd, and (1) lists without a resourceVersion (a quorum read
 * from etcd), the next holder's usage always includes every earlier holder's objects. So the
 * quota holds however many requests arrive at once, in one process or many.
 *
 * The lock is a lease on row QuotaLock(tenantId), taken with one conditional UPDATE:
 *
 *   UPDATE "QuotaLock" SET holder = <token>, expiresAt = now + lease
 *   WHERE tenantId = ? AND (holder IS NULL OR expiresAt < now)
 *
 * One row changed = taken; none = someone holds it, wait and retry. That single statement is atomic
 * on both databases: SQLite has one writer at a time; PostgreSQL's READ COMMITTED makes a second
 * UPDATE of the same row wait for the first to commit and then re-check the WHERE clause on the new
 * row version (EvalPlanQual), which no longer matches. No long database transaction is held open
 * across cluster calls (better-sqlite3 has one connection: that would stall every other request).
 *
 * The lease (30 s) frees the lock of a process that died while holding it. A holder that is still
 * working must not outlive its lease unnoticed: {@link QuotaLease.renew} extends it only while the
 * token still holds it, and the create calls it before each cluster write; if it was lost the
 * create stops with a 503 instead of writing outside the lock. Expiry compares the portal
 * processes' clocks, which must agree to well under the lease (NTP does).
 */
import crypto from "node:crypto";
import { getDb } from "../db/db";
import { AppError } from "../errors";
import { metrics } from "../metrics";

/** How long a taken lock stays valid without renewal, in ms. */
export const quotaLeaseMs = 30_000;

/** How long a request waits for the lock before giving up with 503, in ms. */
export const quotaLockWaitMs = 120_000;

/** A held lock. */
export interface QuotaLease {
  tenantId: string;
  token: string;
  /**
   * Extends the lease by {@link quotaLeaseMs} if this token still holds it.
   * @throws AppError busy when the lease was lost (it expired and someone else took it)
   */
  renew(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tryTake(tenantId: string, token: string): Promise<boolean> {
  const db = getDb();
  const now = new Date();
  const taken = await db.quotaLock.updateMany({
    where: { tenantId, OR: [{ holder: null }, { expiresAt: { lt: now } }] },
    data: { holder: token, expiresAt: new Date(now.getTime() + quotaLeaseMs) },
  });
  if (taken.count === 1) return true;
  const exists = await db.quotaLock.findUnique({ where: { tenantId }, select: { tenantId: true } });
  if (exists) return false;
  try {
    // First use for this tenant: create the row already held. A concurrent creator makes this
    // fail on the primary key, and then the row exists for the next attempt.
    await db.quotaLock.create({ data: { tenantId, holder: token, expiresAt: new Date(now.getTime() + quotaLeaseMs) } });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` while holding tenant `tenantId`'s quota lock, then releases it (also on error).
 * Waiters poll with a growing, jittered delay (10 ms up to 100 ms). The time waited is observed in
 * `hikube_quota_lock_wait_seconds` (metrics.ts), outcome `taken` or `timeout`.
 * @throws AppError busy (503) when the lock could not be taken within {@link quotaLockWaitMs};
 *   whatever `fn` throws.
 */
export async function withQuotaLock<T>(tenantId: string, fn: (lease: QuotaLease) => Promise<T>): Promise<T> {
  const token = crypto.randomUUID();
  const started = Date.now();
  const deadline = started + quotaLockWaitMs;
  const waited = (outcome: "taken" | "timeout") => metrics().quotaLockWait.observe({ outcome }, (Date.now() - started) / 1000);
  let delay = 10;
  while (!(await tryTake(tenantId, token))) {
    if (Date.now() > deadline) {
      waited("timeout");
      throw new AppError("busy", "quota_busy");
    }
    await sleep(delay * (0.5 + Math.random()));
    delay = Math.min(100, delay * 1.5);
  }
  waited("taken");
  const db = getDb();
  const lease: QuotaLease = {
    tenantId,
    token,
    async renew() {
      const now = new Date();
      const renewed = await db.quotaLock.updateMany({
        where: { tenantId, holder: token, expiresAt: { gt: now } },
        data: { expiresAt: new Date(now.getTime() + quotaLeaseMs) },
      });
      if (renewed.count !== 1) {
        throw new AppError("busy", "quota_lost_turn");
      }
    },
  };
  try {
    return await fn(lease);
  } finally {
    await db.quotaLock.updateMany({ where: { tenantId, holder: token }, data: { holder: null, expiresAt: new Date() } });
  }
}
