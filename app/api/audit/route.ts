import { sessionRoute } from "@/lib/server/gate";
import { assertAuditScope, listAudit } from "@/lib/server/audit/query";
import { auditPageSchema } from "@/lib/shared/audit";

/**
 * GET /api/audit?tenant&actor&action&result&from&to&limit&cursor → AuditPage, newest first.
 * Platform admins read every tenant; tenant admins must name their tenant. A tenant's rows are
 * those of its id (lib/server/audit/query.ts `assertAuditScope`).
 */
export const GET = sessionRoute(async ({ req, principal }) => {
  const { limit, cursor, ...filter } = auditPageSchema.parse(Object.fromEntries(req.nextUrl.searchParams.entries()));
  const scope = await assertAuditScope(principal, filter);
  return listAudit(filter, limit, cursor, scope);
});
