/**
 * Live disk list for the browser: a Server-Sent Events stream per tenant, like
 * lib/server/vms/stream.ts (transport, rounds and backoff in lib/server/live-stream.ts).
 *
 * Why a watch stream rather than polling DataVolume progress: CDI (and the stand-in) rewrite
 * `status.progress` up to twice a second during an import or upload; a watch delivers each
 * change once, as it happens, to one server-side connection per open page, while polling would
 * either lag (slow interval) or multiply list calls against the API server (fast interval) for
 * every open page. It also reuses the VM list's proven reconnect and snapshot logic.
 *
 * Each round lists VMDisks and VMInstances (as the user) and DataVolumes (as the portal), sends a
 * `snapshot`, then watches the three from the lists' resourceVersions and sends `upsert` /
 * `remove` with the recomputed row.
 *
 * Events (each `data:` is JSON): `snapshot` DiskSummary[] · `upsert` DiskSummary · `remove`
 * {name} · `unavailable` {code, reason, params, message} (an error answer's body, live-stream.ts).
 */
import { kinds, resourcePath } from "../k8s/kinds";
import { portalIdentity } from "../k8s/identity";
import { watchCollection } from "../k8s/watch";
import type { DataVolume, VMDisk, VMInstance, WatchEvent } from "../k8s/objects";
import { dataVolumeName, diskAttachments, listDiskSources, toDiskSummary } from "./disks";
import type { TenantAccess } from "../tenancy/tenancy";
import { liveListStream, streamUser } from "../live-stream";

/**
 * Opens the stream; it ends when `signal` aborts (the browser went away).
 * @returns a `text/event-stream` Response
 * @throws AppError too_many_requests (429) when the user already has the most live lists open
 *   (lib/server/live-stream.ts, lib/server/stream-caps.ts)
 */
export function diskEventStream(access: TenantAccess, signal: AbortSignal): Response {
  const disks = new Map<string, VMDisk>();
  const dvs = new Map<string, DataVolume>();
  const instances = new Map<string, VMInstance>();
  let attached = new Map<string, string>();
  return liveListStream({
    signal, area: "disk-stream", tenant: access.tenant.name, user: streamUser(access),
    round: async ({ send, signal: roundSignal, onEnd, listed }) => {
      const row = (name: string) => {
        const disk = disks.get(name);
        return disk && toDiskSummary(disk, dvs.get(dataVolumeName(name)), attached.get(name) ?? null);
      };
      const emitFor = (name: string) => {
        const r = row(name);
        if (r) send("upsert", r);
      };
      const lists = await listDiskSources(access);
      disks.clear();
      dvs.clear();
      instances.clear();
      for (const d of lists.disks.items) disks.set(d.metadata.name, d);
      for (const dv of lists.dataVolumes.items) dvs.set(dv.metadata.name, dv);
      for (const i of lists.instances.items) instances.set(i.metadata.name, i);
      attached = diskAttachments([...instances.values()]);
      send("snapshot", [...disks.keys()].map(row));
      listed();
      const namespace = access.tenant.namespace;
      watchCollection<VMDisk>({
        identity: access.identity, path: resourcePath(kinds.VMDisk, { namespace }),
        resourceVersion: lists.disks.metadata.resourceVersion, signal: roundSignal, onEnd,
        onEvent: (e: WatchEvent<VMDisk>) => {
          if (e.type === "BOOKMARK") return;
          const name = e.object.metadata.name;
          if (e.type === "DELETED") {
            disks.delete(name);
            send("remove", { name });
          } else {
            disks.set(name, e.object);
            emitFor(name);
          }
        },
      });
      watchCollection<DataVolume>({
        identity: portalIdentity, path: resourcePath(kinds.DataVolume, { namespace }),
        resourceVersion: lists.dataVolumes.metadata.resourceVersion, signal: roundSignal, onEnd,
        onEvent: (e: WatchEvent<DataVolume>) => {
          if (e.type === "BOOKMARK") return;
          const dvName = e.object.metadata.name;
          if (e.type === "DELETED") dvs.delete(dvName);
          else dvs.set(dvName, e.object);
          if (dvName.startsWith("vm-disk-")) emitFor(dvName.slice("vm-disk-".length));
        },
      });
      watchCollection<VMInstance>({
        identity: access.identity, path: resourcePath(kinds.VMInstance, { namespace }),
        resourceVersion: lists.instances.metadata.resourceVersion, signal: roundSignal, onEnd,
        onEvent: (e: WatchEvent<VMInstance>) => {
          if (e.type === "BOOKMARK") return;
          if (e.type === "DELETED") instances.delete(e.object.metadata.name);
          else instances.set(e.object.metadata.name, e.object);
          const before = attached;
          attached = diskAttachments([...instances.values()]);
          for (const name of new Set([...before.keys(), ...attached.keys()])) {
            if (before.get(name) !== attached.get(name)) emitFor(name);
          }
        },
      });
    },
  });
}
