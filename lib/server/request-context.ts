/**
 * The request being served, for the logs and the audit rows: server.ts runs each HTTP request and
 * WebSocket upgrade inside {@link runWithRequest}, and whatever runs on its behalf (Next's route
 * handlers, the console relay, database writes) reads {@link currentRequestId} without it being
 * passed along. Every log line written meanwhile carries `requestId` (logger.ts), and so does the
 * audit row (audit.ts); the answer carries it as `X-Request-Id`, so a user's report, the log lines
 * and the audit row can be put together.
 *
 * The id is the incoming `X-Request-Id` only behind a trusted proxy (TRUST_PROXY=1: ingress-nginx
 * sets one per request) and only when it looks like an id (1–128 characters of `A-Za-z0-9._:-`);
 * otherwise the portal makes one (a random UUID), so a client cannot write what it likes into the
 * logs and the audit table.
 *
 * The store lives on `globalThis`: server.ts and Next's bundle load their own copies of this module
 * (process-global.ts), and both must read the same store.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import { processGlobal } from "./process-global";

/** What is known of the request being served. */
export interface RequestContext {
  /** the request id, also in the answer's `X-Request-Id` */
  requestId: string;
}

function storage(): AsyncLocalStorage<RequestContext> {
  return processGlobal("request-context", () => new AsyncLocalStorage<RequestContext>());
}

/** Runs `fn` (and everything it starts) as part of the request `context`. */
export function runWithRequest<T>(context: RequestContext, fn: () => T): T {
  return storage().run(context, fn);
}

/** The id of the request being served, or undefined outside of one (start-up, timers). */
export function currentRequestId(): string | undefined {
  return storage().getStore()?.requestId;
}

const idPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a new request: the incoming `X-Request-Id` when the proxy in front is trusted and the
 * value looks like an id, else a random UUID.
 */
export function requestIdFor(incoming: string | string[] | undefined, trustProxy: boolean): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  if (trustProxy && value && idPattern.test(value)) return value;
  return crypto.randomUUID();
}
