/**
 * Shared, watch-fed caches of the tenant kinds, read with the portal's own identity (client-go's
 * reflector and informer, reduced to what the portal needs): one list + one watch per tenant
 * namespace and kind, however many requests and open pages read it.
 *
 * - **Started on first use** ({@link watchCache}), **stopped when idle**: a cache that has no
 *   subscriber (an open live list) and was not read for {@link cacheIdleMs} (5 minutes) closes its
 *   watch and forgets its objects.
 * - **Consistent with resourceVersions**: it lists, then watches from the list's
 *   `metadata.resourceVersion`; every event and BOOKMARK moves its resourceVersion on. A watch the
 *   API server closes (its `timeoutSeconds`, a restart) is resumed from the last resourceVersion;
 *   "410 Gone" (that version left the API server's window) makes it list again and hand the
 *   difference to its subscribers as upserts and removes (k8s.io/client-go/tools/cache/reflector.go,
 *   "Efficient detection of changes" in the API concepts).
 * - **Synced only while its watch is open**: between a watch's end and the API server accepting
 *   the next one, {@link WatchCache.snapshot} waits (up to its `waitMs`) and then answers null, so
 *   callers read the cluster directly and an unreachable API server is a 503, never a stale list.
 *   Failures retry after 0.5 s, doubling up to 2 s (±20 %), so an open page sees the next change
 *   within a few seconds of the API server coming back; while failing, reads do not wait for it.
 * - **Holding only what the portal shows**: each kind has a projection ({@link CachedKind}) that
 *   keeps the fields of the list rows (the VM list's name, sizes, state, disks; the disk list's
 *   source, size, phase and progress), so memory grows with the number of objects, not their size.
 *
 * The cache reads with the portal's identity, so it must never be served to a user the cluster
 * would refuse: tenant applications (VMInstance, VMDisk) are served only after a
 * SubjectAccessReview for that user (access-review.ts); status kinds (VirtualMachine,
 * VirtualMachineInstance, DataVolume) only after the gate checked the user's level, as before.
 */
import { kubeRequest, unavailableError } from "./client";
import { portalIdentity } from "./identity";
import { kinds, resourcePath, type KindDescriptor } from "./kinds";
import type { DataVolume, KubeList, ObjectMeta, VMDisk, VMInstance, VirtualMachine, WatchEvent } from "./objects";
import { watchCollection, type WatchEnd } from "./watch";
import { AppError } from "../errors";
import { logger } from "../logger";
import { processGlobal } from "../process-global";

/** How long a cache with no subscriber and no read lives on: 5 minutes. */
export const cacheIdleMs = 5 * 60_000;

/** What a cache's subscribers hear: object changes, and whether the cache can be trusted. */
export type CacheEvent<T> =
  | { type: "upsert"; object: T }
  | { type: "remove"; name: string }
  /** the watch failed (cluster unreachable, refused…): the cache retries by itself */
  | { type: "unavailable"; error: AppError }
  /** the cache is in sync again after `unavailable` (its changes were sent as upserts/removes) */
  | { type: "synced" };

/** A kind the cache holds, and the projection that keeps only the fields the portal shows. */
export interface CachedKind<T extends { metadata: ObjectMeta }> {
  kind: KindDescriptor;
  /** the object as the cache keeps it: a copy with only the fields the lists read */
  project(object: T): T;
}

/** The metadata every projection keeps. */
function projectMeta(m: ObjectMeta): ObjectMeta {
  return {
    name: m.name,
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    ...(m.creationTimestamp ? { creationTimestamp: m.creationTimestamp } : {}),
    ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
  };
}

/** A VirtualMachineInstance as the cache keeps it: its phase and IP addresses. */
export interface CachedVirtualMachineInstance {
  metadata: ObjectMeta;
  status?: { phase?: string; interfaces?: { name?: string; ipAddress?: string }[] };
}

