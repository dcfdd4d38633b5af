/**
 * The browser's API client: one fetch wrapper that turns the server's error body
 * (`{ error: { code, reason, params, message, field?, details? } }`, lib/shared/api-errors.ts) into
 * a typed {@link ApiError}, and one function per endpoint the pages use. Pages show an ApiError
 * through lib/client/api-error-message.ts, in the user's language. Same-origin only: cookies carry the session and the browser's `Origin`
 * header satisfies the server's cross-site check on mutations.
 */
import type { BackupJobInfo, BackupPlanInfo, BackupsOverview, RestoreJobInfo, RestoreRequest } from "@/lib/shared/backup";
import type { Catalogue, CreateVmRequest, EditVmInput, VmEditResult, VmEvent, VmSummary } from "@/lib/shared/vm";
import type { CreateDiskRequest, DiskSummary, StorageClassInfo, VmDetail } from "@/lib/shared/disk";
import type { TenantRole } from "@/lib/shared/permissions";
import type { QuotaAmounts, QuotaStatus } from "@/lib/shared/quota";
import type { AdminMember, AdminTenant } from "@/lib/shared/admin";
import type { AuditPage } from "@/lib/shared/audit";
import type { MetricGraph, MetricRange, TenantMetrics, VmMetrics } from "@/lib/shared/metrics";
import type { ApiErrorBody, ApiErrorReason, ErrorParams } from "@/lib/shared/api-errors";

/**
 * An error answer of the portal API (or a network failure, status 0). `message` is the server's
 * English text (for logs); pages show `reason` + `params` in the user's language.
 */
export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer */
  readonly status: number;
  /** the category, e.g. `invalid`, `conflict`, `cluster_unavailable`, `network` */
  readonly code: string;
  /**
   * what exactly went wrong, a key of the `ApiErrors` messages: the server's, or `network` (no
   * answer) / `http_error` (an answer without the portal's error body, e.g. from a proxy)
   */
  readonly reason: ApiErrorReason;
  /** the reason's arguments */
  readonly params: ErrorParams;
  /** dotted input path of a 422, e.g. `sshKeys.0` */
  readonly field?: string;
  /** machine-readable details, e.g. `{ over }` of a quota edit below usage */
  readonly details?: unknown;

  constructor(status: number, error: { code: string; reason: ApiErrorReason; params?: ErrorParams; message: string; field?: string; details?: unknown }) {
    super(error.message);
    this.name = "ApiError";
    this.status = status;
    this.code = error.code;
    this.reason = error.reason;
    this.params = error.params ?? {};
    this.field = error.field;
    this.details = error.details;
  }
}

/**
 * The {@link ApiError} of an answer with status `status` and body `body` (parsed JSON, or null):
 * the portal's error body when it has one, else `http_error` with the status.
 */
export function apiErrorOf(status: number, body: unknown, statusText: string): ApiError {
  const e = (body as Partial<ApiErrorBody> | null)?.error;
  if (e && typeof e.code === "string" && typeof e.reason === "string" && typeof e.message === "string") return new ApiError(status, e);
  return new ApiError(status, {
    code: typeof e?.code === "string" ? e.code : `http_${status}`,
    reason: "http_error",
    params: { status },
    message: typeof e?.message === "string" ? e.message : statusText || `HTTP ${status}`,
    field: e?.field,
    details: e?.details,
  });
}

/** The {@link ApiError} of a request that got no answer (`detail`: the browser's own words, for logs). */
export function networkError(detail: string): ApiError {
  return new ApiError(0, { code: "network", reason: "network", message: detail });
}

/** Whether `err` is an {@link ApiError} with one of `statuses`. */
export function isApiError(err: unknown, ...statuses: number[]): err is ApiError {
  return err instanceof ApiError && (statuses.length === 0 || statuses.includes(err.status));
}

