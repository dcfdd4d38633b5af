import { tenantRoute } from "@/lib/server/gate";
import { getQuotaStatus } from "@/lib/server/quota/quota";

/** GET /api/tenants/{tenant}/quota → QuotaStatus: `{ limits, usage }` (CPU in millicores, bytes). */
export const GET = tenantRoute({ permission: "quota.read" }, async ({ access }) => getQuotaStatus(access));
