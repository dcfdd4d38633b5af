import { z } from "zod";
import { tenantRoute } from "@/lib/server/gate";
import { getVmOrThrow } from "@/lib/server/vms/vm-disks";
import { listVmEvents, vmEventsStream } from "@/lib/server/vms/events";

export const dynamic = "force-dynamic";

const eventsQuery = z.object({ watch: z.enum(["true", "false", "1", "0"]).optional() });

/**
 * GET /api/tenants/{tenant}/vms/{name}/events → VmEvent[]: the events of the VMInstance, its
 * VirtualMachine, VirtualMachineInstance, Service and DataVolumes, newest first; with
 * `?watch=true` a text/event-stream of them (snapshot, then upsert/remove as they happen).
 */
export const GET = tenantRoute({ permission: "vm.read", input: eventsQuery }, async ({ access, params, input, req }) => {
  const instance = await getVmOrThrow(access, params.name);
  return input.watch === "true" || input.watch === "1" ? vmEventsStream(access, instance, req.signal) : listVmEvents(access, instance);
});
