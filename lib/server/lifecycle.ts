/**
 * The portal process's shutdown, shared by server.ts and the route handlers of Next's bundle.
 *
 * On SIGTERM (Kubernetes stopping the pod) or SIGINT, server.ts (its `shutdown`) runs:
 *
 *   1. draining, at once: `/readyz` answers 503, so the load balancer (kube-proxy's endpoints,
 *      the ingress) stops sending new work; everything else is still served, since requests
 *      already on their way must not fail;
 *   2. after HIKUBE_SHUTDOWN_DELAY_SECONDS (default 5: endpoint removal reaches every node within
 *      a few seconds): closing: the listener closes, a request arriving on a kept-alive
 *      connection is answered 503 with `Connection: close`, new WebSocket upgrades likewise; the
 *      live lists registered here ({@link onShutdown} "live-stream") end, so the browser's
 *      EventSource reconnects (to another replica); console sessions get close code 1001 and the
 *      console page reconnects by itself; requests in flight run to their end;
 *   3. the process exits 0 once every connection has ended, or at HIKUBE_SHUTDOWN_TIMEOUT_SECONDS
 *      after the signal (default 25, below Kubernetes' default 30 s grace period; the chart's
 *      `terminationGracePeriodSeconds` is that plus 5) with whatever is still open cut off, and
 *      exit code 1 so the cut is visible.
 *
 * The state lives on `globalThis`, not in this module: server.ts and Next's bundle load their own
 * copies of it (process-global.ts), and a live list opened by a route handler must be
 * ended by server.ts.
 */
import { processGlobal } from "./process-global";

/** What the process is doing: serving, draining (only `/readyz` changed) or closing. */
export type Phase = "serving" | "draining" | "closing";

interface LifecycleState {
  phase: Phase;
  /** things to end when closing, by kind ("live-stream"): each an end function */
  hooks: Map<string, Set<() => void>>;
}

function state(): LifecycleState {
  return processGlobal<LifecycleState>("lifecycle", () => ({ phase: "serving", hooks: new Map() }));
}

/** The process's phase (see the module doc). */
export function phase(): Phase {
  return state().phase;
}

/** Moves to `next`; never back (a phase later than the current one only). */
export function enterPhase(next: Phase): void {
  const order: Phase[] = ["serving", "draining", "closing"];
  const s = state();
  if (order.indexOf(next) > order.indexOf(s.phase)) s.phase = next;
}

/**
 * Registers `end`, to be called once when the process starts closing ({@link endAll}).
 * @param kind what it is, e.g. "live-stream" (counted in the shutdown log)
 * @returns an unregister function, for when the thing ended by itself (idempotent)
 */
export function onShutdown(kind: string, end: () => void): () => void {
  const hooks = state().hooks;
  let set = hooks.get(kind);
  if (!set) hooks.set(kind, (set = new Set()));
  const entry = () => end();
  set.add(entry);
  return () => void set.delete(entry);
}

/**
 * Calls every registered end function of `kind` once and forgets them; a failing one is skipped.
 * @returns how many there were
 */
export function endAll(kind: string): number {
  const set = state().hooks.get(kind);
  if (!set) return 0;
  const ends = [...set];
  set.clear();
  for (const end of ends) {
    try {
      end();
    } catch {
      /* one broken stream must not keep the others open */
    }
  }
  return ends.length;
}

/** How long the shutdown phases last, in milliseconds. */
export interface ShutdownTimings {
  /** from the signal to closing (HIKUBE_SHUTDOWN_DELAY_SECONDS, default 5) */
  delayMs: number;
  /** from the signal to the forced exit (HIKUBE_SHUTDOWN_TIMEOUT_SECONDS, default 25) */
  timeoutMs: number;
}

/**
 * Reads the shutdown timings: non-negative numbers of seconds (fractions allowed); anything else
 * falls back to the default. The delay is capped at the timeout.
 */
export function shutdownTimings(env: Record<string, string | undefined> = process.env): ShutdownTimings {
  const seconds = (value: string | undefined, fallback: number) => {
    const n = value === undefined || value.trim() === "" ? NaN : Number(value);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  const timeoutMs = seconds(env.HIKUBE_SHUTDOWN_TIMEOUT_SECONDS, 25) * 1000;
  const delayMs = Math.min(seconds(env.HIKUBE_SHUTDOWN_DELAY_SECONDS, 5) * 1000, timeoutMs);
  return { delayMs, timeoutMs };
}