/**
 * Calls the portal API and parses the JSON answer.
 * @param path absolute path, e.g. `/api/tenants`
 * @param init method and JSON body (sent with `Content-Type: application/json`)
 * @throws ApiError for any non-2xx answer, or status 0 / code `network` when fetch itself fails
 */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers: { Accept: "application/json", ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      credentials: "same-origin",
      signal: init.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw networkError(err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) throw apiErrorOf(res.status, body, res.statusText);
  return body as T;
}

/** One tenant of `GET /api/tenants`. */
export interface TenantListItem {
  name: string;
  displayName: string;
  role: TenantRole;
}

const tenantPath = (tenant: string) => `/api/tenants/${encodeURIComponent(tenant)}`;

/** `GET /api/tenants`: the signed-in user's tenants. */
export const fetchTenants = (signal?: AbortSignal) => apiFetch<TenantListItem[]>("/api/tenants", { signal });

/** `GET /api/tenants/{tenant}/catalogue`: instance types, OS profiles, golden images. */
export const fetchCatalogue = (tenant: string, signal?: AbortSignal) => apiFetch<Catalogue>(`${tenantPath(tenant)}/catalogue`, { signal });

/** `GET /api/tenants/{tenant}/vms`: the tenant's VMs, newest first. */
export const fetchVms = (tenant: string, signal?: AbortSignal) => apiFetch<VmSummary[]>(`${tenantPath(tenant)}/vms`, { signal });

/** `POST /api/tenants/{tenant}/vms` → the created VM (422 names the field, 409 when the name is taken). */
export const createVm = (tenant: string, request: CreateVmRequest) =>
  apiFetch<VmSummary>(`${tenantPath(tenant)}/vms`, { method: "POST", body: request });

/** `DELETE /api/tenants/{tenant}/vms/{name}`, optionally with the VM's disks. */
export const deleteVm = (tenant: string, name: string, withDisks: boolean) =>
  apiFetch<{ deletedDisks: string[] }>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}?withDisks=${withDisks}`, { method: "DELETE" });

/** The Server-Sent Events URL of a tenant's live VM list. */
export const vmEventsUrl = (tenant: string, known?: string | null) =>
  `${tenantPath(tenant)}/vms/events${known ? `?known=${encodeURIComponent(known)}` : ""}`;

/** A power action of `POST /api/tenants/{tenant}/vms/{name}/{action}` (pause and unpause included). */
export type PowerAction = "start" | "stop" | "restart" | "pause" | "unpause";

/** `POST /api/tenants/{tenant}/vms/{name}/{start|stop|restart|pause|unpause}` → 202; 409 carries KubeVirt's reason. */
export const powerVm = (tenant: string, name: string, action: PowerAction) =>
  apiFetch<{ accepted: true }>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/${action}`, { method: "POST" });

/** The two consoles of a VM: the serial console and the VNC screen. */
export type ConsoleKind = "console" | "vnc";

/**
 * The same-origin WebSocket URL of a VM's console relay (lib/server/console/relay.ts), from the
 * page's own location. `preserveSession` refuses (close 4503) instead of taking over another
 * session.
 */
export function consoleSocketUrl(tenant: string, name: string, kind: ConsoleKind, preserveSession: boolean): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/${kind}${preserveSession ? "?preserveSession=true" : ""}`;
}

/**
 * `GET /api/tenants/{tenant}/vms/{name}/{console|vnc}` without an upgrade: the relay's checks as an
 * HTTP status (200, 401, 403, 404, 429; 0 when the portal is unreachable) and the refusal.
 */
export async function checkConsoleAccess(tenant: string, name: string, kind: ConsoleKind): Promise<{ status: number; error?: ApiError }> {
  try {
    await apiFetch(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/${kind}`);
    return { status: 200 };
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, error: err };
    return { status: 0 };
  }
}

/** `GET /api/tenants/{tenant}/quota`: limits and usage. */
export const fetchQuota = (tenant: string, signal?: AbortSignal) => apiFetch<QuotaStatus>(`${tenantPath(tenant)}/quota`, { signal });

