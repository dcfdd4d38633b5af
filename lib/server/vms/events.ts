/**
 * The VM page's Events: what `kubectl get events --field-selector involvedObject.name=…` shows
 * for the VMInstance `X`, the VirtualMachine, VirtualMachineInstance and Service `vm-instance-X`
 * and the DataVolumes `vm-disk-D` of its disks, newest first. Read with the user's identity
 * (tenant roles read core Events: the cluster decides), one list per object name; live through
 * a watch of the namespace's Events ({@link vmEventsStream}).
 */
import { kinds, resourcePath } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import type { KubeList, VMInstance, WatchEvent } from "../k8s/objects";
import { watchCollection } from "../k8s/watch";
import { liveListStream, streamUser } from "../live-stream";
import type { TenantAccess } from "../tenancy/tenancy";
import { dataVolumeName } from "../disks/disks";
import { virtualMachineName } from "./vms";
import { compareVmEvents, type VmEvent } from "../../shared/vm";

/** core/v1 Event, the fields shown (k8s.io/api/core/v1 types.go `Event`). */
export interface CoreEvent {
  metadata: { name: string; uid?: string; creationTimestamp?: string };
  involvedObject: { kind?: string; name?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  /** events.k8s.io-style producers set eventTime and series instead of the timestamps and count */
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
}

/** At most this many events are returned (the newest). */
export const maxVmEvents = 200;

/**
 * Maps a core Event to a row. The time shown is when it last happened: `series.lastObservedTime`,
 * else `lastTimestamp`, else `eventTime`, else the object's creation (as kubectl's "LAST SEEN").
 */
export function toVmEvent(e: CoreEvent): VmEvent {
  const lastSeen = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "";
  return {
    id: e.metadata.uid ?? e.metadata.name,
    type: e.type === "Warning" ? "Warning" : "Normal",
    reason: e.reason ?? "",
    message: e.message ?? "",
    count: e.series?.count ?? e.count ?? 1,
    object: { kind: e.involvedObject.kind ?? "", name: e.involvedObject.name ?? "" },
    ...(e.firstTimestamp ? { firstSeen: e.firstTimestamp } : {}),
    lastSeen,
  };
}

/**
 * The predicate of the events that belong to VM `instance`: each name only with its own kinds (a
 * VMInstance named `vm-instance-web` or `vm-disk-x` must not lend its events to VM `web` or to
 * the VM using disk `x`); the VMInstance's own events also by uid, so a VM re-created under an old
 * name does not show its predecessor's.
 */
export function eventBelongsTo(instance: VMInstance): (e: CoreEvent) => boolean {
  const name = instance.metadata.name;
  const derived = virtualMachineName(name);
  const disks = new Set((instance.spec.disks ?? []).map((d) => dataVolumeName(d.name)));
  const uid = instance.metadata.uid;
  return (e) => {
    const { kind, name: n } = e.involvedObject;
    if (kind === "VMInstance") return n === name && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid);
    if (kind === "VirtualMachine" || kind === "VirtualMachineInstance" || kind === "Service") return n === derived;
    if (kind === "DataVolume") return disks.has(n ?? "");
    return false;
  };
}

/**
 * The events of VM `instance` and the objects made for it, newest first, at most {@link maxVmEvents},
 * with the highest resourceVersion of the lists (where a watch can start).
 * @throws AppError forbidden (the user's role cannot list events), cluster_unavailable
 */
export async function listVmEventsAt(access: TenantAccess, instance: VMInstance): Promise<{ events: VmEvent[]; resourceVersion: string }> {
  const namespace = access.tenant.namespace;
  const name = instance.metadata.name;
  const names = [name, virtualMachineName(name), ...(instance.spec.disks ?? []).map((d) => dataVolumeName(d.name))];
  const lists = await Promise.all([...new Set(names)].map((n) =>
    kubeRequest<KubeList<CoreEvent>>(access.identity, {
      path: resourcePath(kinds.Event, { namespace }),
      query: { fieldSelector: `involvedObject.name=${n}` },
    })));
  const events = lists.flatMap((l) => l.items).filter(eventBelongsTo(instance)).map(toVmEvent).sort(compareVmEvents).slice(0, maxVmEvents);
  const resourceVersion = lists.map((l) => l.metadata.resourceVersion ?? "0").reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a), "0");
  return { events, resourceVersion };
}

/**
 * The events of VM `instance` and the objects made for it, newest first, at most {@link maxVmEvents}.
 * @throws AppError forbidden (the user's role cannot list events), cluster_unavailable
 */
export async function listVmEvents(access: TenantAccess, instance: VMInstance): Promise<VmEvent[]> {
  return (await listVmEventsAt(access, instance)).events;
}

/**
 * The Events tab's live stream (lib/server/live-stream.ts): a `snapshot` of {@link listVmEventsAt},
 * then one watch of the namespace's Events (as the user) from the lists' resourceVersion, sending
 * `upsert` VmEvent for each event of the VM and `remove` {name: id} when one expires (the API
 * server deletes Events after its `--event-ttl`, one hour by default). One watch per open tab.
 * @returns a `text/event-stream` Response
 * @throws AppError too_many_requests (429) past the user's live-list cap
 */
export function vmEventsStream(access: TenantAccess, instance: VMInstance, signal: AbortSignal): Response {
  const belongs = eventBelongsTo(instance);
  return liveListStream({
    signal, area: "vm-events-stream", tenant: access.tenant.name, user: streamUser(access),
    round: async ({ send, signal: roundSignal, onEnd, listed }) => {
      const { events, resourceVersion } = await listVmEventsAt(access, instance);
      send("snapshot", events);
      listed();
      watchCollection<CoreEvent>({
        identity: access.identity, path: resourcePath(kinds.Event, { namespace: access.tenant.namespace }),
        resourceVersion, signal: roundSignal, onEnd,
        onEvent: (e: WatchEvent<CoreEvent>) => {
          if (e.type === "BOOKMARK" || !belongs(e.object)) return;
          const row = toVmEvent(e.object);
          if (e.type === "DELETED") send("remove", { name: row.id });
          else send("upsert", row);
        },
      });
    },
  });
}
