/**
 * Sign-in throttling for local accounts, per username and per client address, with growing
 * delays, on rate-limiter-flexible's Prisma store (RateLimiterPrisma, table RateLimiterFlexible):
 * the counters live in the database, so every portal process counts the same attempts.
 *
 * The rule (OWASP Authentication Cheat Sheet, "Login Throttling"):
 * - failures are counted per username (case-folded) in a window of {@link SIGNIN_WINDOW_SECONDS}
 *   from the first failure, and per client address in a window of an hour;
 * - the first {@link FREE_FAILURES_PER_USER} failures of a username (and
 *   {@link FREE_FAILURES_PER_ADDRESS} of an address) cost nothing; each further failure blocks the
 *   username (address) for a delay that doubles from 1 s up to {@link MAX_DELAY_SECONDS};
 * - while blocked, every attempt is refused before the password is looked at (the right password
 *   too) and is not counted, so a user's wait is bounded by the last delay;
 * - a successful sign-in clears its username's failures (not its address's: an attacker's own
 *   account must not reset the address counter).
 * Unknown usernames are counted like known ones, so the throttle says nothing about which exist.
 */
import { RateLimiterPrisma } from "rate-limiter-flexible";
import { getDb } from "../db/db";

/** Window of the per-username failure count, in seconds (15 min). */
export const SIGNIN_WINDOW_SECONDS = 15 * 60;
/** Failures of one username before delays start. */
export const FREE_FAILURES_PER_USER = 5;
/** Failures from one client address (any usernames) per hour before delays start. */
export const FREE_FAILURES_PER_ADDRESS = 20;
/** The longest delay, in seconds (15 min). */
export const MAX_DELAY_SECONDS = 15 * 60;

interface Limiters {
  byUser: RateLimiterPrisma;
  byAddress: RateLimiterPrisma;
  blocks: RateLimiterPrisma;
}
let limiters: Limiters | undefined;

function getLimiters(): Limiters {
  if (limiters) return limiters;
  // The store addresses the model by its client accessor (prismaClient[tableName]).
  const common = { storeClient: getDb(), tableName: "rateLimiterFlexible" };
  limiters = {
    byUser: new RateLimiterPrisma({ ...common, keyPrefix: "signin-fail-user", points: 1_000_000, duration: SIGNIN_WINDOW_SECONDS }),
    byAddress: new RateLimiterPrisma({ ...common, keyPrefix: "signin-fail-addr", points: 1_000_000, duration: 60 * 60 }),
    // a blocked key holds points + 1 = 2 until its block ends
    blocks: new RateLimiterPrisma({ ...common, keyPrefix: "signin-block", points: 1, duration: 1 }),
  };
  return limiters;
}

/** The username as counted: trimmed, case-folded, at most 128 characters. */
function userKey(username: string): string {
  return `u:${username.trim().toLowerCase().slice(0, 128)}`;
}

function addressKey(address: string): string {
  return `a:${address.slice(0, 64)}`;
}

/**
 * Delay after the `failures`-th failure with `free` free ones, in seconds: 0 up to `free`, then
 * 1, 2, 4, … capped at {@link MAX_DELAY_SECONDS}.
 */
export function delayAfter(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(2 ** Math.min(failures - free - 1, 20), MAX_DELAY_SECONDS);
}

/**
 * Whether a sign-in attempt must wait.
 * @param address the client address (null when unknown: only the username counts)
 * @returns null when the attempt may go on; otherwise the seconds to wait (at least 1)
 * @throws whatever the database throws (the caller refuses the sign-in: failing closed)
 */
export async function signinWait(username: string, address: string | null): Promise<number | null> {
  const { blocks } = getLimiters();
  const keys = [userKey(username), ...(address ? [addressKey(address)] : [])];
  let waitMs = 0;
  for (const key of keys) {
    const res = await blocks.get(key);
    if (res && res.consumedPoints > blocks.points) waitMs = Math.max(waitMs, res.msBeforeNext);
  }
  return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : null;
}

/**
 * Counts one failed sign-in and blocks the username and/or address when over its free failures.
 * @returns the delay now imposed on this username, in seconds (0 = none yet)
 */
export async function recordSigninFailure(username: string, address: string | null): Promise<number> {
  const { byUser, byAddress, blocks } = getLimiters();
  const failures = (await byUser.penalty(userKey(username), 1)).consumedPoints;
  const userDelay = delayAfter(failures, FREE_FAILURES_PER_USER);
  if (userDelay > 0) await blocks.block(userKey(username), userDelay);
  if (address) {
    const fromAddress = (await byAddress.penalty(addressKey(address), 1)).consumedPoints;
    const addressDelay = delayAfter(fromAddress, FREE_FAILURES_PER_ADDRESS);
    if (addressDelay > 0) await blocks.block(addressKey(address), addressDelay);
  }
  return userDelay;
}

/** Clears a username's failures after a successful sign-in. */
export async function recordSigninSuccess(username: string): Promise<void> {
  const { byUser } = getLimiters();
  await byUser.delete(userKey(username));
}
