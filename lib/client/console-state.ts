/**
 * The console page's connection state machine, shared by the serial console and VNC (one machine,
 * one child per protocol: components/console/*). Pure: the component runs the timers and sockets
 * and feeds events in; every event carries the generation of the socket it came from, so events
 * of a stale socket (an older attempt, a replaced RFB session) are ignored.
 *
 * States:
 *   connecting   → a socket of generation `generation` is opening
 *   connected    → it is open
 *   reconnecting → an unexpected drop, or 1001 (the portal process stopping: the reconnect
 *                  reaches another replica); the next attempt is due at `retryAt` (bounded backoff)
 *   notRunning   → the VM has no running instance (relay 4400); reconnects when the VM runs
 *   sessionInUse → another session holds this console (4503); the user may take it over
 *   takenOver    → a newer session elsewhere replaced this one (4410); the user may take it back
 *   forbidden / notFound / signedOut / failed → final until the user acts
 *   closed       → the user disconnected
 *
 * Close codes come from lib/server/console/relay.ts.
 */
import { consoleCloseCodes } from "../shared/console";

/** Delays between automatic reconnect attempts, in milliseconds (the last one repeats). */
export const reconnectDelaysMs = [1000, 1500, 2000, 3000, 5000] as const;

/** After this many failed automatic attempts in a row the machine stops in `failed`. */
export const maxReconnectAttempts = 24;

/** While the VM is not running, the page also retries this often (the VM stream may lag). */
export const notRunningRetryMs = 15_000;

/**
 * Why a console dropped, for the page to word in the user's language ({@link describeDrop}): a
 * socket's close (its code and the relay's reason text), or the answer of the page's HTTP check
 * (its status, 0 when the portal is unreachable, and the API error it carried).
 */
export type ConsoleDropReason =
  | { source: "close"; code: number; text: string }
  | { source: "check"; status: number; error?: unknown };

/** One state of {@link consoleReducer}. `generation` tags the socket the state is about. */
export type ConsoleState =
  | { kind: "idle"; generation: number }
  | { kind: "connecting"; generation: number; preserveSession: boolean; attempt: number }
  | { kind: "connected"; generation: number; since: number; preserveSession: boolean }
  | { kind: "reconnecting"; generation: number; attempt: number; retryAt: number; reason: ConsoleDropReason }
  /** `message`: KubeVirt's own words for a 409 (e.g. "VMI is in failed status"), cluster data */
  | { kind: "notRunning"; generation: number; message?: string }
  | { kind: "sessionInUse"; generation: number }
  | { kind: "takenOver"; generation: number }
  /** `error`: the HTTP check's refusal (an ApiError), when there was one */
  | { kind: "forbidden"; generation: number; error?: unknown }
  | { kind: "notFound"; generation: number }
  | { kind: "signedOut"; generation: number }
  | { kind: "failed"; generation: number; reason: ConsoleDropReason }
  | { kind: "closed"; generation: number };

/**
 * Events. `connect` starts a new generation: `preserveSession: false` takes an existing session
 * over (explicit user action), automatic reconnects always preserve.
 * `closed` is a socket's close (`wasOpen`: it had opened); `checked` is the answer of the plain
 * HTTP check the page makes when a socket failed before opening (its status: 200, 401, 403, 404,
 * or 0 when unreachable).
 */
export type ConsoleEvent =
  | { type: "connect"; preserveSession: boolean }
  | { type: "opened"; generation: number; now: number }
  | { type: "closed"; generation: number; code: number; reason: string; wasOpen: boolean; now: number }
  | { type: "checked"; generation: number; status: number; error?: unknown; now: number }
  | { type: "retry" }
  | { type: "vmRunning" }
  | { type: "disconnect" };

/** The delay before automatic attempt `attempt` (1-based), in milliseconds. */
export function reconnectDelay(attempt: number): number {
  return reconnectDelaysMs[Math.min(Math.max(attempt, 1), reconnectDelaysMs.length) - 1];
}

/** The initial state: nothing opened yet. */
export const initialConsoleState: ConsoleState = { kind: "idle", generation: 0 };

