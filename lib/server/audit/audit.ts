/**
 * The audit trail: one AuditLog row per mutation attempt, successes, failures and denials alike.
 */
import { getDb, type AuditResult } from "../db/db";
import { logger } from "../logger";
import { metrics } from "../metrics";
import { currentRequestId } from "../request-context";
import type { AuditWhat } from "../../shared/audit-actions";

/**
 * One audit entry: the action and its target kind (one of lib/shared/audit-actions.ts, so every
 * action written has a label on the audit page), and the rest of the row.
 */
export type AuditEntry = AuditWhat & AuditEntryFields;

/** The fields of an {@link AuditEntry} besides its action and target kind. */
export interface AuditEntryFields {
  /** username (local) or OIDC username / subject; "anonymous" before sign-in */
  actor: string;
  actorId?: string | null;
  /** the tenant as resolved by the gate; null when it was not found or not a member */
  tenantId?: string | null;
  /** the tenant name the request named (kept even when it does not exist) */
  tenantName?: string | null;
  targetName?: string | null;
  /** a short JSON-able summary of the request (no secrets) */
  request?: unknown;
  result: AuditResult;
  errorMessage?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /**
   * the request's id (its answer's `X-Request-Id`); by default the one of the request being
   * served (request-context.ts)
   */
  requestId?: string | null;
}

/**
 * Writes one audit row. Never throws: a failing audit write is logged at error level and counted
 * (`hikube_audit_write_failures_total`, metrics.ts) so that the user's action itself is not
 * reported as failed after it happened.
 */
export async function writeAudit(entry: AuditEntry): Promise<void> {
  try {
    await getDb().auditLog.create({
      data: {
        actor: entry.actor,
        actorId: entry.actorId ?? null,
        tenantId: entry.tenantId ?? null,
        tenantName: entry.tenantName ?? "",
        action: entry.action,
        targetKind: entry.targetKind,
        targetName: entry.targetName ?? null,
        requestSummary: JSON.stringify(entry.request ?? {}).slice(0, 4000),
        result: entry.result,
        errorMessage: entry.errorMessage?.slice(0, 2000) ?? null,
        ip: entry.ip ?? null,
        userAgent: entry.userAgent?.slice(0, 500) ?? null,
        requestId: entry.requestId ?? currentRequestId() ?? null,
      },
    });
  } catch (err) {
    metrics().auditWriteFailures.inc();
    logger.error({ err, entry: { ...entry, request: undefined } }, "audit write failed");
  }
}
