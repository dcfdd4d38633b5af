/**
 * Backups and restores of a tenant's VMs through Cozystack's backup API
 * (`backups.cozystack.io/v1alpha1`: Plan, BackupJob, Backup, RestoreJob), always with the user's
 * identity: Cozystack's `cozy:backups:view` role (aggregated to tenant view) lets every member read
 * them, `cozy:backups:admin` (tenant admin) creates Plans, BackupJobs and RestoreJobs; Backups are
 * read-only for tenants. The portal's own checks come first (lib/shared/permissions.ts) so the
 * user gets a clear message; the cluster stays the final authority.
 *
 * Shapes and behaviour: cozystack/cozystack api/backups/v1alpha1/*_types.go and DESIGN.md,
 * internal/backupcontroller/velerostrategy_controller.go (restore options),
 * examples/backups/vmi/scenario-user-restore.md (in place vs copy).
 */
import crypto from "node:crypto";
import { kinds, resourcePath } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import { assertUrlName } from "../k8s/names";
import { AppError, invalidField } from "../errors";
import { getTenantAccess, type TenantAccess } from "../tenancy/tenancy";
import type { Principal } from "../auth/auth";
import { assertVmUrlName, exists } from "../vms/vms";
import { createWithinQuota, existingVmQuotaRequest } from "../quota/quota";
import { can, permissionTable } from "../../shared/permissions";
import {
  backupTtlHours, type BackupInfo, type BackupJobInfo, type BackupPhase, type BackupPlanInfo, type BackupsOverview,
  type JobPhase, type RestoreJobInfo, type RestoreRequest, isFinalJobPhase,
} from "../../shared/backup";

/** The BackupClass the portal asks for: `HIKUBE_BACKUP_CLASS`, default Cozystack's `cozy-default`. */
export function backupClassName(): string {
  return process.env.HIKUBE_BACKUP_CLASS || "cozy-default";
}

const appsGroup = "apps.cozystack.io";

/** An application reference (corev1.TypedLocalObjectReference). */
interface ApplicationRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

interface Meta {
  name: string;
  namespace?: string;
  creationTimestamp?: string;
  ownerReferences?: { kind: string; name: string }[];
}

/** Cozystack's Backup, as read here. */
export interface BackupObject {
  metadata: Meta;
  spec: { applicationRef: ApplicationRef; planRef?: { name: string }; takenAt: string };
  status?: { phase?: BackupPhase; artifact?: { uri: string; sizeBytes?: number; checksum?: string } };
}

/** Cozystack's BackupJob, as read here. */
export interface BackupJobObject {
  metadata: Meta;
  spec: { applicationRef: ApplicationRef; planRef?: { name: string }; backupClassName: string };
  status?: { phase?: JobPhase; backupRef?: { name: string }; startedAt?: string; completedAt?: string; message?: string };
}

