import { describe, expect, it } from "vitest";
import { consoleReducer, describeDrop, initialConsoleState, maxReconnectAttempts, reconnectDelay, reconnectDelaysMs, type ConsoleEvent, type ConsoleState } from "./console-state";

const run = (events: ConsoleEvent[], from: ConsoleState = initialConsoleState) => events.reduce(consoleReducer, from);
const connect: ConsoleEvent = { type: "connect", preserveSession: true };

describe("consoleReducer", () => {
  it("connects, then opens", () => {
    const s = run([connect, { type: "opened", generation: 1, now: 5 }]);
    expect(s).toEqual({ kind: "connected", generation: 1, since: 5, preserveSession: true });
  });

  it("turns the relay's close codes into the states the page explains", () => {
    const after = (code: number) => run([connect, { type: "opened", generation: 1, now: 0 }, { type: "closed", generation: 1, code, reason: "r", wasOpen: true, now: 0 }]).kind;
    expect(after(4400)).toBe("notRunning");
    expect(after(4403)).toBe("forbidden");
    expect(after(4410)).toBe("takenOver");
    expect(after(4503)).toBe("sessionInUse");
    expect(after(4001)).toBe("reconnecting");
    expect(after(1006)).toBe("reconnecting");
    // the portal process stopping (a rolling update): reconnect, to another replica
    expect(after(1001)).toBe("reconnecting");
  });

  it("retries an unexpected drop with bounded backoff, preserving the other session", () => {
    let s = run([connect, { type: "opened", generation: 1, now: 0 }, { type: "closed", generation: 1, code: 4001, reason: "upstream closed", wasOpen: true, now: 100 }]);
    expect(s).toMatchObject({ kind: "reconnecting", attempt: 1, retryAt: 100 + reconnectDelay(1), reason: { source: "close", code: 4001, text: "upstream closed" } });
    s = consoleReducer(s, { type: "retry" });
    expect(s).toMatchObject({ kind: "connecting", generation: 2, preserveSession: true, attempt: 1 });
    s = consoleReducer(s, { type: "closed", generation: 2, code: 4502, reason: "cluster unreachable", wasOpen: false, now: 200 });
    expect(s).toMatchObject({ kind: "reconnecting", attempt: 2, retryAt: 200 + reconnectDelay(2) });
    expect(reconnectDelay(50)).toBe(reconnectDelaysMs[reconnectDelaysMs.length - 1]);
  });

  it("gives up after the last attempt", () => {
    let s: ConsoleState = { kind: "reconnecting", generation: 7, attempt: maxReconnectAttempts, retryAt: 0, reason: { source: "close", code: 4001, text: "" } };
    s = consoleReducer(s, { type: "retry" });
    s = consoleReducer(s, { type: "closed", generation: 8, code: 4502, reason: "cluster unreachable", wasOpen: false, now: 0 });
    expect(s).toEqual({ kind: "failed", generation: 8, reason: { source: "close", code: 4502, text: "cluster unreachable" } });
  });

  it("waits for the HTTP check when a socket failed before opening, then explains it", () => {
    const failed = run([connect, { type: "closed", generation: 1, code: 1006, reason: "", wasOpen: false, now: 0 }]);
    expect(failed.kind).toBe("connecting");
    const refusal = { reason: "role_too_low", params: { tenant: "acme", role: "view", needed: "use" } };
    expect(consoleReducer(failed, { type: "checked", generation: 1, status: 403, error: refusal, now: 0 })).toEqual({ kind: "forbidden", generation: 1, error: refusal });
    expect(consoleReducer(failed, { type: "checked", generation: 1, status: 404, now: 0 }).kind).toBe("notFound");
    expect(consoleReducer(failed, { type: "checked", generation: 1, status: 401, now: 0 }).kind).toBe("signedOut");
    expect(consoleReducer(failed, { type: "checked", generation: 1, status: 200, now: 0 }).kind).toBe("reconnecting");
    const cap = { reason: "too_many_consoles", params: { limit: 4 } };
    const capped = consoleReducer(failed, { type: "checked", generation: 1, status: 429, error: cap, now: 0 });
    expect(capped).toMatchObject({ kind: "reconnecting", reason: { source: "check", status: 429, error: cap } });
    expect(describeDrop((capped as Extract<ConsoleState, { kind: "reconnecting" }>).reason)).toEqual({ error: cap });
  });

  it("words a drop by its close code, never with the relay's English reason", () => {
    expect(describeDrop({ source: "close", code: 4001, text: "upstream closed" })).toEqual({ key: "upstreamClosed" });
    expect(describeDrop({ source: "close", code: 4502, text: "cluster unreachable" })).toEqual({ key: "clusterUnreachable" });
    expect(describeDrop({ source: "close", code: 4502, text: "KubeVirt unreachable" })).toEqual({ key: "kubevirtUnreachable" });
    expect(describeDrop({ source: "close", code: 4500, text: "upstream error 500" })).toEqual({ key: "upstreamError", values: { status: "500" } });
    expect(describeDrop({ source: "close", code: 1006, text: "" })).toEqual({ key: "closed", values: { code: 1006 } });
    expect(describeDrop({ source: "close", code: 1001, text: "portal shutting down" })).toEqual({ key: "portalRestarting" });
    expect(describeDrop({ source: "check", status: 0 })).toEqual({ key: "portalUnreachable" });
    expect(describeDrop({ source: "check", status: 200 })).toEqual({ key: "connectionFailed" });
  });

  it("ignores events of a stale socket", () => {
    const s = run([connect, connect, { type: "closed", generation: 1, code: 4400, reason: "", wasOpen: true, now: 0 }]);
    expect(s).toMatchObject({ kind: "connecting", generation: 2 });
    expect(consoleReducer(s, { type: "opened", generation: 1, now: 0 })).toBe(s);
  });

  it("reconnects by itself when a stopped VM runs again", () => {
    const stopped = run([connect, { type: "opened", generation: 1, now: 0 }, { type: "closed", generation: 1, code: 4400, reason: "", wasOpen: true, now: 0 }]);
    expect(consoleReducer(stopped, { type: "vmRunning" })).toMatchObject({ kind: "connecting", generation: 2, preserveSession: true });
    const connected = run([connect, { type: "opened", generation: 1, now: 0 }]);
    expect(consoleReducer(connected, { type: "vmRunning" })).toBe(connected);
  });

  it("takes over only on an explicit connect without preserveSession", () => {
    const inUse = run([connect, { type: "closed", generation: 1, code: 4503, reason: "", wasOpen: false, now: 0 }]);
    expect(inUse.kind).toBe("sessionInUse");
    expect(consoleReducer(inUse, { type: "retry" })).toBe(inUse);
    expect(consoleReducer(inUse, { type: "connect", preserveSession: false })).toMatchObject({ kind: "connecting", preserveSession: false });
  });
});
