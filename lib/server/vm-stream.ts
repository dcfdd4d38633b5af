/**
 * Live VM list for the browser: a Server-Sent Events stream per tenant.
 *
 * The server lists VMInstances (as the user) and VirtualMachines (as the portal), sends a
 * `snapshot`, then watches both from the lists' resourceVersions and sends `upsert` / `remove`
 * events with the recomputed row. When a watch expires (410 Gone) or closes, it lists again and
 * sends a fresh snapshot; when the cluster is unreachable it sends `unavailable` and retries with
 * a bounded backoff (1 s doubling to 10 s). A comment line every 20 s keeps proxies from closing
 * the idle stream.
 *
 * Events (each `data:` is JSON): `snapshot` VmSummary[] · `upsert` VmSummary · `remove` {name} ·
 * `unavailable` {message}.
 */
import { kinds, resourcePath } from "./k8s/kinds";
import { portalIdentity } from "./k8s/identity";
import { watchCollection, type WatchEnd } from "./k8s/watch";
import type { VMInstance, VirtualMachine, WatchEvent } from "./k8s/objects";
import { listVmSources, toVmSummary, virtualMachineName } from "./vms";
import type { TenantAccess } from "./tenancy";
import { AppError } from "./errors";
import { logger } from "./logger";

/**
 * Opens the stream; it ends when `signal` aborts (the browser went away).
 * @returns a `text/event-stream` Response
 */
export function vmEventStream(access: TenantAccess, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  const log = logger.child({ area: "vm-stream", tenant: access.tenant.name });
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (event: string, data: unknown) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          closed = true;
        }
      };
      const heartbeat = setInterval(() => {
        if (!closed) {
          try {
            controller.enqueue(encoder.encode(`: keep-alive\n\n`));
          } catch {
            closed = true;
          }
        }
      }, 20_000);

      const instances = new Map<string, VMInstance>();
      const vms = new Map<string, VirtualMachine>();
      let round: AbortController | null = null;
      let backoff = 1000;

      const emitFor = (name: string) => {
        const instance = instances.get(name);
        if (instance) send("upsert", toVmSummary(instance, vms.get(virtualMachineName(name))));
      };

      // Bound to one round: the second watch of an aborted round must not restart the next round.
      const restartAfter = (ended: AbortController) => (end: WatchEnd) => {
        if (closed || signal.aborted || ended.signal.aborted) return;
        ended.abort();
        if (end.reason === "error") {
          send("unavailable", { message: end.error.message });
          setTimeout(run, backoff);
          backoff = Math.min(backoff * 2, 10_000);
        } else {
          setTimeout(run, 0);
        }
      };

      const run = async () => {
        if (closed || signal.aborted) return;
        const current = new AbortController();
        round = current;
        try {
          const { instances: il, vms: vl } = await listVmSources(access);
          instances.clear();
          vms.clear();
          for (const i of il.items) instances.set(i.metadata.name, i);
          for (const v of vl.items) vms.set(v.metadata.name, v);
          send("snapshot", il.items.map((i) => toVmSummary(i, vms.get(virtualMachineName(i.metadata.name)))));
          backoff = 1000;
          const namespace = access.tenant.namespace;
          watchCollection<VMInstance>({
            identity: access.identity, path: resourcePath(kinds.VMInstance, { namespace }),
            resourceVersion: il.metadata.resourceVersion, signal: current.signal,
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
            onEnd: restartAfter(current),
          });
          watchCollection<VirtualMachine>({
            identity: portalIdentity, path: resourcePath(kinds.VirtualMachine, { namespace }),
            resourceVersion: vl.metadata.resourceVersion, signal: current.signal,
            onEvent: (e: WatchEvent<VirtualMachine>) => {
              if (e.type === "BOOKMARK") return;
              const vmName = e.object.metadata.name;
              if (e.type === "DELETED") vms.delete(vmName);
              else vms.set(vmName, e.object);
              if (vmName.startsWith("vm-instance-")) emitFor(vmName.slice("vm-instance-".length));
            },
            onEnd: restartAfter(current),
          });
        } catch (err) {
          const error = err instanceof AppError ? err : new AppError("cluster_unavailable", String(err));
          log.warn({ err: error.message }, "list failed");
          restartAfter(current)({ reason: "error", error });
        }
      };

      signal.addEventListener("abort", () => {
        closed = true;
        clearInterval(heartbeat);
        round?.abort();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      }, { once: true });
      void run();
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no" },
  });
}
