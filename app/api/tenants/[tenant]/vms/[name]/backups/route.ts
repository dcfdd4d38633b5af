import { z } from "zod";
import { Reply, tenantRoute } from "@/lib/server/gate";
import { createBackupJob } from "@/lib/server/backups/backups";

/** POST /api/tenants/{tenant}/vms/{name}/backups `{}` → 201 BackupJobInfo ("Back up now"); 404 for a missing VM. */
export const POST = tenantRoute(
  { permission: "backup.create", input: z.object({}).strict(), audit: { action: "backup.create", targetKind: "VMInstance" } },
  async ({ access, params }) => new Reply(201, await createBackupJob(access, params.name)),
);
