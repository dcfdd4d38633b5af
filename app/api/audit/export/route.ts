import { sessionRoute } from "@/lib/server/gate";
import { assertAuditScope, exportAudit } from "@/lib/server/audit/query";
import { auditExportSchema } from "@/lib/shared/audit";

/**
 * GET /api/audit/export?format=csv|json&<filters> → every matching row, streamed as a download
 * (`audit-<tenant|all>-<date>.csv|json`). Same access rules and scope as GET /api/audit.
 */
export const GET = sessionRoute(async ({ req, principal }) => {
  const { format, ...filter } = auditExportSchema.parse(Object.fromEntries(req.nextUrl.searchParams.entries()));
  const scope = await assertAuditScope(principal, filter);
  // the filter is free text for platform admins: keep the file name to safe characters
  const file = `audit-${filter.tenant?.replace(/[^a-z0-9-]/g, "_") ?? "all"}-${new Date().toISOString().slice(0, 10)}.${format}`;
  return new Response(exportAudit(filter, scope, format), {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file}"`,
      "Cache-Control": "no-store",
    },
  });
});
