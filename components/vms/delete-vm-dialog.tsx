"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useAnnounce } from "@/components/shell/live-announcer";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass } from "@/components/ui/styles";
import type { VmSummary } from "@/lib/shared/vm";
import { useDeleteVm } from "./use-vms";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/**
 * Confirms the deletion of `vm`, optionally with its disks (listed by name). Errors stay in the
 * dialog; on success the live region says so, the row leaves the list and `onDeleted` is called
 * instead of `onClose` (the list then moves the focus: the button that opened the dialog is gone).
 */
export function DeleteVmDialog({ tenant, vm, onClose, onDeleted }: {
  tenant: string;
  vm: VmSummary;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const t = useTranslations("DeleteVm");
  const errorMessage = useApiErrorMessage();
  const announce = useAnnounce();
  const [withDisks, setWithDisks] = useState(false);
  const mutation = useDeleteVm(tenant);
  const disksId = useId();

  return (
    <Dialog
      open
      onClose={onClose}
      title={t("title", { name: vm.name })}
      description={t("body", { name: vm.name })}
      initialFocus="[data-autofocus]"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          mutation.mutate({ name: vm.name, withDisks }, {
            onSuccess: () => {
              announce(t("deleted", { name: vm.name }));
              onDeleted();
            },
          });
        }}
        className="space-y-4"
      >
        {vm.disks.length > 0 ? (
          <div>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                checked={withDisks}
                onChange={(e) => setWithDisks(e.target.checked)}
                aria-describedby={disksId}
                className="mt-0.5 size-4 rounded border-zinc-300 accent-red-600 dark:border-zinc-600"
              />
              <span className="font-medium">{t("withDisks", { count: vm.disks.length })}</span>
            </label>
            <div id={disksId} className="mt-2 ml-6 space-y-2">
              <ul className="flex flex-wrap gap-1.5" aria-label={t("diskList")}>
                {vm.disks.map((d) => (
                  <li key={d} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">{d}</li>
                ))}
              </ul>
              <p className="text-xs text-zinc-500 dark:text-zinc-400">{withDisks ? t("disksDeleted") : t("disksKept")}</p>
            </div>
          </div>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-300">{t("noDisks")}</p>
        )}
        {mutation.isError && <Alert tone="error">{t("error", { message: errorMessage(mutation.error) })}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className={buttonClass("secondary")} onClick={onClose} data-autofocus>
            {t("cancel")}
          </button>
          <button type="submit" className={buttonClass("danger")} disabled={mutation.isPending} aria-busy={mutation.isPending}>
            {mutation.isPending && <Spinner />}
            {t("confirm")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
