"use client";

/**
 * Data hooks of the backup feature. A tenant's (or one VM's) backups overview lives in React Query
 * under `backupKeys.overview(tenant, vm)`, polled: every 2 s while a BackupJob or RestoreJob is
 * under way (the "live progress"), every 15 s otherwise (Plans add Backups on their own). Every
 * mutation invalidates the tenant's backup queries; a restore also the tenant's VMs (a restore in
 * place halts and restarts its VM, a copy may land in this tenant's lists).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { backUpVm, createBackupPlan, deleteBackupPlan, fetchBackups, fetchTenants, restoreBackup } from "@/lib/client/api";
import { backupKeys, tenantKeys, vmKeys } from "@/lib/client/query-keys";
import { isFinalJobPhase, type BackupsOverview, type RestoreRequest } from "@/lib/shared/backup";

/** Polling period of the overview while a job is under way, in milliseconds. */
export const busyPollMs = 2_000;
/** Polling period of the overview while every job is final, in milliseconds. */
export const idlePollMs = 15_000;

/** Whether any BackupJob or RestoreJob of `overview` is not final yet (Pending, Running, or no phase). */
export function hasJobsUnderWay(overview: BackupsOverview | undefined): boolean {
  if (!overview) return false;
  return overview.jobs.some((j) => !isFinalJobPhase(j.phase)) || overview.restores.some((r) => !isFinalJobPhase(r.phase));
}

/**
 * The backups, BackupJobs, Plans and RestoreJobs of tenant `tenant` (all VMs), or of VM `vm` only,
 * newest first; polled every {@link busyPollMs} while a job is under way, else every {@link idlePollMs}.
 */
export function useBackups(tenant: string, vm?: string) {
  return useQuery({
    queryKey: backupKeys.overview(tenant, vm),
    queryFn: ({ signal }) => fetchBackups(tenant, vm, signal),
    refetchInterval: (query) => (hasJobsUnderWay(query.state.data) ? busyPollMs : idlePollMs),
    staleTime: 0,
  });
}

/** "Back up now": starts a BackupJob of a VM (the mutation's variable is the VM's name). */
export function useBackUpNow(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (vm: string) => backUpVm(tenant, vm),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: backupKeys.tenant(tenant) }),
  });
}

/** Adds a Plan to a VM: `{ vm, cron }` with a 5-field cron expression in UTC. */
export function useCreateBackupPlan(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ vm, cron }: { vm: string; cron: string }) => createBackupPlan(tenant, vm, cron),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: backupKeys.tenant(tenant) }),
  });
}

/** Deletes a Plan (the variable is the Plan's name); the Backups it made stay until they expire. */
export function useDeleteBackupPlan(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (plan: string) => deleteBackupPlan(tenant, plan),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: backupKeys.tenant(tenant) }),
  });
}

/** Restores a Backup in place or as a copy into another tenant: `{ backup, request }`. */
export function useRestoreBackup(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ backup, request }: { backup: string; request: RestoreRequest }) => restoreBackup(tenant, backup, request),
    onSuccess: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: backupKeys.tenant(tenant) }),
      queryClient.invalidateQueries({ queryKey: vmKeys.tenant(tenant) }),
    ]),
  });
}

/** The signed-in user's tenants with their role (`GET /api/tenants`), e.g. for the targets of a copy. */
export function useMyTenants(enabled = true) {
  return useQuery({
    queryKey: tenantKeys.list(),
    queryFn: ({ signal }) => fetchTenants(signal),
    staleTime: 60_000,
    enabled,
  });
}
