"use client";

import { useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { DiskPhase, ProgressBar } from "@/components/disks/disk-phase";
import { useVmDiskEdit } from "@/components/disks/use-disks";
import { fetchDisks } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { diskKeys } from "@/lib/client/query-keys";
import type { VmDetail } from "@/lib/shared/disk";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/**
 * The Disks tab of the VM page: the VM's disks in boot order with attach and detach (only while
 * the VM is stopped; the server refuses otherwise).
 */
export function VmDisksPanel({ detail }: { detail: VmDetail }) {
  const tenant = useTenant();
  const t = useTranslations("VmDetail");
  const errorMessage = useApiErrorMessage();
  const tDisks = useTranslations("Disks");
  const format = useFormat();
  const { vm, disks } = detail;
  const edit = useVmDiskEdit(tenant.name, vm.name);
  const canEdit = tenant.can("vm.update");
  const ids = useId();
  const free = useQuery({
    queryKey: diskKeys.list(tenant.name),
    queryFn: ({ signal }) => fetchDisks(tenant.name, signal),
    enabled: canEdit,
    refetchInterval: 5_000,
  });
  const [chosen, setChosen] = useState("");
  const stopped = vm.powerState === "Stopped";
  const attachable = (free.data ?? []).filter((d) => !d.attachedTo);
  const pick = chosen && attachable.some((d) => d.name === chosen) ? chosen : (attachable[0]?.name ?? "");

  return (
      <section className={`${panelClass} p-6`} aria-labelledby={`${ids}-disks`}>
        <h2 id={`${ids}-disks`} className="text-base font-semibold">{t("disks")}</h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("bootOrderHint")}</p>
        {canEdit && !stopped && <Alert tone="info" className="mt-3">{t("stopToEdit", { state: vm.powerState })}</Alert>}
        {edit.isError && <Alert tone="error" className="mt-3">{errorMessage(edit.error)}</Alert>}

        {disks.length === 0 ? (
          <p className="mt-4 text-sm">{t("noDisks")}</p>
        ) : (
          <ol className="mt-4 divide-y divide-zinc-100 dark:divide-zinc-800" aria-label={t("disks")}>
            {disks.map((d) => (
              <li key={d.name} className="flex flex-wrap items-center gap-4 py-3" aria-label={d.name}>
                <span className="w-8 text-center font-mono text-sm text-zinc-500 dark:text-zinc-400" title={t("bootOrder")}>{d.bootOrder}</span>
                <div className="min-w-48 flex-1">
                  <span className="font-mono text-sm font-medium">{d.name}</span>
                  {"missing" in d ? (
                    <p className="text-xs text-red-700 dark:text-red-400">{t("missing")}</p>
                  ) : (
                    <p className="text-xs text-zinc-500 dark:text-zinc-400">
                      {format.bytes(d.storageBytes)} · {d.storageClass} · {tDisks(`source.${d.source.type}`)}
                      {d.optical && <> · <span className="font-medium text-violet-700 dark:text-violet-300">{tDisks("optical")}</span></>}
                    </p>
                  )}
                </div>
                {!("missing" in d) && (
                  <div className="min-w-48">
                    <DiskPhase disk={d} />
                    {d.phase !== "Succeeded" && d.progress !== null && <ProgressBar value={d.progress} label={tDisks("progressOf", { name: d.name })} />}
                  </div>
                )}
                {canEdit && (
                  <button type="button" className={buttonClass("ghost", "sm")} disabled={!stopped || edit.isPending}
                    onClick={() => edit.mutate({ disk: d.name, action: "detach" })}>
                    {t("detach")}<span className="sr-only"> {d.name}</span>
                  </button>
                )}
              </li>
            ))}
          </ol>
        )}

        {canEdit && (
          <form className="mt-4 flex flex-wrap items-end gap-3 border-t border-zinc-100 pt-4 dark:border-zinc-800" onSubmit={(e) => {
            e.preventDefault();
            if (pick) edit.mutate({ disk: pick, action: "attach" });
          }}>
            <div className="w-full sm:w-72">
              <label htmlFor={`${ids}-attach`} className={labelClass}>{t("attachLabel")}</label>
              <select id={`${ids}-attach`} value={pick} onChange={(e) => setChosen(e.target.value)} disabled={!stopped || attachable.length === 0} className={`${inputClass} mt-1`}>
                {attachable.length === 0 && <option value="">{t("noFreeDisk")}</option>}
                {attachable.map((d) => <option key={d.name} value={d.name}>{`${d.name} (${format.bytes(d.storageBytes)}${d.optical ? `, ${tDisks("optical")}` : ""})`}</option>)}
              </select>
            </div>
            <button type="submit" className={buttonClass("secondary")} disabled={!stopped || !pick || edit.isPending}>
              {edit.isPending && <Spinner />}
              {t("attach")}
            </button>
          </form>
        )}
      </section>
  );
}
