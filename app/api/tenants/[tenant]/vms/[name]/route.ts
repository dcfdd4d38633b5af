import { z } from "zod";
import { tenantRoute } from "@/lib/server/gate";
import { deleteVm } from "@/lib/server/vms/vms";
import { getVmDetail } from "@/lib/server/vms/vm-disks";

/** GET /api/tenants/{tenant}/vms/{name} → VmDetail (the VM and its disks in boot order). */
export const GET = tenantRoute({ permission: "vm.read" }, async ({ access, params }) => getVmDetail(access, params.name));

const deleteVmQuery = z.object({ withDisks: z.enum(["true", "false"]).default("false") });

/** DELETE /api/tenants/{tenant}/vms/{name}?withDisks=true|false → `{ deletedDisks }` */
export const DELETE = tenantRoute(
  { permission: "vm.delete", input: deleteVmQuery, audit: { action: "vm.delete", targetKind: "VMInstance" } },
  async ({ access, input, params }) => deleteVm(access, params.name, input.withDisks === "true"),
);