/** The projections of the five tenant kinds (field names from ../../../shared spec, cluster-contract.md). */
export const cachedKinds = {
  /** the VM list's row (lib/server/vms/vms.ts toVmSummary) and the disk list's attachments */
  VMInstance: {
    kind: kinds.VMInstance,
    project: (o: VMInstance): VMInstance => {
      const ready = o.status?.conditions?.find((c) => c.type === "Ready");
      const s = o.spec ?? {};
      return {
        apiVersion: o.apiVersion, kind: o.kind, metadata: projectMeta(o.metadata),
        spec: {
          ...(s.instanceType !== undefined ? { instanceType: s.instanceType } : {}),
          ...(s.instanceProfile !== undefined ? { instanceProfile: s.instanceProfile } : {}),
          ...(s.runStrategy !== undefined ? { runStrategy: s.runStrategy } : {}),
          ...(s.running !== undefined ? { running: s.running } : {}),
          ...(s.external !== undefined ? { external: s.external } : {}),
          disks: (s.disks ?? []).map((d) => ({ name: d.name })),
        },
        ...(ready ? { status: { conditions: [{ type: "Ready", status: ready.status, ...(ready.message ? { message: ready.message } : {}) }] } } : {}),
      };
    },
  } satisfies CachedKind<VMInstance>,
  /** the power state */
  VirtualMachine: {
    kind: kinds.VirtualMachine,
    project: (o: VirtualMachine): VirtualMachine => ({
      metadata: projectMeta(o.metadata),
      ...(o.status?.printableStatus ? { status: { printableStatus: o.status.printableStatus } } : {}),
    }),
  } satisfies CachedKind<VirtualMachine>,
  /** the phase and the IP addresses */
  VirtualMachineInstance: {
    kind: kinds.VirtualMachineInstance,
    project: (o: CachedVirtualMachineInstance): CachedVirtualMachineInstance => ({
      metadata: projectMeta(o.metadata),
      status: {
        ...(o.status?.phase ? { phase: o.status.phase } : {}),
        interfaces: (o.status?.interfaces ?? []).map((i) => ({ ...(i.name ? { name: i.name } : {}), ...(i.ipAddress ? { ipAddress: i.ipAddress } : {}) })),
      },
    }),
  } satisfies CachedKind<CachedVirtualMachineInstance>,
  /** the disk list's row (lib/server/disks/disks.ts toDiskSummary) */
  VMDisk: {
    kind: kinds.VMDisk,
    project: (o: VMDisk): VMDisk => ({
      apiVersion: o.apiVersion, kind: o.kind, metadata: projectMeta(o.metadata),
      spec: {
        ...(o.spec?.source !== undefined ? { source: o.spec.source } : {}),
        ...(o.spec?.storage !== undefined ? { storage: o.spec.storage } : {}),
        ...(o.spec?.storageClass !== undefined ? { storageClass: o.spec.storageClass } : {}),
        ...(o.spec?.optical !== undefined ? { optical: o.spec.optical } : {}),
      },
    }),
  } satisfies CachedKind<VMDisk>,
  /** phase, progress, restarts and the failing condition's message */
  DataVolume: {
    kind: kinds.DataVolume,
    project: (o: DataVolume): DataVolume => {
      const conditions = (o.status?.conditions ?? [])
        .filter((c) => (c.type === "Running" || c.type === "Ready") && c.status === "False" && c.message)
        .map((c) => ({ type: c.type, status: c.status, message: c.message }));
      return {
        metadata: projectMeta(o.metadata),
        status: {
          ...(o.status?.phase ? { phase: o.status.phase } : {}),
          ...(o.status?.progress ? { progress: o.status.progress } : {}),
          ...(o.status?.restartCount ? { restartCount: o.status.restartCount } : {}),
          ...(conditions.length ? { conditions } : {}),
        },
      };
    },
  } satisfies CachedKind<DataVolume>,
};

const retryFirstMs = 500;
/** How long one (re)list may take. */
const relistTimeoutMs = 120_000;
const retryMaxMs = 2000;
/** A watch closed sooner than this after it started is reopened after the backoff (1 s). */
const minWatchMs = 1000;

