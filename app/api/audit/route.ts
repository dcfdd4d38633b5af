import { sessionRoute } from "@/lib/server/gate";
import { assertAuditScope, listAudit } from "@/lib/server/audit-query";
import { auditPageSchema } from "@/lib/shared/audit";

/**
 * GET /api/audit?tenant&actor&action&result&from&to&limit&cursor → AuditPage, newest first.
 * Platform admins read every tenant; tenant admins must name their tenant.
 */
export const GET = sessionRoute(async ({ req, principal }) => {
  const { limit, cursor, ...filter } = auditPageSchema.parse(Object.fromEntries(req.nextUrl.searchParams.entries()));
  await assertAuditScope(principal, filter);
  return listAudit(filter, limit, cursor);
});
