/**
 * Console and VNC session leases in the database, so that several portal replicas agree on who
 * holds a VM's session (one per VM and protocol, as KubeVirt keeps it).
 *
 * Why: KubeVirt drops the older upstream connection when a newer one arrives on the same VM
 * (serial console always; VNC unless the newer asked `preserveSession=true`:
 * kubevirt pkg/virt-api/rest/subresource.go, pkg/virt-handler/rest/console.go). A relay that sees
 * its upstream drop cannot tell a takeover from an outage, and an outage makes the browser
 * reconnect, which would steal the session back. Within one process the relay knows its own
 * sessions (relay.ts `replacing`); across replicas it reads this row:
 *
 *   - a new session without `preserveSession` {@link claim}s the row (taking it over) BEFORE it
 *     connects upstream, so the row names the newer holder by the time KubeVirt drops the older
 *     connection; the older replica, seeing its upstream drop, asks {@link heldByAnother} and tells
 *     its browser 4410 "session taken over" instead of 4001;
 *   - a reconnect with `preserveSession=true` {@link claimIfFree}s it: a live row of another holder
 *     means the session is in use (4503), as KubeVirt answers for VNC;
 *   - the holder {@link renew}s the row every {@link renewEveryMs} and {@link release}s it when the
 *     session ends (also first thing on shutdown, so a browser reconnecting to another replica finds
 *     it free); a crashed holder's row is ignored once `expiresAt` passed.
 *
 * Each statement is a single-row write or read, atomic on SQLite and PostgreSQL alike (see
 * lib/server/quota/lock.ts for the same pattern). Expiry compares the replicas' clocks (NTP).
 */
import crypto from "node:crypto";
import { getDb } from "../db/db";
import { logger } from "../logger";

/** How long a lease stays valid without renewal, in ms. */
export const consoleLeaseMs = 30_000;
/** How often an open session renews its lease, in ms. */
export const renewEveryMs = 10_000;

/** A new holder id (one per relayed session). */
export function newHolderId(): string {
  return crypto.randomUUID();
}

const expiry = () => new Date(Date.now() + consoleLeaseMs);

/**
 * Takes the session's row for `holder`, whoever held it (a takeover).
 * @param key `<namespace>/<vm>/<console|vnc>`
 * @throws the database's error (the relay then refuses the session: it cannot coordinate)
 */
export async function claim(key: string, holder: string): Promise<void> {
  await getDb().consoleLease.upsert({
    where: { key },
    create: { key, holder, expiresAt: expiry() },
    update: { holder, expiresAt: expiry() },
  });
}

/**
 * Takes the row only when nobody else holds it live (missing, expired, or already `holder`'s).
 * @returns false when another holder's lease is still valid
 */
export async function claimIfFree(key: string, holder: string): Promise<boolean> {
  const db = getDb();
  const now = new Date();
  const taken = await db.consoleLease.updateMany({
    where: { key, OR: [{ holder }, { expiresAt: { lt: now } }] },
    data: { holder, expiresAt: expiry() },
  });
  if (taken.count === 1) return true;
  try {
    await db.consoleLease.create({ data: { key, holder, expiresAt: expiry() } });
    return true;
  } catch {
    // the row exists (a live holder), or a concurrent claimer created it first
    return false;
  }
}

/**
 * Whether a holder other than `holder` has a valid lease on the session: what an upstream drop
 * means. A database error counts as "no" (the browser then reconnects, as after an outage).
 */
export async function heldByAnother(key: string, holder: string): Promise<boolean> {
  try {
    const row = await getDb().consoleLease.findUnique({ where: { key } });
    return !!row && row.holder !== holder && row.expiresAt.getTime() > Date.now();
  } catch (err) {
    logger.warn({ err }, "console lease: read failed");
    return false;
  }
}

/** Extends `holder`'s lease; does nothing when another holder took the row. Errors are logged only. */
export async function renew(key: string, holder: string): Promise<void> {
  try {
    await getDb().consoleLease.updateMany({ where: { key, holder }, data: { expiresAt: expiry() } });
  } catch (err) {
    logger.warn({ err }, "console lease: renewal failed");
  }
}

/** Gives the row back when `holder` still has it. Errors are logged only (the lease then expires). */
export async function release(key: string, holder: string): Promise<void> {
  try {
    await getDb().consoleLease.deleteMany({ where: { key, holder } });
  } catch (err) {
    logger.warn({ err }, "console lease: release failed");
  }
}