/** One kind in one namespace (see the module doc). */
export class WatchCache<T extends { metadata: ObjectMeta }> {
  private items = new Map<string, T>();
  private resourceVersion = "";
  private changes = 0;
  /** Names this cache's life: a restarted cache's versions are not comparable with an earlier one's. */
  readonly epoch = Math.random().toString(36).slice(2, 10);
  private synced = false;
  private stopped = false;
  private lastRead = Date.now();
  private backoff = retryFirstMs;
  private failing = false;
  private round: AbortController | null = null;
  private readonly listeners = new Set<(event: CacheEvent<T>) => void>();
  private syncWaiters: (() => void)[] = [];
  private readonly idleTimer: NodeJS.Timeout;
  private readonly log;

  constructor(private readonly spec: CachedKind<T>, private readonly namespace: string, private readonly onStop: () => void) {
    this.log = logger.child({ area: "watch-cache", kind: spec.kind.kind, namespace });
    this.idleTimer = setInterval(() => {
      if (this.listeners.size === 0 && Date.now() - this.lastRead > cacheIdleMs) this.stop();
    }, Math.min(30_000, cacheIdleMs));
    this.idleTimer.unref();
    void this.relist();
  }

  /** Whether the cache is in sync with the cluster right now (its watch is open). */
  get isSynced(): boolean {
    return this.synced;
  }

  /** A counter that moves on with every change of the held objects (to reuse what was derived from them). */
  get version(): number {
    return this.changes;
  }

  /** Number of objects held. */
  get size(): number {
    return this.items.size;
  }

  /**
   * The cached objects (projections: read them, never change them), or null when the cache is
   * not in sync after waiting `waitMs` for it: the caller then reads the cluster directly.
   */
  async snapshot(waitMs = 2000): Promise<T[] | null> {
    this.lastRead = Date.now();
    if (!this.synced && waitMs > 0) await this.whenSynced(waitMs);
    return this.synced ? [...this.items.values()] : null;
  }

  /** The cached objects now, synced or not (subscribers read it when they hear `synced`). */
  snapshotNow(): T[] {
    this.lastRead = Date.now();
    return [...this.items.values()];
  }

  /** One cached object by name, or undefined (read only while {@link isSynced}). */
  get(name: string): T | undefined {
    this.lastRead = Date.now();
    return this.items.get(name);
  }

