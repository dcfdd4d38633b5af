"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { panelClass } from "@/components/ui/styles";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { backupTtlHours, type BackupInfo } from "@/lib/shared/backup";
import { BackupJobsList } from "./backup-jobs";
import { BackupPlansSection } from "./backup-plans";
import { BackupsTable } from "./backups-table";
import { RestoreDialog } from "./restore-dialog";
import { useBackups } from "./use-backups";

/**
 * `/t/{tenant}/backups`: every backup of the tenant's VMs (with a VM column linking to the VM's
 * Backups tab, where "Back up now" and new plans live), the jobs under way or failed in the last
 * day, and every backup plan with its VM. Restore and plan deletion follow the user's role.
 */
export function TenantBackups() {
  const tenant = useTenant();
  const t = useTranslations("Backups");
  const tRole = useTranslations("Roles");
  const errorMessage = useApiErrorMessage();
  const overview = useBackups(tenant.name);
  const [restoring, setRestoring] = useState<BackupInfo | null>(null);
  const canRestore = tenant.can("backup.restore");
  const data = overview.data;
  const hours = data?.ttlHours ?? backupTtlHours;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
          <span>{tenant.displayName}</span>
          {data && <span aria-hidden="true">·</span>}
          {data && <span>{t("count", { count: data.backups.length })}</span>}
        </p>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{t("retention", { hours, days: Math.round(hours / 24) })}</p>
        {!tenant.can("backup.create") && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("readOnly", { role: tRole(tenant.role) })}</p>}
      </div>

      {!data && overview.error && <Alert tone="error">{t("loadError", { message: errorMessage(overview.error) })}</Alert>}
      {!data && !overview.error && (
        <div className={`${panelClass} space-y-3 p-4`} aria-busy="true">
          <p role="status" className="sr-only">{t("loading")}</p>
          {[0, 1, 2, 3].map((i) => <Skeleton key={i} className="h-5" />)}
        </div>
      )}

      {data && (
        <>
          <BackupJobsList overview={data} />
          {data.backups.length === 0 ? (
            <section className={`${panelClass} px-6 py-14 text-center`} aria-labelledby="backups-empty-title">
              <h2 id="backups-empty-title" className="text-lg font-semibold">{t("emptyTitle")}</h2>
              <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
                {tenant.can("backup.create") ? t("emptyBodyTenant") : t("emptyBodyReadOnly")}
              </p>
            </section>
          ) : (
            <BackupsTable tenant={tenant.name} backups={data.backups} caption={t("caption", { name: tenant.displayName })} showVm
              onRestore={canRestore ? setRestoring : null} />
          )}
          <BackupPlansSection tenant={tenant.name} plans={data.plans} showVm canDelete={tenant.can("backup.schedule")} />
        </>
      )}

      {restoring && <RestoreDialog tenant={tenant.name} backup={restoring} onClose={() => setRestoring(null)} />}
    </div>
  );
}
