import { z } from "zod";
import { tenantRoute } from "@/lib/server/gate";
import { attachDisk } from "@/lib/server/vms/vm-disks";
import { diskNameSchema } from "@/lib/shared/disk";

const attachSchema = z.object({ name: diskNameSchema }).strict();

/** POST /api/tenants/{tenant}/vms/{name}/disks `{ name }` → VmDetail; 409 when the VM runs or the disk is used. */
export const POST = tenantRoute(
  { permission: "vm.update", input: attachSchema, audit: { action: "vm.disk.attach", targetKind: "VMInstance" } },
  async ({ access, input, params }) => attachDisk(access, params.name, input.name),
);
