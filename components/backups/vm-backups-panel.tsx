"use client";

import { useTranslations } from "next-intl";
import { useRef, useState } from "react";
import { useAnnounce } from "@/components/shell/live-announcer";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, panelClass } from "@/components/ui/styles";
import { useFocusRescue } from "@/components/ui/use-focus-rescue";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { backupTtlHours, type BackupInfo } from "@/lib/shared/backup";
import { BackupJobsList } from "./backup-jobs";
import { AddPlanForm, BackupPlansSection } from "./backup-plans";
import { BackupsTable } from "./backups-table";
import { RestoreDialog } from "./restore-dialog";
import { useBackUpNow, useBackups } from "./use-backups";

/**
 * The Backups tab of the VM page (VM `name` of the current tenant), top to bottom: "Back up now"
 * and how long backups are kept; jobs under way (live, polled every 2 s) and failed in the last
 * day; the VM's backups with Restore; its backup plans with "Add a plan". Actions the user's role
 * cannot do are not shown; a viewer reads one sentence saying so.
 */
export function VmBackupsPanel({ name }: { name: string }) {
  const tenant = useTenant();
  const t = useTranslations("Backups");
  const tRole = useTranslations("Roles");
  const errorMessage = useApiErrorMessage();
  const announce = useAnnounce();
  const overview = useBackups(tenant.name, name);
  const backUp = useBackUpNow(tenant.name);
  const [restoring, setRestoring] = useState<BackupInfo | null>(null);
  const groupRef = useRef<HTMLDivElement>(null);
  useFocusRescue(groupRef);
  const canCreate = tenant.can("backup.create");
  const canSchedule = tenant.can("backup.schedule");
  const canRestore = tenant.can("backup.restore");
  const hours = overview.data?.ttlHours ?? backupTtlHours;
  const data = overview.data;

  return (
    <div className="space-y-6">
      <div className="space-y-2">
        {canCreate && (
          <div ref={groupRef} role="group" aria-label={t("backUpNow")} tabIndex={-1} className="flex flex-wrap items-center gap-3 focus:outline-none">
            <button type="button" className={buttonClass("primary")} disabled={backUp.isPending} aria-busy={backUp.isPending}
              onClick={() => backUp.mutate(name, { onSuccess: () => announce(t("backUpStarted", { vm: name })) })}>
              {backUp.isPending && <Spinner />}
              {t("backUpNow")}
            </button>
          </div>
        )}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("retention", { hours, days: Math.round(hours / 24) })}</p>
        {!canCreate && <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("readOnly", { role: tRole(tenant.role) })}</p>}
        {backUp.isError && <Alert tone="error">{t("backUpError", { message: errorMessage(backUp.error) })}</Alert>}
      </div>

      {!data && overview.error && <Alert tone="error">{t("loadError", { message: errorMessage(overview.error) })}</Alert>}
      {!data && !overview.error && (
        <div className={`${panelClass} space-y-3 p-4`} aria-busy="true">
          <p role="status" className="sr-only">{t("loading")}</p>
          {[0, 1, 2].map((i) => <Skeleton key={i} className="h-5" />)}
        </div>
      )}

      {data && (
        <>
          <BackupJobsList overview={data} />
          {data.backups.length === 0 ? (
            <section className={`${panelClass} px-6 py-10 text-center`} aria-labelledby="vm-backups-empty">
              <h2 id="vm-backups-empty" className="text-base font-semibold">{t("emptyTitle")}</h2>
              <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">{canCreate ? t("emptyBody") : t("emptyBodyReadOnly")}</p>
            </section>
          ) : (
            <BackupsTable tenant={tenant.name} backups={data.backups} caption={t("caption", { name })} showVm={false}
              onRestore={canRestore ? setRestoring : null} />
          )}
          <BackupPlansSection tenant={tenant.name} plans={data.plans} showVm={false} canDelete={canSchedule}>
            {canSchedule && <AddPlanForm tenant={tenant.name} vm={name} />}
          </BackupPlansSection>
        </>
      )}

      {restoring && <RestoreDialog tenant={tenant.name} backup={restoring} onClose={() => setRestoring(null)} />}
    </div>
  );
}
