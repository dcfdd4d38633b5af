/**
 * Live VM list for the browser: a Server-Sent Events stream per open page (transport, rounds and
 * backoff in lib/server/live-stream.ts), fed by the tenant's shared VMInstance and VirtualMachine
 * caches (k8s/watch-cache.ts): however many pages are open, the tenant has one upstream watch per
 * kind.
 *
 * A round checks with a SubjectAccessReview that the user may list VMInstances (k8s/access-review.ts),
 * waits for the caches to be in sync, sends a `snapshot`, then an `upsert` / `remove` with the
 * recomputed row for each change of either cache. While open, the review is checked every second
 * (answers kept 10 s): within 10 s of the cluster refusing the user, the round ends and the stream
 * sends `unavailable` (forbidden) instead of rows. When a cache loses its watch the stream sends
 * `unavailable`, and a fresh `snapshot` once the cache is in sync again.
 *
 * The page passes `known`, the version of the rows it rendered on the server
 * ({@link vmRowsVersion}): when they are still current, the first round sends `current` instead of
 * a snapshot, so the stream sends only changes.
 *
 * Events (each `data:` is JSON): `snapshot` VmSummary[] · `current` {} · `upsert` VmSummary · `remove` {name} ·
 * `unavailable` {code, reason, params, message} (an error answer's body, live-stream.ts).
 */
import { kinds } from "../k8s/kinds";
import type { VMInstance, VirtualMachine } from "../k8s/objects";
import type { CacheEvent } from "../k8s/watch-cache";
import { assertCanListAndWatch, reviewWhileOpen } from "../k8s/access-review";
import { AppError } from "../errors";
import { toVmSummary, virtualMachineName, vmCaches, vmRowsVersion } from "./vms";
import type { TenantAccess } from "../tenancy/tenancy";
import { liveListStream, streamUser } from "../live-stream";

/** How often an open stream checks its user's access review (k8s/access-review.ts keeps answers 10 s). */
const reviewTickMs = 1000;

/** How long a round waits for the caches' first sync before it reports the cluster unreachable. */
const syncWaitMs = 5000;

/**
 * Opens the stream; it ends when `signal` aborts (the browser went away).
 * @param known the version of the rows the page already shows (from the server render), if any
 * @returns a `text/event-stream` Response
 * @throws AppError too_many_requests (429) when the user already has the most live lists open
 *   (lib/server/live-stream.ts, lib/server/stream-caps.ts)
 */
export function vmEventStream(access: TenantAccess, signal: AbortSignal, known?: string): Response {
  const namespace = access.tenant.namespace;
  // The page's server-rendered rows: while they are current, the first snapshot is not needed.
  let pageRows = known;
  return liveListStream({
    signal, area: "vm-stream", tenant: access.tenant.name, user: streamUser(access),
    round: async ({ send, signal: roundSignal, onEnd, listed }) => {
      await assertCanListAndWatch(access.identity, kinds.VMInstance, namespace);
      // the browser may have gone while the cluster answered: subscribe to nothing then
      if (roundSignal.aborted) return;
      const caches = vmCaches(namespace);
      let started = false;
      const row = (name: string) => {
        const instance = caches.instances.get(name);
        return instance && toVmSummary(instance, caches.vms.get(virtualMachineName(name)));
      };
      const sendSnapshot = () => {
        if (!caches.instances.isSynced || !caches.vms.isSynced) return;
        const vms = caches.vms;
        const current = pageRows !== undefined && pageRows === vmRowsVersion(caches);
        pageRows = undefined;
        started = true;
        if (current) return send("current", {});
        send("snapshot", [...(caches.instances.snapshotNow())].map((i) => toVmSummary(i, vms.get(virtualMachineName(i.metadata.name)))));
      };
      const status = (e: CacheEvent<unknown>) => {
        if (e.type === "unavailable") send("unavailable", e.error.toBody().error);
        else if (e.type === "synced") sendSnapshot();
      };
      const offInstances = caches.instances.subscribe((e: CacheEvent<VMInstance>) => {
        if (!started) return status(e);
        if (e.type === "upsert") send("upsert", toVmSummary(e.object, caches.vms.get(virtualMachineName(e.object.metadata.name))));
        else if (e.type === "remove") send("remove", { name: e.name });
        else status(e);
      });
      const offVms = caches.vms.subscribe((e: CacheEvent<VirtualMachine>) => {
        if (!started) return status(e);
        if (e.type === "upsert" || e.type === "remove") {
          const vmName = e.type === "upsert" ? e.object.metadata.name : e.name;
          if (!vmName.startsWith("vm-instance-")) return;
          const r = row(vmName.slice("vm-instance-".length));
          if (r) send("upsert", r);
        } else status(e);
      });
      // Ask the cluster again every window: a user it no longer allows is not served from the
      // caches. Checked every second (a lookup: the cluster is asked at most once per window and
      // user), so the stream stops within the window of the cluster's refusal, plus a second; a
      // user the cluster has not confirmed for the window plus 20 s (reviews failing) is not served
      // either (k8s/access-review.ts reviewWhileOpen).
      const stopReviews = reviewWhileOpen(() => assertCanListAndWatch(access.identity, kinds.VMInstance, namespace), (error) => onEnd({ reason: "error", error }), reviewTickMs);
      roundSignal.addEventListener("abort", () => {
        stopReviews();
        offInstances();
        offVms();
      }, { once: true });
      await Promise.all([caches.instances.whenSynced(syncWaitMs), caches.vms.whenSynced(syncWaitMs)]);
      if (roundSignal.aborted) return;
      if (!caches.instances.isSynced || !caches.vms.isSynced) {
        throw new AppError("cluster_unavailable", "cluster_unreachable", { detail: "the list is not in sync with the cluster" });
      }
      sendSnapshot();
      listed();
    },
  });
}
