/**
 * The VM page's Events: what `kubectl get events --field-selector involvedObject.name=…` shows
 * for the VMInstance `X`, the VirtualMachine, VirtualMachineInstance and Service `vm-instance-X`
 * and the DataVolumes `vm-disk-D` of its disks, newest first. Read with the user's identity
 * (tenant roles read core Events: the cluster decides), one list per object name.
 */
import { kinds, resourcePath } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import type { KubeList, VMInstance } from "../k8s/objects";
import type { TenantAccess } from "../tenancy/tenancy";
import { dataVolumeName } from "../disks/disks";
import { virtualMachineName } from "./vms";
import type { VmEvent } from "../../shared/vm";

/** core/v1 Event, the fields shown (k8s.io/api/core/v1 types.go `Event`). */
interface CoreEvent {
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
 * The events of VM `instance` and the objects made for it, newest first, at most {@link maxVmEvents}.
 * @throws AppError forbidden (the user's role cannot list events), cluster_unavailable
 */
export async function listVmEvents(access: TenantAccess, instance: VMInstance): Promise<VmEvent[]> {
  const namespace = access.tenant.namespace;
  const name = instance.metadata.name;
  const names = [name, virtualMachineName(name), ...(instance.spec.disks ?? []).map((d) => dataVolumeName(d.name))];
  const lists = await Promise.all([...new Set(names)].map((n) =>
    kubeRequest<KubeList<CoreEvent>>(access.identity, {
      path: resourcePath(kinds.Event, { namespace }),
      query: { fieldSelector: `involvedObject.name=${n}` },
    })));
  // Each name only with its own kinds: a VMInstance named `vm-instance-web` or `vm-disk-x` must not
  // lend its events to VM `web` or to the VM using disk `x`. The VMInstance's events also by uid,
  // so a VM re-created under an old name does not show its predecessor's.
  const derived = virtualMachineName(name);
  const disks = new Set((instance.spec.disks ?? []).map((d) => dataVolumeName(d.name)));
  const uid = instance.metadata.uid;
  const belongs = (e: CoreEvent) => {
    const { kind, name: n } = e.involvedObject;
    if (kind === "VMInstance") return n === name && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid);
    if (kind === "VirtualMachine" || kind === "VirtualMachineInstance" || kind === "Service") return n === derived;
    if (kind === "DataVolume") return disks.has(n ?? "");
    return false;
  };
  const time = (iso: string) => Date.parse(iso) || 0;
  return lists.flatMap((l) => l.items)
    .filter(belongs)
    .map(toVmEvent)
    .sort((a, b) => time(b.lastSeen) - time(a.lastSeen) || a.id.localeCompare(b.id))
    .slice(0, maxVmEvents);
}
