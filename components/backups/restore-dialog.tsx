"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useAnnounce } from "@/components/shell/live-announcer";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass } from "@/components/ui/styles";
import { isApiError } from "@/lib/client/api";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import type { BackupInfo, RestoreRequest } from "@/lib/shared/backup";
import { isRoleAtLeast } from "@/lib/shared/permissions";
import { useBackupFormat } from "./backup-format";
import { useMyTenants, useRestoreBackup } from "./use-backups";

type Mode = RestoreRequest["mode"];

/**
 * Restores `backup` of tenant `tenant`, after the user chose how (nothing is chosen at first, so
 * Enter cannot restore by accident): "Restore in place" (the VM halts, gets the backup's disks,
 * keeps its IP and MAC addresses and runs again; newer data is lost) or "Restore as a copy" into
 * another tenant where the user is an administrator (a new VM of the same name; this one is
 * untouched). Errors stay in the dialog (a `tenant` field error under the tenant select); on
 * success the live region says so and `onClose` is called (the job then shows in progress, and
 * the focus goes back to the row's Restore button).
 */
export function RestoreDialog({ tenant, backup, onClose }: { tenant: string; backup: BackupInfo; onClose: () => void }) {
  const t = useTranslations("Backups.restoreDialog");
  const tBackups = useTranslations("Backups");
  const format = useBackupFormat();
  const errorMessage = useApiErrorMessage();
  const announce = useAnnounce();
  const ids = useId();
  const mutation = useRestoreBackup(tenant);
  const tenants = useMyTenants();
  const [mode, setMode] = useState<Mode | null>(null);
  const [chosen, setChosen] = useState("");
  const targets = (tenants.data ?? []).filter((x) => x.name !== tenant && isRoleAtLeast(x.role, "admin"));
  const target = targets.some((x) => x.name === chosen) ? chosen : (targets[0]?.name ?? "");
  const noTarget = tenants.isSuccess && targets.length === 0;
  const taken = format.dateTime(backup.takenAt);
  const tenantError = isApiError(mutation.error) && mutation.error.field === "tenant" && mode === "copy"
    ? errorMessage(mutation.error, { withoutField: true }) : null;
  const otherError = mutation.isError && !tenantError ? t("error", { message: errorMessage(mutation.error) }) : null;
  const canSubmit = mode === "in-place" || (mode === "copy" && target !== "");

  return (
    <Dialog open onClose={onClose} title={t("title", { name: backup.name })} description={t("description", { vm: backup.vm, date: taken })}>
      <form onSubmit={(e) => {
        e.preventDefault();
        if (!canSubmit) return;
        const request: RestoreRequest = mode === "copy" ? { mode: "copy", tenant: target } : { mode: "in-place" };
        mutation.mutate({ backup: backup.name, request }, {
          onSuccess: () => {
            announce(t("started", { vm: backup.vm, backup: backup.name }));
            onClose();
          },
        });
      }} className="space-y-4">
        <fieldset aria-describedby={mode ? undefined : `${ids}-choose`}>
          <legend className={labelClass}>{t("mode")}</legend>
          <div className="mt-2 space-y-3">
            <div>
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" name={`${ids}-mode`} value="in-place" checked={mode === "in-place"} onChange={() => { setMode("in-place"); mutation.reset(); }}
                  aria-describedby={`${ids}-in-place`} disabled={mutation.isPending} className="mt-0.5 size-4 accent-red-600" />
                <span className="font-medium">{t("inPlace")}</span>
              </label>
              <p id={`${ids}-in-place`} className="mt-1 ml-6 text-xs text-zinc-600 dark:text-zinc-400">{t("inPlaceBody", { vm: backup.vm, date: taken })}</p>
            </div>
            <div>
              <label className="flex items-start gap-2 text-sm">
                <input type="radio" name={`${ids}-mode`} value="copy" checked={mode === "copy"} onChange={() => { setMode("copy"); mutation.reset(); }}
                  aria-describedby={`${ids}-copy${noTarget ? ` ${ids}-no-target` : ""}`} disabled={mutation.isPending || noTarget} className="mt-0.5 size-4 accent-blue-600" />
                <span className="font-medium">{t("copy")}</span>
              </label>
              <p id={`${ids}-copy`} className="mt-1 ml-6 text-xs text-zinc-600 dark:text-zinc-400">{t("copyBody", { vm: backup.vm })}</p>
              {noTarget && <p id={`${ids}-no-target`} className="mt-1 ml-6 text-xs font-medium text-zinc-700 dark:text-zinc-300">{t("noTarget")}</p>}
              {tenants.isError && <p className="mt-1 ml-6 text-xs text-red-700 dark:text-red-400" role="alert">{t("tenantsError", { message: errorMessage(tenants.error) })}</p>}
              {mode === "copy" && (
                <div className="mt-2 ml-6">
                  <label htmlFor={`${ids}-target`} className={labelClass}>{t("target")}</label>
                  <select id={`${ids}-target`} value={target} onChange={(e) => { setChosen(e.target.value); mutation.reset(); }}
                    disabled={mutation.isPending || targets.length === 0} aria-invalid={Boolean(tenantError)}
                    aria-describedby={tenantError ? `${ids}-target-error` : undefined} className={`${inputClass} mt-1`}>
                    {tenants.isPending && <option value="">{t("tenantsLoading")}</option>}
                    {targets.map((x) => <option key={x.name} value={x.name}>{x.displayName === x.name ? x.name : `${x.displayName} (${x.name})`}</option>)}
                  </select>
                  {tenantError && <p id={`${ids}-target-error`} className={errorTextClass}>{tenantError}</p>}
                </div>
              )}
            </div>
          </div>
          {!mode && <p id={`${ids}-choose`} className={hintClass}>{t("chooseMode")}</p>}
        </fieldset>
        {otherError && <Alert tone="error">{otherError}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className={buttonClass("secondary")} onClick={onClose}>{tBackups("cancel")}</button>
          <button type="submit" className={buttonClass(mode === "copy" ? "primary" : "danger")} disabled={!canSubmit || mutation.isPending} aria-busy={mutation.isPending}>
            {mutation.isPending && <Spinner />}
            {t("confirm")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
