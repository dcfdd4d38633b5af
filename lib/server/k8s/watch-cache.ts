/**
 * A shared, watch-fed cache of one kind in one namespace, read with the portal's own identity
 * (the informer pattern of client-go, reduced to what the portal needs).
 *
 * Used only for the read-only status kinds the portal may read itself (VirtualMachine), and only
 * after the gate has checked the user's level: it saves one API call per VM list without
 * widening anyone's access. Tenant applications (VMInstance, VMDisk) are never cached: they are
 * always read with the user's identity so the cluster's RBAC decides.
 *
 * A cache lists, then watches from the list's resourceVersion; on 410 Gone or a closed watch it
 * lists again; on errors it retries with a backoff (1 s doubling to 10 s) and reports itself not
 * synced, so callers fall back to a direct list. A cache nobody read for 10 minutes stops.
 */
import { kubeRequest } from "./client";
import { portalIdentity } from "./identity";
import { resourcePath, type KindDescriptor } from "./kinds";
import type { KubeList, ObjectMeta } from "./objects";
import { watchCollection, type WatchEnd } from "./watch";

const idleStopMs = 10 * 60_000;

/** One kind in one namespace. */
export class WatchCache<T extends { metadata: ObjectMeta }> {
  private readonly items = new Map<string, T>();
  private synced = false;
  private stopped = false;
  private lastRead = Date.now();
  private backoff = 1000;
  private round: AbortController | null = null;
  private firstSync: Promise<void>;
  private resolveFirstSync!: () => void;
  private readonly idleTimer: NodeJS.Timeout;

  constructor(private readonly kind: KindDescriptor, private readonly namespace: string, private readonly onStop: () => void) {
    this.firstSync = new Promise((resolve) => (this.resolveFirstSync = resolve));
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastRead > idleStopMs) this.stop();
    }, 60_000);
    this.idleTimer.unref();
    void this.run();
  }

  /**
   * The cached objects, or null when the cache is not in sync (the caller lists directly).
   * Waits up to `waitMs` for the first sync.
   */
  async list(waitMs = 2000): Promise<T[] | null> {
    this.lastRead = Date.now();
    if (!this.synced) await Promise.race([this.firstSync, new Promise((r) => setTimeout(r, waitMs))]);
    return this.synced ? [...this.items.values()] : null;
  }

  /** Stops watching and forgets everything. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.synced = false;
    clearInterval(this.idleTimer);
    this.round?.abort();
    this.onStop();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const round = new AbortController();
    this.round = round;
    try {
      const path = resourcePath(this.kind, { namespace: this.namespace });
      const list = await kubeRequest<KubeList<T>>(portalIdentity, { path });
      this.items.clear();
      for (const item of list.items) this.items.set(item.metadata.name, item);
      this.synced = true;
      this.backoff = 1000;
      this.resolveFirstSync();
      watchCollection<T>({
        identity: portalIdentity, path, resourceVersion: list.metadata.resourceVersion, signal: round.signal,
        onEvent: (e) => {
          if (e.type === "DELETED") this.items.delete(e.object.metadata.name);
          else if (e.type === "ADDED" || e.type === "MODIFIED") this.items.set(e.object.metadata.name, e.object);
        },
        onEnd: (end: WatchEnd) => this.restart(round, end.reason === "error"),
      });
    } catch {
      this.restart(round, true);
    }
  }

  private restart(round: AbortController, failed: boolean): void {
    if (this.stopped || round.signal.aborted) return;
    round.abort();
    if (failed) {
      this.synced = false;
      setTimeout(() => void this.run(), this.backoff).unref();
      this.backoff = Math.min(this.backoff * 2, 10_000);
    } else {
      void this.run();
    }
  }
}

const caches = new Map<string, WatchCache<{ metadata: ObjectMeta }>>();

/** The shared cache of `kind` in `namespace`, started on first use. */
export function watchCache<T extends { metadata: ObjectMeta }>(kind: KindDescriptor, namespace: string): WatchCache<T> {
  const key = `${kind.group}/${kind.plural}/${namespace}`;
  let cache = caches.get(key);
  if (!cache) {
    cache = new WatchCache(kind, namespace, () => caches.delete(key));
    caches.set(key, cache);
  }
  return cache as unknown as WatchCache<T>;
}