const adminTenantPath = (tenant: string) => `/api/admin/tenants/${encodeURIComponent(tenant)}`;

/** Platform admin API (`/api/admin/**`). */
export const adminApi = {
  listTenants: (signal?: AbortSignal) => apiFetch<AdminTenant[]>("/api/admin/tenants", { signal }),
  createTenant: (body: { name: string; displayName: string; quota: QuotaAmounts }) =>
    apiFetch<AdminTenant>("/api/admin/tenants", { method: "POST", body }),
  updateTenant: (tenant: string, displayName: string) => apiFetch<AdminTenant>(adminTenantPath(tenant), { method: "PATCH", body: { displayName } }),
  deleteTenant: (tenant: string, confirm: string) =>
    apiFetch<{ deleted: string }>(`${adminTenantPath(tenant)}?confirm=${encodeURIComponent(confirm)}`, { method: "DELETE" }),
  getQuota: (tenant: string, signal?: AbortSignal) => apiFetch<QuotaStatus>(`${adminTenantPath(tenant)}/quota`, { signal }),
  /** 409 with `details.over` (see {@link ApiError.details}) when below usage and not confirmed */
  updateQuota: (tenant: string, body: QuotaAmounts & { confirmOverUsage: boolean }) =>
    apiFetch<QuotaStatus>(`${adminTenantPath(tenant)}/quota`, { method: "PUT", body }),
  listMembers: (tenant: string, signal?: AbortSignal) => apiFetch<AdminMember[]>(`${adminTenantPath(tenant)}/members`, { signal }),
  addMember: (tenant: string, body: { username: string; level: TenantRole; displayName?: string; password?: string }) =>
    apiFetch<AdminMember>(`${adminTenantPath(tenant)}/members`, { method: "POST", body }),
  updateMember: (tenant: string, username: string, level: TenantRole) =>
    apiFetch<AdminMember>(`${adminTenantPath(tenant)}/members/${encodeURIComponent(username)}`, { method: "PATCH", body: { level } }),
  removeMember: (tenant: string, username: string) =>
    apiFetch<{ removed: string }>(`${adminTenantPath(tenant)}/members/${encodeURIComponent(username)}`, { method: "DELETE" }),
};

/** Audit filters as query parameters (empty values left out). */
export function auditQuery(filter: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  return params.toString();
}

/** `GET /api/audit`: one page, newest first. */
export const fetchAuditPage = (filter: Record<string, string | undefined>, signal?: AbortSignal) =>
  apiFetch<AuditPage>(`/api/audit?${auditQuery(filter)}`, { signal });

/** `GET /api/tenants/{tenant}/disks`: the tenant's disks, newest first. */
export const fetchDisks = (tenant: string, signal?: AbortSignal) => apiFetch<DiskSummary[]>(`${tenantPath(tenant)}/disks`, { signal });

/** The Server-Sent Events URL of a tenant's live disk list. */
export const diskEventsUrl = (tenant: string) => `${tenantPath(tenant)}/disks?watch=true`;

/** `POST /api/tenants/{tenant}/disks` → the created disk (422 names the field, 409 when the name is taken). */
export const createDisk = (tenant: string, request: CreateDiskRequest) =>
  apiFetch<DiskSummary>(`${tenantPath(tenant)}/disks`, { method: "POST", body: request });

/** `PATCH /api/tenants/{tenant}/disks/{name}` `{ storage }`: grows a disk (422 on shrink). */
export const growDisk = (tenant: string, name: string, storage: string) =>
  apiFetch<DiskSummary>(`${tenantPath(tenant)}/disks/${encodeURIComponent(name)}`, { method: "PATCH", body: { storage } });

