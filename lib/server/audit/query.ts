/**
 * Reading the audit log: filtered pages, newest first, with keyset pagination, and streamed
 * exports (CSV, JSON), each within the reader's {@link AuditScope}.
 *
 * A tenant's log is keyed by the tenant's id, never by its name: a tenant deleted and re-created
 * under the same name starts with an empty log. The deleted tenant's rows keep their name (their
 * tenantId is set to null by the foreign key's ON DELETE SET NULL) and stay readable by platform
 * admins (see {@link assertAuditScope}).
 *
 * Keyset, not OFFSET: a page is "the `limit` rows before (createdAt, id) of the last row seen",
 * written as `createdAt <= c AND (createdAt < c OR id < i)` so that the database seeks the index
 * (`@@index([<filter>, createdAt, id])` in prisma/schema.prisma; `[tenantId, createdAt, id]` for a
 * tenant's log) to the cursor and reads `limit` rows from there: the cost of a page does not grow
 * with its depth or the table's size (see bench/audit.ts). The cursor is opaque to clients:
 * base64url of `<ISO time>|<id>`.
 */
import { stringify } from "csv-stringify/sync";
import { getDb, Prisma } from "../db/db";
import { AppError, invalidField } from "../errors";
import type { Principal } from "../auth/session";
import { getTenantAccess } from "../tenancy/tenancy";
import { can, permissionTable } from "../../shared/permissions";
import type { AuditFilter, AuditPage, AuditRow } from "../../shared/audit";

/** Encodes the position after `row`. */
export function encodeAuditCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

/**
 * Decodes a cursor of {@link encodeAuditCursor}.
 * @throws AppError invalid on field `cursor` when it is not one
 */
export function decodeAuditCursor(cursor: string): { createdAt: Date; id: string } {
  const [time, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(time ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) throw invalidField("cursor", "badCursor");
  return { createdAt, id };
}

/**
 * Which rows a reader may see, as resolved by {@link assertAuditScope}:
 * - `{ tenantId }`: one existing tenant's log (its rows by id);
 * - `{ tenantName, tenantId: null }`: the history of a deleted tenant of that name (platform admins
 *   only, when no tenant of that name exists now);
 * - `{}`: every row (platform admins without a tenant filter).
 */
export type AuditScope = { tenantId: string } | { tenantName: string; tenantId: null } | Record<string, never>;

/**
 * The `where` of a filter within `scope`. `filter.tenant` is not read here: the scope already
 * says which tenant's rows these are.
 * @param after the position after which the page starts (keyset)
 */
export function auditWhere(filter: AuditFilter, scope: AuditScope, after?: { createdAt: Date; id: string }): Prisma.AuditLogWhereInput {
  const createdAt: Prisma.DateTimeFilter = {};
  if (filter.from) createdAt.gte = filter.from;
  if (filter.to) createdAt.lt = filter.to;
  const and: Prisma.AuditLogWhereInput[] = [];
  if (after) {
    and.push({ createdAt: { lte: after.createdAt } }, { OR: [{ createdAt: { lt: after.createdAt } }, { id: { lt: after.id } }] });
  }
  return {
    ...scope,
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.result ? { result: filter.result } : {}),
    ...(filter.from || filter.to ? { createdAt } : {}),
    ...(and.length ? { AND: and } : {}),
  };
}

const orderBy: Prisma.AuditLogOrderByWithRelationInput[] = [{ createdAt: "desc" }, { id: "desc" }];

function toRow(r: Prisma.AuditLogGetPayload<object>): AuditRow {
  return {
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    actor: r.actor,
    tenantName: r.tenantName,
    action: r.action,
    targetKind: r.targetKind,
    targetName: r.targetName,
    result: r.result,
    errorMessage: r.errorMessage,
    requestSummary: r.requestSummary,
    ip: r.ip,
    userAgent: r.userAgent,
  };
}

/**
 * One page of audit rows matching `filter` within `scope`, newest first.
 * @param cursor the previous page's `nextCursor`
 * @param scope from {@link assertAuditScope}; when omitted, a platform admin's scope of
 *   `filter.tenant` ({@link platformAuditScope})
 * @throws AppError invalid (field `cursor`)
 */
