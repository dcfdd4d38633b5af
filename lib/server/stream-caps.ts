/**
 * Per-user caps on long-lived connections: live lists (Server-Sent Events, live-stream.ts) and
 * console/VNC sessions (WebSocket relay, console/relay.ts).
 *
 * Each open connection holds a slot from the moment it is accepted for work until it ends (the
 * browser went away, the stream or socket closed or failed); a user holding `limit` slots of a cap
 * is refused with 429 `too_many_requests` and a message naming the limit, before anything is opened
 * towards the cluster. The slots bound what one user can make ONE portal process hold (watches on
 * the API server, upstream WebSockets, memory, file descriptors): they are counted in this process
 * only, so with N replicas a user may hold up to N × limit in all.
 *
 * Limits come from the environment, read at each acquisition (a positive integer; anything else
 * falls back to the default):
 *   HIKUBE_MAX_STREAMS_PER_USER   live lists (VM and disk lists together), default 8
 *   HIKUBE_MAX_CONSOLES_PER_USER  console and VNC sessions together, default 4
 *
 * The counts live on `globalThis`, not in this module: server.ts (the console relay) and Next's
 * bundle (the route handlers) load their own copies of the module, and development reloads
 * re-evaluate it; a slot taken by one copy must be released into the same count.
 */
import { AppError } from "./errors";
import { processGlobal } from "./process-global";
import type { ApiErrorReason } from "../shared/api-errors";

/** A per-user cap. */
export interface UserCap {
  /** the cap's name, e.g. "live lists" (also the key of its counts) */
  readonly what: string;
  /** the current limit: the environment variable if it is a positive integer, else the default */
  limit(): number;
  /** how many slots `user` holds now */
  count(user: string): number;
  /**
   * Checks that `user` could take a slot now, without taking one (the console page's pre-check).
   * @throws AppError too_many_requests (429), as {@link acquire} would
   */
  assertRoom(user: string): void;
  /**
   * Takes a slot for `user`.
   * @returns a release function (idempotent: only its first call frees the slot)
   * @throws AppError too_many_requests (429) when `user` already holds {@link limit} slots
   */
  acquire(user: string): () => void;
}

function countsOf(what: string): Map<string, number> {
  const all = processGlobal("user-caps", () => new Map<string, Map<string, number>>());
  let counts = all.get(what);
  if (!counts) {
    counts = new Map();
    all.set(what, counts);
  }
  return counts;
}

/**
 * Makes a cap.
 * @param opts.what names the connections, plural ("live lists"): the key of the counts, and the
 *   refusal's `what` when it has no reason of its own
 * @param opts.reason the refusal's reason (params `limit`); default `too_many_open` (params `limit`, `what`)
 * @param opts.envVar the environment variable holding the limit
 * @param opts.defaultLimit the limit when the variable is unset or not a positive integer
 */
export function createUserCap(opts: { what: string; reason?: ApiErrorReason; envVar: string; defaultLimit: number }): UserCap {
  const counts = countsOf(opts.what);
  const limit = () => {
    const raw = process.env[opts.envVar]?.trim();
    const n = raw ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n > 0 ? n : opts.defaultLimit;
  };
  const assertRoom = (user: string) => {
    const max = limit();
    if ((counts.get(user) ?? 0) >= max) {
      throw new AppError("too_many_requests", opts.reason ?? "too_many_open", opts.reason ? { limit: max } : { limit: max, what: opts.what }, { details: { limit: max } });
    }
  };
  return {
    what: opts.what,
    limit,
    count: (user) => counts.get(user) ?? 0,
    assertRoom,
    acquire(user) {
      assertRoom(user);
      counts.set(user, (counts.get(user) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const now = (counts.get(user) ?? 1) - 1;
        if (now > 0) counts.set(user, now);
        else counts.delete(user);
      };
    },
  };
}

/** Live lists (`GET …/vms/events`, `GET …/disks?watch=true`) per user: HIKUBE_MAX_STREAMS_PER_USER, default 8. */
export const liveStreamCap = createUserCap({ what: "live lists", reason: "too_many_live_lists", envVar: "HIKUBE_MAX_STREAMS_PER_USER", defaultLimit: 8 });

/** Console and VNC sessions per user: HIKUBE_MAX_CONSOLES_PER_USER, default 4. */
export const consoleSessionCap = createUserCap({ what: "console sessions", reason: "too_many_consoles", envVar: "HIKUBE_MAX_CONSOLES_PER_USER", defaultLimit: 4 });
