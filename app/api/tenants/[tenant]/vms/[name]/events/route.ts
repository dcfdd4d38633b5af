import { tenantRoute } from "@/lib/server/gate";
import { getVmOrThrow } from "@/lib/server/vms/vm-disks";
import { listVmEvents } from "@/lib/server/vms/events";

/**
 * GET /api/tenants/{tenant}/vms/{name}/events → VmEvent[]: the events of the VMInstance, its
 * VirtualMachine, VirtualMachineInstance, Service and DataVolumes, newest first.
 */
export const GET = tenantRoute({ permission: "vm.read" }, async ({ access, params }) =>
  listVmEvents(access, await getVmOrThrow(access, params.name)));