/** Cozystack's Plan, as read here. */
export interface PlanObject {
  metadata: Meta;
  spec: { applicationRef: ApplicationRef; backupClassName: string; schedule: { type?: string; cron?: string } };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** Cozystack's RestoreJob, as read here. */
export interface RestoreJobObject {
  metadata: Meta;
  spec: { backupRef: { name: string }; targetApplicationRef?: ApplicationRef; options?: { targetNamespace?: string } };
  status?: { phase?: JobPhase; startedAt?: string; completedAt?: string; message?: string };
}

type List<T> = { items: T[] };

/** Backup → what the portal shows; `expiresAt` is takenAt + the strategy's 720 h. */
export function toBackupInfo(b: BackupObject): BackupInfo {
  const takenAt = b.spec.takenAt ?? b.metadata.creationTimestamp ?? "";
  const expires = Date.parse(takenAt) + backupTtlHours * 3600_000;
  return {
    name: b.metadata.name,
    vm: b.spec.applicationRef?.name ?? "",
    takenAt,
    expiresAt: Number.isFinite(expires) ? new Date(expires).toISOString() : "",
    phase: b.status?.phase ?? "",
    sizeBytes: typeof b.status?.artifact?.sizeBytes === "number" ? b.status.artifact.sizeBytes : null,
    checksum: b.status?.artifact?.checksum ?? null,
    origin: b.spec.planRef?.name ? "plan" : "manual",
    plan: b.spec.planRef?.name ?? null,
  };
}

/** BackupJob → what the portal shows. */
export function toBackupJobInfo(j: BackupJobObject): BackupJobInfo {
  return {
    name: j.metadata.name,
    vm: j.spec.applicationRef?.name ?? "",
    phase: j.status?.phase ?? "",
    createdAt: j.metadata.creationTimestamp ?? "",
    startedAt: j.status?.startedAt ?? null,
    completedAt: j.status?.completedAt ?? null,
    message: j.status?.message || null,
    origin: j.spec.planRef?.name ? "plan" : "manual",
    plan: j.spec.planRef?.name ?? null,
    backup: j.status?.backupRef?.name ?? null,
  };
}

/** Plan → what the portal shows. */
export function toPlanInfo(p: PlanObject): BackupPlanInfo {
  const error = p.status?.conditions?.find((c) => c.type === "Error" && c.status === "True");
  return {
    name: p.metadata.name,
    vm: p.spec.applicationRef?.name ?? "",
    cron: p.spec.schedule?.cron ?? "",
    createdAt: p.metadata.creationTimestamp ?? "",
    error: error?.message ?? (error ? "Error" : null),
  };
}

/**
 * RestoreJob → what the portal shows.
 * @param backups the tenant's Backups by name (a restore names only its Backup)
 * @param tenantOfNamespace the tenant of a copy's target namespace (`tenant-<name>` → name)
 */
export function toRestoreJobInfo(r: RestoreJobObject, backups: Map<string, BackupInfo>, ownNamespace: string): RestoreJobInfo {
  const targetNamespace = r.spec.options?.targetNamespace;
  const copy = targetNamespace && targetNamespace !== ownNamespace ? targetNamespace : null;
  return {
    name: r.metadata.name,
    backup: r.spec.backupRef?.name ?? "",
    vm: r.spec.targetApplicationRef?.name ?? backups.get(r.spec.backupRef?.name)?.vm ?? "",
    targetTenant: copy ? copy.replace(/^tenant-/, "") : null,
    phase: r.status?.phase ?? "",
    createdAt: r.metadata.creationTimestamp ?? "",
    startedAt: r.status?.startedAt ?? null,
    completedAt: r.status?.completedAt ?? null,
    message: r.status?.message || null,
  };
}

const newestFirst = <T extends { createdAt?: string; takenAt?: string; name: string }>(a: T, b: T) =>
  (b.takenAt ?? b.createdAt ?? "").localeCompare(a.takenAt ?? a.createdAt ?? "") || a.name.localeCompare(b.name);

/** The most backup plans one VM may have. */
export const maxPlansPerVm = 4;

/** The field selector of one VM's objects (Plan, BackupJob and Backup declare these selectable fields). */
const vmSelector = (vm: string) => `spec.applicationRef.kind=VMInstance,spec.applicationRef.name=${vm}`;

/**
 * Everything about the backups of a tenant, or of one VM (`vm`): Backups, BackupJobs, Plans and
 * RestoreJobs, newest first. One VM's BackupJobs and Plans are selected by the cluster (field
 * selectors on `spec.applicationRef`); its Backups and RestoreJobs are filtered here (RestoreJobs
 * have no such field and name only their Backup, so every Backup is read once).
 * @param vm a VM name from the query: a malformed one answers not_found like a missing VM; a VM
 *   that no longer exists still has its backups listed
 * @throws AppError forbidden (cluster RBAC), cluster_unavailable
 */
export async function backupsOverview(access: TenantAccess, vm?: string): Promise<BackupsOverview> {
  if (vm !== undefined) assertVmUrlName(vm);
  const namespace = access.tenant.namespace;
  const query = vm ? { fieldSelector: vmSelector(vm) } : undefined;
  const list = <T>(kind: (typeof kinds)[keyof typeof kinds], withQuery: boolean) =>
    kubeRequest<List<T>>(access.identity, { path: resourcePath(kind, { namespace }), query: withQuery ? query : undefined });
  // Every Backup is read (not only this VM's): RestoreJobs have no selectable field and name only
  // their Backup, whose VM tells whether a restore belongs to this VM's tab.
  const [backups, jobs, plans, restores] = await Promise.all([
    list<BackupObject>(kinds.Backup, false),
    list<BackupJobObject>(kinds.BackupJob, true),
    list<PlanObject>(kinds.Plan, true),
    list<RestoreJobObject>(kinds.RestoreJob, false),
  ]);
  // The portal's backups are VMs' (Cozystack's other applications have theirs elsewhere).
  const isVm = (o: { spec: { applicationRef?: ApplicationRef } }) => o.spec.applicationRef?.kind === "VMInstance";
  const everyBackup = backups.items.filter(isVm).map(toBackupInfo).sort(newestFirst);
  const byName = new Map(everyBackup.map((b) => [b.name, b]));
  const backupInfos = vm ? everyBackup.filter((b) => b.vm === vm) : everyBackup;
  const restoreInfos = restores.items.map((r) => toRestoreJobInfo(r, byName, namespace))
    .filter((r) => !vm || (r.vm === vm && r.targetTenant === null) || byName.get(r.backup)?.vm === vm)
    .sort(newestFirst);
  return {
    backups: backupInfos,
    jobs: jobs.items.filter(isVm).map(toBackupJobInfo).sort(newestFirst),
    plans: plans.items.filter(isVm).map(toPlanInfo).sort(newestFirst),
    restores: restoreInfos,
    ttlHours: backupTtlHours,
  };
}

/** A name of `<vm>-<UTC yyyymmdd-hhmmss>-<4 hex>` for a new BackupJob (and so its Backup). */
export function backupJobName(vm: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${vm}-${stamp}-${crypto.randomBytes(2).toString("hex")}`;
}

/**
 * "Back up now": a BackupJob of VM `vm` with the configured BackupClass (no planRef).
 * @param vm from the URL path: a malformed name answers not_found, like a missing VM
 * @returns the new job (phase `""` until the controller picks it up)
 * @throws AppError not_found `vm_not_found` when there is no such VM; forbidden; cluster_unavailable
 */
export async function createBackupJob(access: TenantAccess, vm: string): Promise<BackupJobInfo> {
  assertVmUrlName(vm);
  if (!(await exists(access, kinds.VMInstance, vm))) throw new AppError("not_found", "vm_not_found", { name: vm });
  const namespace = access.tenant.namespace;
  const job = await kubeRequest<BackupJobObject>(access.identity, {
    method: "POST",
    path: resourcePath(kinds.BackupJob, { namespace }),
    body: {
      apiVersion: "backups.cozystack.io/v1alpha1", kind: "BackupJob",
      metadata: { name: backupJobName(vm), namespace },
      spec: { applicationRef: { apiGroup: appsGroup, kind: "VMInstance", name: vm }, backupClassName: backupClassName() },
    },
  });
  return toBackupJobInfo(job);
}

/**
 * A Plan backing up VM `vm` on `cron` (5 fields, UTC; already checked by lib/shared/backup.ts
 * `createPlanSchema`). Named `<vm>-plan-<6 hex>`. At most {@link maxPlansPerVm} per VM: each plan
 * adds a backup per run, kept 720 h, and a tenant cannot delete backups.
 * @throws AppError not_found `vm_not_found`; conflict `plan_limit`; forbidden; cluster_unavailable
 */
export async function createPlan(access: TenantAccess, vm: string, cron: string): Promise<BackupPlanInfo> {
  assertVmUrlName(vm);
  if (!(await exists(access, kinds.VMInstance, vm))) throw new AppError("not_found", "vm_not_found", { name: vm });
  const namespace = access.tenant.namespace;
  const existing = await kubeRequest<List<PlanObject>>(access.identity, { path: resourcePath(kinds.Plan, { namespace }), query: { fieldSelector: vmSelector(vm) } });
  if (existing.items.length >= maxPlansPerVm) throw new AppError("conflict", "plan_limit", { vm, max: maxPlansPerVm });
  const plan = await kubeRequest<PlanObject>(access.identity, {
    method: "POST",
    path: resourcePath(kinds.Plan, { namespace }),
    body: {
      apiVersion: "backups.cozystack.io/v1alpha1", kind: "Plan",
      metadata: { name: `${vm}-plan-${crypto.randomBytes(3).toString("hex")}`, namespace },
      spec: { applicationRef: { apiGroup: appsGroup, kind: "VMInstance", name: vm }, backupClassName: backupClassName(), schedule: { type: "cron", cron } },
    },
  });
  return toPlanInfo(plan);
}

/**
 * Deletes Plan `plan` (its BackupJobs go with it, their Backups stay until they expire).
 * @param plan from the URL path: a malformed name answers not_found
 * @throws AppError not_found `plan_not_found`; forbidden; cluster_unavailable
 */
export async function deletePlan(access: TenantAccess, plan: string): Promise<{ deleted: string }> {
  assertUrlName("dns1123Subdomain", plan, "plan_not_found");
  try {
    await kubeRequest(access.identity, { method: "DELETE", path: resourcePath(kinds.Plan, { namespace: access.tenant.namespace, name: plan }) });
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") throw new AppError("not_found", "plan_not_found", { name: plan });
    throw err;
  }
  return { deleted: plan };
}

/**
 * Restores Backup `backup`: in place (the VM is halted, its disks replaced by the backup's, it
 * keeps its IP and MAC and runs again as before) or as a copy into another tenant the user
 * administers (same VM name there; the source VM is untouched). One RestoreJob in the backup's own
 * namespace, as Cozystack's examples make them (`options.targetNamespace` for a copy).
 * @param backup from the URL path: a malformed name answers not_found
 * @returns the new RestoreJob
 * @throws AppError not_found `backup_not_found`, or `tenant_not_found` (field `tenant`) for a copy
 *   target the user is not a member of; forbidden `role_too_low` (admin needed in the target);
 *   conflict `backup_not_ready`, `restore_in_progress` (another restore of this VM runs),
 *   `vm_exists_in_tenant` (the copy's name is taken there); quota_exceeded (the copy does not fit
 *   the target tenant's quota); invalid `tenant` (the backup's own tenant); cluster_unavailable
 */
export async function restoreBackup(principal: Principal, access: TenantAccess, backup: string, request: RestoreRequest): Promise<RestoreJobInfo> {
  assertUrlName("dns1123Subdomain", backup, "backup_not_found");
  const namespace = access.tenant.namespace;
  let found: BackupObject;
  try {
    found = await kubeRequest<BackupObject>(access.identity, { path: resourcePath(kinds.Backup, { namespace, name: backup }) });
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") throw new AppError("not_found", "backup_not_found", { name: backup });
    throw err;
  }
  if (found.spec.applicationRef?.kind !== "VMInstance") throw new AppError("not_found", "backup_not_found", { name: backup });
  const info = toBackupInfo(found);
  if (info.phase !== "Ready") throw new AppError("conflict", "backup_not_ready", { name: backup, phase: info.phase || "Pending" });
  const vm = info.vm;
  const restores = await kubeRequest<List<RestoreJobObject>>(access.identity, { path: resourcePath(kinds.RestoreJob, { namespace }) });
  const backupVms = new Map<string, string>();
  const running = restores.items.filter((r) => !isFinalJobPhase(r.status?.phase ?? ""));
  if (running.length > 0) {
    const all = await kubeRequest<List<BackupObject>>(access.identity, { path: resourcePath(kinds.Backup, { namespace }) });
    for (const b of all.items) backupVms.set(b.metadata.name, b.spec.applicationRef?.name);
  }
  if (running.some((r) => (r.spec.targetApplicationRef?.name ?? backupVms.get(r.spec.backupRef?.name)) === vm && !r.spec.options?.targetNamespace)) {
    throw new AppError("conflict", "restore_in_progress", { vm });
  }

  if (request.mode === "copy") {
    const target = await getTenantAccess(principal, request.tenant);
    if (!target) throw new AppError("not_found", "tenant_not_found", { tenant: request.tenant }, { field: "tenant" });
    if (target.tenant.id === access.tenant.id) throw invalidField("tenant", "copyElsewhere");
    if (!can(target.role, "backup.restore")) {
      throw new AppError("forbidden", "role_too_low", { tenant: target.tenant.name, role: target.role, needed: permissionTable["backup.restore"] }, { field: "tenant" });
    }
    if (await exists(target, kinds.VMInstance, vm)) throw new AppError("conflict", "vm_exists_in_tenant", { name: vm, tenant: target.tenant.name }, { field: "tenant" });
    const options = { targetNamespace: target.tenant.namespace, failIfTargetExists: true, keepOriginalPVC: false, keepOriginalIpAndMac: false };
    // The copy is a new VM of the target tenant: it must fit that tenant's quota (the VM's current
    // size and disks, or one VM when the source is gone), checked under the target's quota lock.
    const amounts = (await existingVmQuotaRequest(access, vm)) ?? { vmCount: 1 };
    return createWithinQuota(target, amounts, () => createRestoreJob(access, info, options));
  }
  return createRestoreJob(access, info, { failIfTargetExists: true, keepOriginalPVC: true, keepOriginalIpAndMac: true });
}

/** Creates the RestoreJob of Backup `backup` (VMInstance `backup.vm`) in the tenant's namespace. */
async function createRestoreJob(access: TenantAccess, backup: BackupInfo, options: Record<string, unknown>): Promise<RestoreJobInfo> {
  const namespace = access.tenant.namespace;
  const job = await kubeRequest<RestoreJobObject>(access.identity, {
    method: "POST",
    path: resourcePath(kinds.RestoreJob, { namespace }),
    body: {
      apiVersion: "backups.cozystack.io/v1alpha1", kind: "RestoreJob",
      metadata: { generateName: `${backup.name.slice(0, 200)}-restore-`, namespace },
      spec: { backupRef: { name: backup.name }, targetApplicationRef: { apiGroup: appsGroup, kind: "VMInstance", name: backup.vm }, options },
    },
  });
  return toRestoreJobInfo(job, new Map([[backup.name, backup]]), namespace);
}
