import { tenantRoute } from "@/lib/server/gate";
import { detachDisk } from "@/lib/server/vm-disks";

/** DELETE /api/tenants/{tenant}/vms/{name}/disks/{disk} → VmDetail (the disk stays); 409 when the VM runs. */
export const DELETE = tenantRoute(
  { permission: "vm.update", audit: { action: "vm.disk.detach", targetKind: "VMInstance" } },
  async ({ access, params, audit }) => {
    audit.targetName = `${params.name}/${params.disk}`.slice(0, 253);
    return detachDisk(access, params.name, params.disk);
  },
);