/** The next state. Events about another generation than the state's are ignored. */
export function consoleReducer(state: ConsoleState, event: ConsoleEvent): ConsoleState {
  const next = state.generation + 1;
  switch (event.type) {
    case "connect":
      return { kind: "connecting", generation: next, preserveSession: event.preserveSession, attempt: 0 };
    case "disconnect":
      return { kind: "closed", generation: next };
    case "retry":
      if (state.kind === "reconnecting") return { kind: "connecting", generation: next, preserveSession: true, attempt: state.attempt };
      if (state.kind === "notRunning") return { kind: "connecting", generation: next, preserveSession: true, attempt: 0 };
      return state;
    case "vmRunning":
      return state.kind === "notRunning" ? { kind: "connecting", generation: next, preserveSession: true, attempt: 0 } : state;
  }
  if (event.generation !== state.generation) return state;
  switch (event.type) {
    case "opened":
      return state.kind === "connecting"
        ? { kind: "connected", generation: state.generation, since: event.now, preserveSession: state.preserveSession }
        : state;
    case "closed":
      return afterClose(state, event);
    case "checked":
      return afterCheck(state, event);
  }
}

function attemptOf(state: ConsoleState): number {
  return state.kind === "connecting" || state.kind === "reconnecting" ? state.attempt : 0;
}

function scheduleRetry(state: ConsoleState, reason: ConsoleDropReason, now: number): ConsoleState {
  const attempt = attemptOf(state) + 1;
  if (attempt > maxReconnectAttempts) return { kind: "failed", generation: state.generation, reason };
  return { kind: "reconnecting", generation: state.generation, attempt, retryAt: now + reconnectDelay(attempt), reason };
}

function afterClose(state: ConsoleState, event: Extract<ConsoleEvent, { type: "closed" }>): ConsoleState {
  if (state.kind !== "connecting" && state.kind !== "connected") return state;
  const g = state.generation;
  switch (event.code) {
    case consoleCloseCodes.notRunning:
      return { kind: "notRunning", generation: g };
    case consoleCloseCodes.conflict:
      return { kind: "notRunning", generation: g, message: event.reason };
    case consoleCloseCodes.forbidden:
      return { kind: "forbidden", generation: g };
    case consoleCloseCodes.takenOver:
      return { kind: "takenOver", generation: g };
    case consoleCloseCodes.sessionInUse:
      return { kind: "sessionInUse", generation: g };
  }
  // A socket that never opened may have been refused as plain HTTP (401/403/404), which the
  // browser hides: stay in `connecting` until the page's check answers (event `checked`).
  if (!event.wasOpen && event.code === 1006) return state;
  // A session that had been open starts counting attempts afresh.
  const from = state.kind === "connected" ? { ...state, kind: "connecting" as const, attempt: 0, preserveSession: true } : state;
  return scheduleRetry(from, { source: "close", code: event.code, text: event.reason }, event.now);
}

function afterCheck(state: ConsoleState, event: Extract<ConsoleEvent, { type: "checked" }>): ConsoleState {
  if (state.kind !== "connecting") return state;
  const g = state.generation;
  if (event.status === 401) return { kind: "signedOut", generation: g };
  if (event.status === 403) return { kind: "forbidden", generation: g, error: event.error };
  if (event.status === 404) return { kind: "notFound", generation: g };
  // too many sessions of this user (stream-caps.ts): retrying is right once one is closed; the
  // check's error says why
  return scheduleRetry(state, { source: "check", status: event.status, error: event.error }, event.now);
}

/** The words of a drop: a message key of the `ConsoleReasons` namespace, an API error, or the upstream's own text. */
export type DropDescription =
  | { key: "upstreamClosed" | "clusterUnreachable" | "kubevirtUnreachable" | "portalUnreachable" | "connectionFailed" | "portalRestarting" }
  | { key: "upstreamError"; values: { status: string } }
  | { key: "closed"; values: { code: number } }
  | { error: unknown }
  | { text: string };

/**
 * How the page words a drop (the relay's close codes: lib/server/console/relay.ts). Only a normal
 * close (1000) keeps its reason text: KubeVirt's own words, cluster data.
 */
export function describeDrop(reason: ConsoleDropReason): DropDescription {
  if (reason.source === "check") {
    if (reason.status === 0) return { key: "portalUnreachable" };
    if (reason.error && reason.status !== 200) return { error: reason.error };
    return { key: "connectionFailed" };
  }
  switch (reason.code) {
    case consoleCloseCodes.upstreamClosed:
      return { key: "upstreamClosed" };
    case consoleCloseCodes.unreachable:
      return reason.text === "KubeVirt unreachable" ? { key: "kubevirtUnreachable" } : { key: "clusterUnreachable" };
    case consoleCloseCodes.upstreamError:
      return { key: "upstreamError", values: { status: /\d+/.exec(reason.text)?.[0] ?? "?" } };
    // the portal process stopping (relay.ts closeConsoleSessions): the page reconnects, to
    // another replica
    case 1001:
      return { key: "portalRestarting" };
    case 1000:
      if (reason.text) return { text: reason.text };
  }
  return { key: "closed", values: { code: reason.code } };
}
