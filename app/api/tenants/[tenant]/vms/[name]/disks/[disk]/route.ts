import { tenantRoute } from "@/lib/server/gate";
import { assertUrlName } from "@/lib/server/k8s/names";
import { detachDisk } from "@/lib/server/vms/vm-disks";

/** DELETE /api/tenants/{tenant}/vms/{name}/disks/{disk} → VmDetail (the disk stays); 404 for a malformed name; 409 when the VM runs. */
export const DELETE = tenantRoute(
  { permission: "vm.update", audit: { action: "vm.disk.detach", targetKind: "VMInstance" } },
  async ({ access, params, audit }) => {
    audit.targetName = `${params.name}/${params.disk}`.slice(0, 253);
    // a name from the URL that is not a disk name names no attached disk (404, not 422)
    return detachDisk(access, params.name, assertUrlName("dns1123Subdomain", params.disk, "disk_not_found"));
  },
);
