import { Reply, tenantRoute } from "@/lib/server/gate";
import { createPlan } from "@/lib/server/backups/backups";
import { createPlanSchema } from "@/lib/shared/backup";

/** POST /api/tenants/{tenant}/vms/{name}/backup-plans `{ cron }` → 201 BackupPlanInfo; 422 naming `cron`. */
export const POST = tenantRoute(
  { permission: "backup.schedule", input: createPlanSchema, audit: { action: "plan.create", targetKind: "Plan" } },
  async ({ access, params, input, audit }) => {
    const plan = await createPlan(access, params.name, input.cron);
    audit.targetName = plan.name;
    return new Reply(201, plan);
  },
);
