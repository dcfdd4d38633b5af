import { z } from "zod";
import { tenantRoute } from "@/lib/server/gate";
import { deleteVm } from "@/lib/server/vms/vms";
import { getVmDetail } from "@/lib/server/vms/vm-disks";
import { editVm } from "@/lib/server/vms/update";
import { editVmSchema } from "@/lib/shared/vm";

/** GET /api/tenants/{tenant}/vms/{name} → VmDetail (the VM and its disks in boot order). */
export const GET = tenantRoute({ permission: "vm.read" }, async ({ access, params }) => getVmDetail(access, params.name));

const deleteVmQuery = z.object({ withDisks: z.enum(["true", "false"]).default("false") });

/** DELETE /api/tenants/{tenant}/vms/{name}?withDisks=true|false → `{ deletedDisks }` */
export const DELETE = tenantRoute(
  { permission: "vm.delete", input: deleteVmQuery, audit: { action: "vm.delete", targetKind: "VMInstance" } },
  async ({ access, input, params }) => deleteVm(access, params.name, input.withDisks === "true"),
);

/**
 * PATCH /api/tenants/{tenant}/vms/{name} (body: shared/vm.ts `editVmSchema`) → VmEditResult.
 * Resize, custom resources, OS profile, SSH keys, cloud-init, external access, run strategy; the
 * audit row keeps what changed (`instanceType: u1.medium → u1.large`), never the keys or user-data.
 */
export const PATCH = tenantRoute(
  { permission: "vm.update", input: editVmSchema, audit: { action: "vm.update", targetKind: "VMInstance" },
    summarize: (input) => ({ fields: Object.keys(input).filter((k) => k !== "resourceVersion") }) },
  async ({ access, input, params, audit }) => {
    const result = await editVm(access, params.name, input);
    audit.summary = { changed: result.changed };
    return result;
  },
);
