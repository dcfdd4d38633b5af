/**
 * The audit log's query and answer shapes, shared by the browser and the server
 * (`GET /api/audit`, `GET /api/audit/export`).
 */
import { z } from "zod";
import { problem } from "./api-errors";

/** Outcomes of an audited action. */
export const auditResults = ["success", "failure", "denied"] as const;

/** Largest page. */
export const auditPageMax = 200;

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), problem("date")).transform((s) => new Date(s));
const optionalText = z.string().trim().max(253).transform((s) => (s ? s : undefined)).optional();

/** Filters of the audit list and export (query string); every one is optional. */
export const auditFilterSchema = z.object({
  /**
   * tenant name; the tenant's rows are read by its id (a tenant re-created under an old name does
   * not see the old one's rows). For platform admins, a name no tenant has now selects the rows a
   * deleted tenant of that name left (their name is kept, their tenant id is null).
   */
  tenant: optionalText,
  /** username of the actor */
  actor: optionalText,
  /** dotted action, e.g. `vm.create` */
  action: optionalText,
  result: z.enum(auditResults, { message: problem("oneOf", { values: auditResults.join(", ") }) }).optional(),
  /** inclusive lower bound */
  from: isoDate.optional(),
  /** exclusive upper bound */
  to: isoDate.optional(),
});
/** Parsed audit filters. */
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** Query of `GET /api/audit`: filters, page size and the cursor of the previous page. */
export const auditPageSchema = auditFilterSchema.extend({
  limit: z.coerce.number({ message: problem("number") }).int(problem("integer")).min(1, problem("minValue"))
    .max(auditPageMax, problem("maxValue")).default(50),
  cursor: z.string().max(200).optional(),
});

/** Query of `GET /api/audit/export`. */
export const auditExportSchema = auditFilterSchema.extend({
  format: z.enum(["csv", "json"], { message: problem("exportFormat") }).default("csv"),
});

/** One audit row as the API answers it. */
export interface AuditRow {
  id: string;
  /** ISO 8601 */
  createdAt: string;
  actor: string;
  tenantName: string;
  action: string;
  targetKind: string;
  targetName: string | null;
  result: (typeof auditResults)[number];
  errorMessage: string | null;
  /** JSON text of the redacted request */
  requestSummary: string;
  ip: string | null;
  userAgent: string | null;
}

/** A page of the audit list, newest first; `nextCursor` is null on the last page. */
export interface AuditPage {
  items: AuditRow[];
  nextCursor: string | null;
}
