/**
 * Backups of VMs as the portal shows them (safe for the browser): Cozystack's
 * `backups.cozystack.io/v1alpha1` Backup, BackupJob, Plan and RestoreJob reduced to what a tenant
 * needs, the request schemas of the backup routes, and cron helpers for schedules.
 *
 * Source of the shapes and phases: cozystack/cozystack api/backups/v1alpha1/*_types.go
 * (../shared/spec/cluster-contract.md, "Backups and restores").
 */
import { z } from "zod";
import { CronExpressionParser } from "cron-parser";
import { problem } from "./api-errors";

/**
 * How long a Backup lives, in hours: the default Velero strategy's `ttl: 720h0m0s` (Cozystack's
 * `cozy-default` BackupClass); tenants cannot change it.
 */
export const backupTtlHours = 720;

/** A Backup's `status.phase` (`""` until its driver sets one). */
export type BackupPhase = "Pending" | "Ready" | "Failed" | "";

/** A BackupJob's or RestoreJob's `status.phase` (`""` until the controller picks it up). */
export type JobPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "";

/** Whether a job phase is final. */
export const isFinalJobPhase = (phase: JobPhase) => phase === "Succeeded" || phase === "Failed";

/** Who asked for a backup: a user ("Back up now") or a Plan (a schedule). */
export type BackupOrigin = "manual" | "plan";

/** One Backup: a restorable copy of a VM's disks. */
export interface BackupInfo {
  name: string;
  /** the VM (VMInstance) it was taken of */
  vm: string;
  /** ISO 8601 */
  takenAt: string;
  /** takenAt + {@link backupTtlHours}, ISO 8601 */
  expiresAt: string;
  phase: BackupPhase;
  /** total bytes of the backed-up disks (the artifact's `sizeBytes`), null when unknown */
  sizeBytes: number | null;
  /** the artifact's checksum, e.g. `sha256:…`, null when unknown */
  checksum: string | null;
  origin: BackupOrigin;
  /** the Plan that made it (origin `plan`) */
  plan: string | null;
}

/** One BackupJob: a backup being taken, or its outcome. */
export interface BackupJobInfo {
  name: string;
  vm: string;
  phase: JobPhase;
  /** ISO 8601 */
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** why it failed, in the cluster's words (English) */
  message: string | null;
  origin: BackupOrigin;
  plan: string | null;
  /** the Backup it made */
  backup: string | null;
}

/** One Plan: a VM's backup schedule. */
export interface BackupPlanInfo {
  name: string;
  vm: string;
  /** 5-field cron, UTC (the backup controller's clock) */
  cron: string;
  createdAt: string;
  /** the Plan's `Error` condition message (a schedule the controller could not read) */
  error: string | null;
}

/** One RestoreJob. */
export interface RestoreJobInfo {
  name: string;
  backup: string;
  /** the VM restored (in place) or created (copy) */
  vm: string;
  /** the tenant a copy goes to; null for a restore in place */
  targetTenant: string | null;
  phase: JobPhase;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  message: string | null;
}

/** `GET /api/tenants/{tenant}/backups[?vm=]`: everything about a tenant's (or one VM's) backups. */
export interface BackupsOverview {
  backups: BackupInfo[];
  jobs: BackupJobInfo[];
  plans: BackupPlanInfo[];
  restores: RestoreJobInfo[];
  ttlHours: number;
}

/** Schedule presets offered before a custom cron field (UTC). */
export const schedulePresets = [
  { id: "hourly", cron: "0 * * * *" },
  { id: "daily", cron: "0 3 * * *" },
  { id: "weekly", cron: "0 3 * * 0" },
] as const;

/**
 * Why a cron expression cannot be a Plan's schedule, or null when it can: exactly five fields
 * (minute hour day-of-month month day-of-week), as robfig/cron's `ParseStandard` which Cozystack's
 * plan controller uses (internal/backupcontroller/plan_controller.go).
 */
export function cronProblem(cron: string): { problem: "cronFields" | "cronInvalid"; params: Record<string, string | number> } | null {
  const fields = cron.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return { problem: "cronFields", params: { count: fields.length } };
  try {
    CronExpressionParser.parse(fields.join(" "), { tz: "UTC" });
    return null;
  } catch (err) {
    return { problem: "cronInvalid", params: { detail: err instanceof Error ? err.message : String(err) } };
  }
}

/**
 * The next `count` runs of a valid schedule after `from` (the controller runs it in UTC; shown in
 * the user's time zone by the caller). Empty for an invalid expression.
 */
export function nextRuns(cron: string, count: number, from: Date = new Date()): Date[] {
  if (cronProblem(cron)) return [];
  const it = CronExpressionParser.parse(cron.trim().split(/\s+/).join(" "), { currentDate: from, tz: "UTC" });
  return Array.from({ length: count }, () => it.next().toDate());
}

/** A schedule's cron field, checked as {@link cronProblem} does. */
export const cronSchema = z.string().max(100, problem("maxChars")).superRefine((value, ctx) => {
  const p = cronProblem(value);
  if (p) ctx.addIssue({ code: "custom", message: problem(p.problem, p.params) });
}).transform((v) => v.trim().split(/\s+/).join(" "));

/** `POST /api/tenants/{tenant}/vms/{name}/backup-plans` body. */
export const createPlanSchema = z.object({ cron: cronSchema }).strict();

/** `POST /api/tenants/{tenant}/backups/{backup}/restore` body: in place, or a copy into another tenant. */
export const restoreSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("in-place") }).strict(),
  z.object({ mode: z.literal("copy"), tenant: z.string().min(1, problem("required")).max(63, problem("maxChars")) }).strict(),
]);

/** The body of a restore request. */
export type RestoreRequest = z.infer<typeof restoreSchema>;
