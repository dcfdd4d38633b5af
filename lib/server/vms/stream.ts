/**
 * Live VM list for the browser: a Server-Sent Events stream per tenant (transport, rounds and
 * backoff in lib/server/live-stream.ts).
 *
 * Each round lists VMInstances (as the user) and VirtualMachines (as the portal), sends a
 * `snapshot`, then watches both from the lists' resourceVersions and sends `upsert` / `remove`
 * events with the recomputed row.
 *
 * Events (each `data:` is JSON): `snapshot` VmSummary[] · `upsert` VmSummary · `remove` {name} ·
 * `unavailable` {code, reason, params, message} (an error answer's body, live-stream.ts).
 */
import { kinds, resourcePath } from "../k8s/kinds";
import { portalIdentity } from "../k8s/identity";
import { watchCollection } from "../k8s/watch";
import type { VMInstance, VirtualMachine, WatchEvent } from "../k8s/objects";
import { listVmSources, toVmSummary, virtualMachineName } from "./vms";
import type { TenantAccess } from "../tenancy/tenancy";
import { liveListStream, streamUser } from "../live-stream";

/**
 * Opens the stream; it ends when `signal` aborts (the browser went away).
 * @returns a `text/event-stream` Response
 * @throws AppError too_many_requests (429) when the user already has the most live lists open
 *   (lib/server/live-stream.ts, lib/server/stream-caps.ts)
 */
export function vmEventStream(access: TenantAccess, signal: AbortSignal): Response {
  const instances = new Map<string, VMInstance>();
  const vms = new Map<string, VirtualMachine>();
  return liveListStream({
    signal, area: "vm-stream", tenant: access.tenant.name, user: streamUser(access),
    round: async ({ send, signal: roundSignal, onEnd, listed }) => {
      const emitFor = (name: string) => {
        const instance = instances.get(name);
        if (instance) send("upsert", toVmSummary(instance, vms.get(virtualMachineName(name))));
      };
      const { instances: il, vms: vl } = await listVmSources(access);
      instances.clear();
      vms.clear();
      for (const i of il.items) instances.set(i.metadata.name, i);
      for (const v of vl.items) vms.set(v.metadata.name, v);
      send("snapshot", il.items.map((i) => toVmSummary(i, vms.get(virtualMachineName(i.metadata.name)))));
      listed();
      const namespace = access.tenant.namespace;
      watchCollection<VMInstance>({
        identity: access.identity, path: resourcePath(kinds.VMInstance, { namespace }),
        resourceVersion: il.metadata.resourceVersion, signal: roundSignal, onEnd,
        onEvent: (e: WatchEvent<VMInstance>) => {
          if (e.type === "BOOKMARK") return;
          const name = e.object.metadata.name;
          if (e.type === "DELETED") {
            instances.delete(name);
            send("remove", { name });
          } else {
            instances.set(name, e.object);
            emitFor(name);
          }
        },
      });
      watchCollection<VirtualMachine>({
        identity: portalIdentity, path: resourcePath(kinds.VirtualMachine, { namespace }),
        resourceVersion: vl.metadata.resourceVersion, signal: roundSignal, onEnd,
        onEvent: (e: WatchEvent<VirtualMachine>) => {
          if (e.type === "BOOKMARK") return;
          const vmName = e.object.metadata.name;
          if (e.type === "DELETED") vms.delete(vmName);
          else vms.set(vmName, e.object);
          if (vmName.startsWith("vm-instance-")) emitFor(vmName.slice("vm-instance-".length));
        },
      });
    },
  });
}
