/**
 * The Server-Sent Events transport of the live lists (VMs: vms/stream.ts, disks: disks/stream.ts).
 *
 * The caller gives one `round`: list what it shows, send a `snapshot`, then start its watches with
 * the round's `signal` and `onEnd`, sending `upsert` / `remove` as objects change. This module runs
 * rounds: when a watch of the current round ends (410 Gone, closed by the server) it starts a new
 * round at once (a fresh snapshot); when the cluster is unreachable (a failed list or watch) it
 * sends `unavailable` (the error answer's `{ code, reason, params, message }`) and retries with a bounded backoff (1 s doubling to 5 s, reset
 * by {@link LiveRound.listed}). A comment line every 20 s keeps proxies from closing the idle
 * stream. Everything stops when the request's `signal` aborts (the browser went away) or the
 * response body is cancelled.
 *
 * When the portal process stops (lib/server/lifecycle.ts), every stream ends: a last `retry: 1000`
 * field asks the browser's EventSource to reconnect after 1 s (instead of its own 3 to 5 s), and
 * the response ends; the reconnect reaches another replica and starts with a fresh snapshot.
 *
 * Open streams are counted in `hikube_live_streams_open{list=<area>}` (metrics.ts).
 *
 * Each stream holds one of its user's live-list slots (stream-caps.ts, HIKUBE_MAX_STREAMS_PER_USER)
 * from the call until it stops; over the cap the call throws 429 before any list or watch starts.
 */
import { AppError } from "./errors";
import { logger } from "./logger";
import { liveStreamCap } from "./stream-caps";
import { onShutdown } from "./lifecycle";
import { metrics } from "./metrics";
import type { WatchEnd } from "./k8s/watch";
import type { TenantAccess } from "./tenancy/tenancy";

/**
 * The longest wait between two rounds while the cluster is unreachable: 5 s, so that a page sees
 * the list again within seconds of the API server coming back.
 */
const maxBackoffMs = 5_000;

/**
 * Whose slot a tenant's live list takes: the username the user acts as in the cluster (the same
 * person in every tenant, the console relay's `principal.username`).
 */
export function streamUser(access: TenantAccess): string {
  return access.identity.type === "user" ? access.identity.username : "portal";
}

/** What one round of a live list gets. */
export interface LiveRound {
  /** sends one event; its `data:` line is `data` as JSON */
  send(event: string, data: unknown): void;
  /** aborted when this round ends: pass it to the round's watches */
  signal: AbortSignal;
  /** pass to the round's watches: the first end of any of them ends the round */
  onEnd(end: WatchEnd): void;
  /** the round's lists succeeded: the next failure starts the backoff from 1 s again */
  listed(): void;
}

/**
 * Opens a live list stream.
 * @param opts.area, opts.tenant name the stream in the server log
 * @param opts.user whose live-list slot the stream holds (the cluster username the user acts as)
 * @param opts.round one round (see the module doc); a thrown error counts as the cluster being
 *   unreachable
 * @returns a `text/event-stream` Response
 * @throws AppError too_many_requests (429) when `opts.user` already has the most live lists open
 */
export function liveListStream(opts: { signal: AbortSignal; area: string; tenant: string; user: string; round: (r: LiveRound) => Promise<void> }): Response {
  const { signal } = opts;
  const encoder = new TextEncoder();
  const log = logger.child({ area: opts.area, tenant: opts.tenant });
  const release = liveStreamCap.acquire(opts.user);
  // Ends the stream and frees its slot; replaced once the stream has started (idempotent).
  let stop = release;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // the body is gone (errored or cancelled): nothing more can be sent
          stop();
        }
      };
      const send = (event: string, data: unknown) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const heartbeat = setInterval(() => write(`: keep-alive\n\n`), 20_000);
      let round: AbortController | null = null;
      let backoff = 1000;

      // Bound to one round: the second watch of an aborted round must not restart the next round.
      const restartAfter = (ended: AbortController) => (end: WatchEnd) => {
        if (closed || signal.aborted || ended.signal.aborted) return;
        ended.abort();
        if (end.reason === "error") {
          send("unavailable", end.error.toBody().error);
          setTimeout(run, backoff);
          backoff = Math.min(backoff * 2, maxBackoffMs);
        } else {
          setTimeout(run, 0);
        }
      };

      const run = async () => {
        if (closed || signal.aborted) return;
        const current = new AbortController();
        round = current;
        const onEnd = restartAfter(current);
        try {
          await opts.round({ send, signal: current.signal, onEnd, listed: () => (backoff = 1000) });
        } catch (err) {
          const error = err instanceof AppError ? err : new AppError("cluster_unavailable", "cluster_failure", { detail: String(err) });
          log.warn({ err: error.message }, "list failed");
          onEnd({ reason: "error", error });
        }
      };

      const gauge = metrics().liveStreams.labels({ list: opts.area });
      gauge.inc();
      const unregister = onShutdown("live-stream", () => {
        write("retry: 1000\n\n");
        stop();
      });
      stop = () => {
        if (closed) return;
        closed = true;
        gauge.dec();
        unregister();
        release();
        signal.removeEventListener("abort", stop);
        clearInterval(heartbeat);
        round?.abort();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      if (signal.aborted) return stop();
      signal.addEventListener("abort", stop, { once: true });
      void run();
    },
    // The consumer gave up on the body (Next cancels it when the connection closes).
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no" },
  });
}