/** `DELETE /api/tenants/{tenant}/disks/{name}` (409 naming the VM when attached). */
export const deleteDisk = (tenant: string, name: string) =>
  apiFetch<{ deleted: string }>(`${tenantPath(tenant)}/disks/${encodeURIComponent(name)}`, { method: "DELETE" });

/** `GET /api/tenants/{tenant}/storageclasses`: the cluster's StorageClasses, default first. */
export const fetchStorageClasses = (tenant: string, signal?: AbortSignal) => apiFetch<StorageClassInfo[]>(`${tenantPath(tenant)}/storageclasses`, { signal });

/** `GET /api/tenants/{tenant}/vms/{name}`: the VM and its disks in boot order. */
export const fetchVmDetail = (tenant: string, name: string, signal?: AbortSignal) =>
  apiFetch<VmDetail>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}`, { signal });

/**
 * `GET /api/tenants/{tenant}/vms/{name}/metrics?graph=&range=`: one graph's series (lib/shared/metrics.ts).
 * @throws ApiError 503 `metrics_not_configured` / `metrics_unavailable`, 404 for a missing VM
 */
export const fetchVmMetrics = (tenant: string, name: string, graph: MetricGraph, range: MetricRange, signal?: AbortSignal) =>
  apiFetch<VmMetrics>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/metrics?graph=${graph}&range=${range}`, { signal });

/**
 * `GET /api/tenants/{tenant}/metrics?range=`: the tenant's CPU and memory against its quota and its
 * top VMs (lib/shared/metrics.ts `TenantMetrics`).
 * @throws ApiError 503 `metrics_not_configured` / `metrics_unavailable`, 404 for a tenant the user is not a member of
 */
export const fetchTenantMetrics = (tenant: string, range: MetricRange, signal?: AbortSignal) =>
  apiFetch<TenantMetrics>(`${tenantPath(tenant)}/metrics?range=${range}`, { signal });

/**
 * `PATCH /api/tenants/{tenant}/vms/{name}`: changes the given fields of a VM (edit form).
 * @throws ApiError 409 `conflict` with `details.reason === "stale"` when the VM changed since
 *   `resourceVersion`; 422 naming the field; 403 `quota_exceeded`
 */
export const editVm = (tenant: string, name: string, change: EditVmInput) =>
  apiFetch<VmEditResult>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}`, { method: "PATCH", body: change });

/** The VM page's live Events stream (`?watch=true`: snapshot, upsert, remove). */
export const vmEventsStreamUrl = (tenant: string, name: string) => `${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/events?watch=true`;

/** `GET /api/tenants/{tenant}/vms/{name}/events`: the VM's events, newest first. */
export const fetchVmEvents = (tenant: string, name: string, signal?: AbortSignal) =>
  apiFetch<VmEvent[]>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/events`, { signal });

/** The YAML tab's content (`GET /api/tenants/{tenant}/vms/{name}/yaml`; lib/server/vms/yaml.ts `VmYaml`). */
export interface VmYaml {
  /** the VMInstance as stored, without metadata.managedFields */
  instance: string;
  /** the VirtualMachine derived by the platform (read-only), or null when there is none yet */
  virtualMachine: string | null;
  /** the VMInstance's resourceVersion, sent back with an edit */
  resourceVersion: string;
  /** the JSON schema of `VMInstance.spec` as the cluster serves it; null when it could not be read */
  schema: Record<string, unknown> | null;
}