  /**
   * Subscribes to the cache's changes until the returned function is called. A subscribed cache
   * never stops for idleness.
   */
  subscribe(listener: (event: CacheEvent<T>) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      this.lastRead = Date.now();
    };
  }

  /**
   * Resolves when the cache is in sync, or after `ms`; at once while its watch is failing (the
   * cluster unreachable: callers read the cluster directly and answer its 503 without a wait).
   */
  whenSynced(ms: number): Promise<void> {
    if (this.synced || this.failing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.syncWaiters;
      function done() {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** Stops watching and forgets everything. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.synced = false;
    clearInterval(this.idleTimer);
    this.round?.abort();
    this.items.clear();
    this.listeners.clear();
    for (const w of this.syncWaiters.splice(0)) w();
    this.onStop();
  }

  private emit(event: CacheEvent<T>): void {
    if (event.type === "upsert" || event.type === "remove") this.changes += 1;
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.log.warn({ err: String(err) }, "a subscriber failed");
      }
    }
  }

  private markSynced(): void {
    this.synced = true;
    this.backoff = retryFirstMs;
    if (this.failing) {
      this.failing = false;
      this.emit({ type: "synced" });
    }
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private fail(cause: AppError): void {
    this.synced = false;
    // The cache reads as the portal: a refusal is the portal's (its ServiceAccount's role, or an
    // API server still loading its RBAC after a restart), never the reading user's: a 503 to them.
    const error = cause.code === "cluster_unavailable" ? cause
      : new AppError("cluster_unavailable", "cluster_unreachable", { detail: `the portal's own ${cause.code === "forbidden" ? "list or watch was refused" : "list or watch failed"}` });
    if (!this.failing) {
      this.failing = true;
      // the operator's log names the cluster's own answer (e.g. the portal's role lacks `watch`)
      this.log.warn({ err: cause.message }, "watch failed; retrying");
      this.emit({ type: "unavailable", error });
    }
  }

  /** Lists, hands the difference to the subscribers, then watches from the list's resourceVersion. */
  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      // A tenant of 10,000 VMs is a list of tens of MB: the 15 s default of one call is not enough
      // on a busy API server (measured: the bench's 10,000-VM relist timed out on 2 loaded cores).
      const list = await kubeRequest<KubeList<T>>(portalIdentity, { path: resourcePath(this.spec.kind, { namespace: this.namespace }), timeoutMs: relistTimeoutMs });
      if (this.stopped) return;
      const next = new Map<string, T>();
      for (const item of list.items) next.set(item.metadata.name, this.spec.project(item));
      const before = this.items;
      this.items = next;
      this.resourceVersion = list.metadata.resourceVersion ?? "";
      for (const [name, item] of next) {
        if (before.get(name)?.metadata.resourceVersion !== item.metadata.resourceVersion) this.emit({ type: "upsert", object: item });
      }
      for (const name of before.keys()) if (!next.has(name)) this.emit({ type: "remove", name });
      this.markSynced();
      this.watch();
    } catch (err) {
      this.fail(err instanceof AppError ? err : unavailableError(err));
      this.retry(() => this.relist());
    }
  }

  private retry(again: () => void): void {
    if (this.stopped) return;
    // ±20 % so that the caches of many tenants do not all retry in the same millisecond
    setTimeout(again, this.backoff * (0.8 + Math.random() * 0.4)).unref();
    this.backoff = Math.min(this.backoff * 2, retryMaxMs);
  }

  /** Watches from the current resourceVersion; the cache is synced while the watch is open. */
  private watch(): void {
    if (this.stopped) return;
    const round = new AbortController();
    this.round = round;
    const started = Date.now();
    watchCollection<T>({
      identity: portalIdentity,
      path: resourcePath(this.spec.kind, { namespace: this.namespace }),
      resourceVersion: this.resourceVersion,
      signal: round.signal,
      onOpen: () => this.markSynced(),
      onEvent: (e: WatchEvent<T>) => this.apply(e),
      onEnd: (end: WatchEnd) => {
        if (this.stopped || round.signal.aborted) return;
        round.abort();
        this.synced = false;
        if (end.reason === "gone") void this.relist();
        // A watch the API server ends at once (starting up, overloaded) is reopened after the
        // backoff, not in a tight loop; one that ran its course (its timeoutSeconds) at once.
        else if (end.reason === "closed") {
          if (Date.now() - started < minWatchMs) this.retry(() => this.watch());
          else this.watch();
        }
        else {
          this.fail(end.error);
          this.retry(() => this.watch());
        }
      },
    });
  }

  private apply(e: WatchEvent<T>): void {
    const rv = e.object?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === "BOOKMARK") return;
    const name = e.object.metadata.name;
    if (e.type === "DELETED") {
      if (this.items.delete(name)) this.emit({ type: "remove", name });
    } else if (e.type === "ADDED" || e.type === "MODIFIED") {
      const item = this.spec.project(e.object);
      this.items.set(name, item);
      this.emit({ type: "upsert", object: item });
    }
  }
}

/** The process's caches by group/plural/namespace: one map for every copy of this module (process-global.ts). */
const caches = processGlobal("watch-caches", () => new Map<string, WatchCache<{ metadata: ObjectMeta }>>());

/**
 * The shared cache of `spec`'s kind in `namespace`, started on first use.
 * @param namespace a tenant namespace from the tenant record (never from a request)
 */
export function watchCache<T extends { metadata: ObjectMeta }>(spec: CachedKind<T>, namespace: string): WatchCache<T> {
  const key = `${spec.kind.group}/${spec.kind.plural}/${namespace}`;
  let cache = caches.get(key);
  if (!cache) {
    const created: WatchCache<T> = new WatchCache(spec, namespace, () => {
      if (caches.get(key) === (created as unknown)) caches.delete(key);
    });
    cache = created as unknown as WatchCache<{ metadata: ObjectMeta }>;
    caches.set(key, cache);
  }
  return cache as unknown as WatchCache<T>;
}

/** How many caches run and the objects they hold (for the server log and the benchmark). */
export function watchCacheStats(): { caches: number; objects: number } {
  let objects = 0;
  for (const c of caches.values()) objects += c.size;
  return { caches: caches.size, objects };
}
