import { Reply, tenantRoute } from "@/lib/server/gate";
import { restoreBackup } from "@/lib/server/backups/backups";
import { restoreSchema } from "@/lib/shared/backup";

/**
 * POST /api/tenants/{tenant}/backups/{backup}/restore `{ mode: "in-place" }` or
 * `{ mode: "copy", tenant }` → 201 RestoreJobInfo.
 */
export const POST = tenantRoute(
  { permission: "backup.restore", input: restoreSchema, audit: { action: "backup.restore", targetKind: "Backup" } },
  async ({ principal, access, params, input, audit }) => {
    audit.targetName = params.backup;
    return new Reply(201, await restoreBackup(principal, access, params.backup, input));
  },
);
