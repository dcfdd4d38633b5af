import { z } from "zod";
import { tenantRoute } from "@/lib/server/gate";
import { backupsOverview } from "@/lib/server/backups/backups";

const querySchema = z.object({ vm: z.string().optional() }).strict();

/** GET /api/tenants/{tenant}/backups[?vm=] → BackupsOverview (Backups, BackupJobs, Plans, RestoreJobs; one VM's with `vm`). */
export const GET = tenantRoute(
  { permission: "backup.read", input: querySchema },
  async ({ access, input }) => backupsOverview(access, input.vm),
);
