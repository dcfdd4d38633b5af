"use client";

import { useEffect, useRef, useState } from "react";
import type { ApiErrorBody } from "@/lib/shared/api-errors";

/**
 * State of a live list's stream:
 * - `connecting`: the stream has not delivered its first snapshot yet;
 * - `live`: events are arriving;
 * - `unavailable`: the portal says the cluster is unreachable (it keeps retrying);
 * - `reconnecting`: the connection to the portal dropped; the browser (or this hook) reconnects.
 */
export type LiveListStatus = "connecting" | "live" | "unavailable" | "reconnecting";

/** What a live list does with the stream's events (lib/server/live-stream.ts). */
export interface LiveListHandlers<T> {
  snapshot(items: T[]): void;
  upsert(item: T): void;
  remove(name: string): void;
  /** the browser gave up on the stream (an error answer such as 401): refresh what it showed */
  closed(): void;
}

/** How long to wait before reopening a stream the browser gave up on (e.g. after a 401/503). */
const reopenDelayMs = 5_000;

function parse<T>(e: Event): T | null {
  try {
    return JSON.parse((e as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}

/** Why a live list is `unavailable`: the server's error body (lib/shared/api-errors.ts). */
export type LiveListError = Partial<ApiErrorBody["error"]>;

/**
 * Follows a live list's Server-Sent Events at `url` while mounted (`snapshot` T[], `current` {}
 * (the rows held are current), `upsert` T, `remove` {name}, `unavailable` {code, reason, params, message}) and hands them to `handlers` (the latest ones, so they
 * may close over render state). EventSource reconnects by itself after a drop; after an error
 * answer it stops, and this hook calls `handlers.closed()` and reopens after 5 s.
 * @returns the stream's status and, while `unavailable`, the error (an API error body, for
 *   lib/client/api-error-message.ts)
 */
export function useLiveList<T>(url: string, handlers: LiveListHandlers<T>): { status: LiveListStatus; error: LiveListError | null } {
  const [state, setState] = useState<{ url: string; status: LiveListStatus; error: LiveListError | null }>({ url, status: "connecting", error: null });
  const handlersRef = useRef(handlers);
  useEffect(() => {
    handlersRef.current = handlers;
  });

  useEffect(() => {
    let source: EventSource | null = null;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    const set = (status: LiveListStatus, error: LiveListError | null = null) => setState({ url, status, error });
    const open = () => {
      if (disposed) return;
      const es = new EventSource(url);
      source = es;
      es.addEventListener("snapshot", (e) => {
        const items = parse<T[]>(e);
        if (!items) return;
        handlersRef.current.snapshot(items);
        set("live");
      });
      // The rows the page already holds (rendered on the server) are current: nothing to replace.
      es.addEventListener("current", () => set("live"));
      es.addEventListener("upsert", (e) => {
        const item = parse<T>(e);
        if (!item) return;
        set("live");
        handlersRef.current.upsert(item);
      });
      es.addEventListener("remove", (e) => {
        const removed = parse<{ name: string }>(e);
        if (!removed) return;
        set("live");
        handlersRef.current.remove(removed.name);
      });
      es.addEventListener("unavailable", (e) => set("unavailable", parse<LiveListError>(e)));
      es.onerror = () => {
        setState((s) => (s.url === url && s.status === "unavailable" ? s : { url, status: "reconnecting", error: null }));
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          handlersRef.current.closed();
          reopenTimer = setTimeout(open, reopenDelayMs);
        }
      };
    };
    open();
    return () => {
      disposed = true;
      clearTimeout(reopenTimer);
      source?.close();
    };
  }, [url]);

  return state.url === url ? { status: state.status, error: state.error } : { status: "connecting", error: null };
}
