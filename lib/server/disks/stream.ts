/**
 * Live disk list for the browser: a Server-Sent Events stream per open page, like
 * lib/server/vms/stream.ts (transport, rounds and backoff in lib/server/live-stream.ts), fed by the
 * tenant's shared VMDisk, DataVolume and VMInstance caches (k8s/watch-cache.ts; the VMInstance
 * cache is the VM list's own): however many pages are open, the tenant has one upstream watch per
 * kind.
 *
 * Why a watch stream rather than polling DataVolume progress: CDI (and the stand-in) rewrite
 * `status.progress` up to twice a second during an import or upload; a watch delivers each
 * change once, as it happens, while polling would either lag (slow interval) or multiply list
 * calls against the API server (fast interval) for every open page.
 *
 * A round checks with SubjectAccessReviews that the user may list VMDisks and VMInstances
 * (disks.ts assertCanListDisks), waits for the caches to be in sync, sends a `snapshot`, then an
 * `upsert` / `remove` with the recomputed row for each change of a disk, its DataVolume or the VM
 * using it. While open, the reviews are checked every second (answers kept 10 s): within 10 s of
 * the cluster refusing the user, the round ends and the stream sends `unavailable` (forbidden)
 * instead of rows. When a cache loses its watch the stream sends `unavailable`, and a fresh
 * `snapshot` once the caches are in sync again.
 *
 * Events (each `data:` is JSON): `snapshot` DiskSummary[] · `upsert` DiskSummary · `remove`
 * {name} · `unavailable` {code, reason, params, message} (an error answer's body, live-stream.ts).
 */
import type { DataVolume, VMDisk, VMInstance } from "../k8s/objects";
import type { CacheEvent } from "../k8s/watch-cache";
import { AppError } from "../errors";
import { assertCanListDisks, cachedAttachments, cachedDiskRow, diskCaches } from "./disks";
import { reviewWhileOpen } from "../k8s/access-review";
import type { TenantAccess } from "../tenancy/tenancy";
import { liveListStream, streamUser } from "../live-stream";

/** How often an open stream checks its user's access reviews (k8s/access-review.ts keeps answers 10 s). */
const reviewTickMs = 1000;

/** How long a round waits for the caches' first sync before it reports the cluster unreachable. */
const syncWaitMs = 5000;

/** The disks a VMInstance names. */
const disksOf = (instance: VMInstance) => (instance.spec.disks ?? []).map((d) => d.name);

/**
 * Opens the stream; it ends when `signal` aborts (the browser went away).
 * @returns a `text/event-stream` Response
 * @throws AppError too_many_requests (429) when the user already has the most live lists open
 *   (lib/server/live-stream.ts, lib/server/stream-caps.ts)
 */
export function diskEventStream(access: TenantAccess, signal: AbortSignal): Response {
  const namespace = access.tenant.namespace;
  return liveListStream({
    signal, area: "disk-stream", tenant: access.tenant.name, user: streamUser(access),
    round: async ({ send, signal: roundSignal, onEnd, listed }) => {
      await assertCanListDisks(access, true);
      // the browser may have gone while the cluster answered: subscribe to nothing then
      if (roundSignal.aborted) return;
      const caches = diskCaches(namespace);
      const allSynced = () => caches.disks.isSynced && caches.dataVolumes.isSynced && caches.instances.isSynced;
      let started = false;
      // The attachments this stream's rows were sent with, and each VM's disks then: a VM's change
      // can only move the disks it names before or after.
      let attached = new Map<string, string>();
      const instanceDisks = new Map<string, string[]>();
      const emitFor = (name: string) => {
        const r = cachedDiskRow(caches, name, attached);
        if (r) send("upsert", r);
      };
      const sendSnapshot = () => {
        if (!allSynced()) return;
        started = true;
        attached = cachedAttachments(caches.instances);
        instanceDisks.clear();
        for (const i of caches.instances.snapshotNow()) instanceDisks.set(i.metadata.name, disksOf(i));
        send("snapshot", caches.disks.snapshotNow().map((d) => cachedDiskRow(caches, d.metadata.name, attached)).filter((r) => r !== undefined));
      };
      const status = (e: CacheEvent<unknown>) => {
        if (e.type === "unavailable") send("unavailable", e.error.toBody().error);
        else if (e.type === "synced") sendSnapshot();
      };
      const offDisks = caches.disks.subscribe((e: CacheEvent<VMDisk>) => {
        if (!started) return status(e);
        if (e.type === "upsert") emitFor(e.object.metadata.name);
        else if (e.type === "remove") send("remove", { name: e.name });
        else status(e);
      });
      const offDataVolumes = caches.dataVolumes.subscribe((e: CacheEvent<DataVolume>) => {
        if (!started) return status(e);
        if (e.type === "upsert" || e.type === "remove") {
          const dvName = e.type === "upsert" ? e.object.metadata.name : e.name;
          if (dvName.startsWith("vm-disk-")) emitFor(dvName.slice("vm-disk-".length));
        } else status(e);
      });
      const offInstances = caches.instances.subscribe((e: CacheEvent<VMInstance>) => {
        if (!started) return status(e);
        if (e.type === "upsert" || e.type === "remove") {
          const vmName = e.type === "upsert" ? e.object.metadata.name : e.name;
          const named = e.type === "upsert" ? disksOf(e.object) : [];
          const affected = new Set([...(instanceDisks.get(vmName) ?? []), ...named]);
          if (e.type === "upsert") instanceDisks.set(vmName, named);
          else instanceDisks.delete(vmName);
          const before = attached;
          attached = cachedAttachments(caches.instances);
          for (const name of affected) if (before.get(name) !== attached.get(name)) emitFor(name);
        } else status(e);
      });
      // Ask the cluster again every window (as the VM list's stream does): a user it no longer
      // allows is not served from the caches, nor one it has not confirmed for the window plus
      // 20 s (k8s/access-review.ts reviewWhileOpen).
      const stopReviews = reviewWhileOpen(() => assertCanListDisks(access, true), (error) => onEnd({ reason: "error", error }), reviewTickMs);
      roundSignal.addEventListener("abort", () => {
        stopReviews();
        offDisks();
        offDataVolumes();
        offInstances();
      }, { once: true });
      await Promise.all([caches.disks.whenSynced(syncWaitMs), caches.dataVolumes.whenSynced(syncWaitMs), caches.instances.whenSynced(syncWaitMs)]);
      if (roundSignal.aborted) return;
      if (!allSynced()) {
        throw new AppError("cluster_unavailable", "cluster_unreachable", { detail: "the list is not in sync with the cluster" });
      }
      sendSnapshot();
      listed();
    },
  });
}