/** `GET /api/tenants/{tenant}/vms/{name}/yaml`: the VMInstance and VirtualMachine as YAML, the spec's schema. */
export const fetchVmYaml = (tenant: string, name: string, signal?: AbortSignal) =>
  apiFetch<VmYaml>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/yaml`, { signal });

/**
 * `PUT /api/tenants/{tenant}/vms/{name}/yaml` `{ yaml, resourceVersion }`: writes the edited
 * document's spec. 422 names the field (`yaml` with line and column for a syntax error, `foo` for
 * `spec.foo`); 409 with `details.reason` `stale` carries the stored `spec` and `resourceVersion`.
 */
export const saveVmYaml = (tenant: string, name: string, yaml: string, resourceVersion: string) =>
  apiFetch<VmEditResult>(`${tenantPath(tenant)}/vms/${encodeURIComponent(name)}/yaml`, { method: "PUT", body: { yaml, resourceVersion } });

/** `POST /api/tenants/{tenant}/vms/{name}/disks` `{ name }`: attaches a disk to a stopped VM. */
export const attachDisk = (tenant: string, vm: string, disk: string) =>
  apiFetch<VmDetail>(`${tenantPath(tenant)}/vms/${encodeURIComponent(vm)}/disks`, { method: "POST", body: { name: disk } });

/** `DELETE /api/tenants/{tenant}/vms/{name}/disks/{disk}`: detaches a disk from a stopped VM. */
export const detachDisk = (tenant: string, vm: string, disk: string) =>
  apiFetch<VmDetail>(`${tenantPath(tenant)}/vms/${encodeURIComponent(vm)}/disks/${encodeURIComponent(disk)}`, { method: "DELETE" });

/**
 * Uploads `file` into disk `name` (a disk with an upload source) through the portal, with
 * XMLHttpRequest because fetch reports no upload progress. The portal streams the bytes on to
 * CDI's upload proxy; the answer comes once the cluster has the whole file.
 * @param onProgress called with (bytes sent, total bytes) as the browser sends
 * @param signal aborting it cancels the upload (the promise rejects with an AbortError DOMException)
 * @throws ApiError for an error answer, or status 0 / code `network` when the connection broke
 */
export function uploadDiskFile(tenant: string, name: string, file: Blob, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${tenantPath(tenant)}/disks/${encodeURIComponent(name)}/upload`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: { bytes?: number } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve({ bytes: body?.bytes ?? file.size });
      reject(apiErrorOf(xhr.status, body, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, { code: "network", reason: "upload_connection_broke", message: "The connection to the portal broke during the upload." }));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    if (signal?.aborted) return reject(new DOMException("The upload was cancelled.", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** `GET /api/tenants/{tenant}/backups[?vm=]`: Backups, BackupJobs, Plans and RestoreJobs (one VM's with `vm`), newest first. */
export const fetchBackups = (tenant: string, vm?: string, signal?: AbortSignal) =>
  apiFetch<BackupsOverview>(`${tenantPath(tenant)}/backups${vm ? `?vm=${encodeURIComponent(vm)}` : ""}`, { signal });

/** `POST /api/tenants/{tenant}/vms/{name}/backups`: "Back up now" (a BackupJob). */
export const backUpVm = (tenant: string, vm: string) =>
  apiFetch<BackupJobInfo>(`${tenantPath(tenant)}/vms/${encodeURIComponent(vm)}/backups`, { method: "POST", body: {} });

/** `POST /api/tenants/{tenant}/vms/{name}/backup-plans`: a Plan on a 5-field cron schedule (UTC). */
export const createBackupPlan = (tenant: string, vm: string, cron: string) =>
  apiFetch<BackupPlanInfo>(`${tenantPath(tenant)}/vms/${encodeURIComponent(vm)}/backup-plans`, { method: "POST", body: { cron } });

/** `DELETE /api/tenants/{tenant}/backup-plans/{plan}`. */
export const deleteBackupPlan = (tenant: string, plan: string) =>
  apiFetch<{ deleted: string }>(`${tenantPath(tenant)}/backup-plans/${encodeURIComponent(plan)}`, { method: "DELETE" });

/** `POST /api/tenants/{tenant}/backups/{backup}/restore`: in place, or a copy into another tenant the user administers. */
export const restoreBackup = (tenant: string, backup: string, request: RestoreRequest) =>
  apiFetch<RestoreJobInfo>(`${tenantPath(tenant)}/backups/${encodeURIComponent(backup)}/restore`, { method: "POST", body: request });
