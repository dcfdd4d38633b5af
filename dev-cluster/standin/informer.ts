/**
 * List-then-watch of one collection with the admin client (dev and tests only): the stand-in's
 * controller learns about every object through it. On 410 Gone or a closed watch it lists again
 * and reports objects that vanished meanwhile as deleted; on errors it retries after 1 s.
 * Source for the protocol: Kubernetes API concepts, "Efficient detection of changes".
 */
import https from "node:https";
import { request, type AdminClient } from "../kube";

/** A Kubernetes object as the informer sees it. */
export interface InformedObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; deletionTimestamp?: string };
  [key: string]: unknown;
}

/** Callbacks of an informer; `key` is `namespace/name` (or `name` when cluster-scoped). */
export interface InformerHandler<T extends InformedObject> {
  upsert(key: string, obj: T): void;
  remove(key: string, obj: T): void;
}

/** The key of an object: `namespace/name`. */
export function keyOf(obj: InformedObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

/**
 * Starts informing about `collectionPath` (e.g. `/apis/apps.cozystack.io/v1alpha1/vminstances`
 * for every namespace) until `signal` aborts.
 * @returns a promise resolved after the first list has been delivered
 */
export function inform<T extends InformedObject>(client: AdminClient, collectionPath: string, handler: InformerHandler<T>, signal: AbortSignal): Promise<void> {
  const known = new Map<string, T>();
  let firstListed: () => void;
  const first = new Promise<void>((r) => (firstListed = r));

  const watch = (resourceVersion: string): Promise<void> =>
    new Promise((resolve) => {
      const url = `${client.server}${collectionPath}?watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}&timeoutSeconds=240`;
      const req = https.get(url, { agent: client.agent }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          res.on("end", () => resolve());
          return;
        }
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const event = JSON.parse(line) as { type: string; object: T };
            if (event.type === "ERROR") {
              req.destroy();
              return resolve();
            }
            if (event.type === "BOOKMARK") continue;
            const key = keyOf(event.object);
            if (event.type === "DELETED") {
              known.delete(key);
              handler.remove(key, event.object);
            } else {
              known.set(key, event.object);
              handler.upsert(key, event.object);
            }
          }
        });
        res.on("end", () => resolve());
        res.on("error", () => resolve());
      });
      req.on("error", () => resolve());
      signal.addEventListener("abort", () => req.destroy(), { once: true });
    });

  void (async () => {
    while (!signal.aborted) {
      try {
        const res = await request(client, "GET", collectionPath);
        if (res.status !== 200) throw new Error(`list ${collectionPath}: ${res.status}`);
        const list = JSON.parse(res.body) as { metadata: { resourceVersion: string }; items: T[] };
        const seen = new Set<string>();
        for (const item of list.items) {
          const key = keyOf(item);
          seen.add(key);
          known.set(key, item);
          handler.upsert(key, item);
        }
        for (const [key, obj] of known) {
          if (!seen.has(key)) {
            known.delete(key);
            handler.remove(key, obj);
          }
        }
        firstListed!();
        await watch(list.metadata.resourceVersion);
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  return first;
}
