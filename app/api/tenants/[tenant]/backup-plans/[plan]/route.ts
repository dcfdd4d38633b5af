import { tenantRoute } from "@/lib/server/gate";
import { deletePlan } from "@/lib/server/backups/backups";

/** DELETE /api/tenants/{tenant}/backup-plans/{plan} → `{ deleted }` (its BackupJobs go, its Backups stay). */
export const DELETE = tenantRoute(
  { permission: "backup.schedule", audit: { action: "plan.delete", targetKind: "Plan" } },
  async ({ access, params, audit }) => {
    audit.targetName = params.plan;
    return deletePlan(access, params.plan);
  },
);
