/**
 * Watches a collection from a list's resourceVersion (`?watch=1`), with an explicit identity.
 *
 * The API server answers with newline-delimited JSON `WatchEvent`s. When the resourceVersion is
 * too old it sends an ERROR event with a `Status` of code 410 (Gone): the caller must list again
 * (k8s.io/apimachinery/pkg/watch, "Efficient detection of changes" in the API concepts docs).
 */
import https from "node:https";
import { getConnection } from "./connection";
import { impersonationHeaders, type KubeIdentity } from "./identity";
import { errorFromStatus, requestUrl, unavailableError } from "./client";
import type { WatchEvent } from "./objects";
import { AppError } from "../errors";
import { metrics } from "../metrics";

/** How a watch ended: `gone` (410, list again), an error, or normally (server timeout / abort). */
export type WatchEnd = { reason: "gone" } | { reason: "error"; error: AppError } | { reason: "closed" };

/**
 * Starts a watch; `onOpen` when the API server accepted it, then events in order to `onEvent`, then
 * `onEnd` once.
 * @param path collection path from kinds.ts `resourcePath()`
 * @param resourceVersion the list's `metadata.resourceVersion`
 * @param signal aborting it closes the watch (onEnd gets `closed`)
 */
export function watchCollection<T>(opts: {
  identity: KubeIdentity;
  path: string;
  resourceVersion: string;
  signal: AbortSignal;
  onEvent: (event: WatchEvent<T>) => void;
  onEnd: (end: WatchEnd) => void;
  /** the API server accepted the watch (HTTP 200): events follow from `resourceVersion` on */
  onOpen?: () => void;
}): void {
  let ended = false;
  // open watches by resource (the path's last segment: a plural resource name, never a namespace)
  let counted: (() => void) | null = null;
  const end = (e: WatchEnd) => {
    if (ended) return;
    ended = true;
    counted?.();
    opts.onEnd(e);
  };
  getConnection().then(
    (conn) => {
      if (opts.signal.aborted) return end({ reason: "closed" });
      const url = requestUrl(conn.server, {
        path: opts.path,
        query: { watch: 1, resourceVersion: opts.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
      });
      const gauge = metrics().upstreamWatches.labels({ resource: opts.path.split("?")[0].split("/").pop() || "unknown" });
      gauge.inc();
      counted = () => gauge.dec();
      const req = https.request(url, {
        method: "GET",
        agent: conn.longLivedAgent,
        headers: { Accept: "application/json", ...conn.authHeaders, ...impersonationHeaders(opts.identity) },
      }, (res) => {
        if (res.statusCode !== 200) {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => end(res.statusCode === 410 ? { reason: "gone" } : { reason: "error", error: errorFromStatus(res.statusCode ?? 0, body) }));
          return;
        }
        opts.onOpen?.();
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const event = JSON.parse(line) as WatchEvent<T>;
            if (event.type === "ERROR") {
              const status = event.object as { code?: number };
              end(status.code === 410 ? { reason: "gone" } : { reason: "error", error: errorFromStatus(status.code ?? 500, JSON.stringify(status)) });
              req.destroy();
              return;
            }
            opts.onEvent(event);
          }
        });
        res.on("end", () => end({ reason: "closed" }));
        res.on("error", (err) => end(opts.signal.aborted ? { reason: "closed" } : { reason: "error", error: unavailableError(err) }));
      });
      req.on("error", (err) => end(opts.signal.aborted ? { reason: "closed" } : { reason: "error", error: unavailableError(err) }));
      opts.signal.addEventListener("abort", () => req.destroy(), { once: true });
      req.end();
    },
    (err) => end({ reason: "error", error: unavailableError(err) }),
  );
}