export async function listAudit(filter: AuditFilter, limit: number, cursor?: string, scope?: AuditScope): Promise<AuditPage> {
  const after = cursor ? decodeAuditCursor(cursor) : undefined;
  const where = auditWhere(filter, scope ?? (await platformAuditScope(filter.tenant)), after);
  const rows = await getDb().auditLog.findMany({ where, orderBy, take: limit + 1 });
  const items = rows.slice(0, limit);
  return { items: items.map(toRow), nextCursor: rows.length > limit ? encodeAuditCursor(items[items.length - 1]) : null };
}

/** Columns of the CSV export, in order. */
export const auditCsvColumns = ["createdAt", "actor", "tenantName", "action", "targetKind", "targetName", "result", "errorMessage", "ip", "userAgent", "requestSummary"] as const;

/**
 * Neutralises one CSV cell against formula injection (OWASP "CSV Injection"): a string starting
 * with `=`, `+`, `-`, `@`, a tab (0x09) or a carriage return (0x0D) gets a leading `'`, so a
 * spreadsheet shows it as text instead of evaluating it. Other values are returned unchanged.
 * @param value a cell value (any type; only strings are changed)
 * @returns the value to hand to csv-stringify
 */
export function neutralizeCsvCell<T>(value: T): T | string {
  return typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * Streams every row matching `filter` within `scope` (newest first) as CSV (RFC 4180, with a
 * header line) or as one JSON array, reading 1,000 rows at a time so memory stays flat however
 * many rows match.
 * @param scope from {@link assertAuditScope}, the same as for {@link listAudit}
 */
export function exportAudit(filter: AuditFilter, scope: AuditScope, format: "csv" | "json"): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: { createdAt: Date; id: string } | undefined;
  let first = true;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const rows = await getDb().auditLog.findMany({ where: auditWhere(filter, scope, after), orderBy, take: 1000 });
      let chunk = "";
      if (first) chunk += format === "csv" ? stringify([auditCsvColumns as unknown as string[]]) : "[";
      if (rows.length > 0) {
        const items = rows.map(toRow);
        if (format === "csv") {
          chunk += stringify(items.map((r) => auditCsvColumns.map((c) => neutralizeCsvCell(r[c] ?? ""))));
        } else {
          chunk += (first ? "\n" : ",\n") + items.map((r) => JSON.stringify(r)).join(",\n");
        }
        after = rows[rows.length - 1];
      }
      first = false;
      if (rows.length < 1000) {
        if (format === "json") chunk += "\n]\n";
        done = true;
      }
      controller.enqueue(encoder.encode(chunk));
      if (done) controller.close();
    },
  });
}

/**
 * A platform admin's scope for a tenant filter: the tenant of that name by id when it exists,
 * else the rows of a deleted tenant of that name (`tenantId` null); every row without a filter.
 * @param tenant the `tenant` filter (a name), if any
 */
export async function platformAuditScope(tenant: string | undefined): Promise<AuditScope> {
  if (tenant === undefined) return {};
  const current = await getDb().tenant.findUnique({ where: { name: tenant }, select: { id: true } });
  return current ? { tenantId: current.id } : { tenantName: tenant, tenantId: null };
}

/**
 * Checks who may read which part of the log and resolves it to an {@link AuditScope}: platform
 * admins everything ({@link platformAuditScope}); anyone else only one tenant (`filter.tenant`
 * required) in which they are admin or above, by that tenant's id. GET /api/audit and
 * GET /api/audit/export both read within the scope returned here.
 * @throws AppError invalid (field `tenant`), not_found (not a member), forbidden (below admin)
 */
export async function assertAuditScope(principal: Principal, filter: AuditFilter): Promise<AuditScope> {
  if (principal.isPlatformAdmin) return platformAuditScope(filter.tenant);
  if (!filter.tenant) throw invalidField("tenant", "tenantRequired");
  const access = await getTenantAccess(principal, filter.tenant);
  if (!access) throw new AppError("not_found", "tenant_not_found", { tenant: filter.tenant });
  if (!can(access.role, "audit.read")) {
    throw new AppError("forbidden", "audit_role_too_low", { tenant: filter.tenant, role: access.role, needed: permissionTable["audit.read"] });
  }
  return { tenantId: access.tenant.id };
}
