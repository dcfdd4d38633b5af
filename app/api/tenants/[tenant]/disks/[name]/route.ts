import { tenantRoute } from "@/lib/server/gate";
import { deleteDisk, growDisk } from "@/lib/server/disks/disks";
import { growDiskSchema } from "@/lib/shared/disk";

/** PATCH /api/tenants/{tenant}/disks/{name} `{ storage }` → DiskSummary (grow only; 422 on shrink or storageClass). */
export const PATCH = tenantRoute(
  { permission: "disk.update", input: growDiskSchema, audit: { action: "disk.grow", targetKind: "VMDisk" } },
  async ({ access, input, params }) => growDisk(access, params.name, input),
);

/** DELETE /api/tenants/{tenant}/disks/{name} → `{ deleted }`; 409 naming the VM when attached. */
export const DELETE = tenantRoute(
  { permission: "disk.delete", audit: { action: "disk.delete", targetKind: "VMDisk" } },
  async ({ access, params }) => deleteDisk(access, params.name),
);
