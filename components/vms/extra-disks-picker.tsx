"use client";

import { useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass } from "@/components/ui/styles";
import { fetchDisks } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { diskKeys } from "@/lib/client/query-keys";
import { quantityPattern } from "@/lib/shared/quantity";
import { dataDiskName } from "@/lib/shared/vm";

/** Whether a data disk size as typed is a positive quantity such as "10Gi". */
export const isDiskSize = (size: string) => quantityPattern.test(size.trim()) && !size.trim().startsWith("-") && !/^0+(\D|$)/.test(size.trim());

/**
 * The create-VM form's extra disks: new blank data disks (`<vm>-d1`…, sizes with units) and
 * existing free disks of the tenant (data disks or an optical ISO), attached after the root disk
 * in this order.
 */
export function ExtraDisksPicker({ tenant, vmName, dataDisks, onDataDisks, disks, onDisks, showErrors }: {
  tenant: string;
  vmName: string;
  /** sizes of the new data disks, e.g. ["10Gi"] */
  dataDisks: string[];
  onDataDisks: (sizes: string[]) => void;
  /** names of existing disks to attach */
  disks: string[];
  onDisks: (names: string[]) => void;
  showErrors: boolean;
}) {
  const t = useTranslations("CreateVm");
  const format = useFormat();
  const ids = useId();
  const list = useQuery({ queryKey: diskKeys.list(tenant), queryFn: ({ signal }) => fetchDisks(tenant, signal), staleTime: 10_000 });
  const free = (list.data ?? []).filter((d) => !d.attachedTo);

  return (
    <div className="grid gap-6 md:grid-cols-2">
      <div>
        <span className={labelClass}>{t("dataDisks")}</span>
        <p className={hintClass}>{t("dataDisksHint")}</p>
        <ul className="mt-2 space-y-2">
          {dataDisks.map((size, i) => (
            <li key={i} className="flex flex-wrap items-center gap-2">
              <label htmlFor={`${ids}-dd-${i}`} className="w-40 min-w-0 font-mono text-xs break-all">{dataDiskName(vmName || "<name>", i)}</label>
              <input id={`${ids}-dd-${i}`} value={size} onChange={(e) => onDataDisks(dataDisks.map((s, j) => (j === i ? e.target.value : s)))}
                aria-label={t("dataDiskSize", { index: i + 1 })} aria-invalid={showErrors && !isDiskSize(size)} className={`${inputClass} w-28 font-mono`} />
              <button type="button" className={buttonClass("ghost", "sm")} onClick={() => onDataDisks(dataDisks.filter((_, j) => j !== i))}>
                {t("removeDataDisk")}<span className="sr-only"> {i + 1}</span>
              </button>
              {showErrors && !isDiskSize(size) && <span className={errorTextClass}>{t("errors.sizeInvalid")}</span>}
            </li>
          ))}
        </ul>
        {dataDisks.length < 4 && (
          <button type="button" className={`${buttonClass("secondary", "sm")} mt-2`} onClick={() => onDataDisks([...dataDisks, "10Gi"])}>{t("addDataDisk")}</button>
        )}
      </div>
      <fieldset>
        <legend className={labelClass}>{t("existingDisks")}</legend>
        <p className={hintClass}>{t("existingDisksHint")}</p>
        {free.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">{t("noFreeDisks")}</p>
        ) : (
          <div className="mt-2 space-y-1.5">
            {free.map((d) => (
              <label key={d.name} className="flex flex-wrap items-center gap-x-2 text-sm">
                <input type="checkbox" checked={disks.includes(d.name)}
                  onChange={(e) => onDisks(e.target.checked ? [...disks, d.name] : disks.filter((n) => n !== d.name))} className="size-4" />
                <span className="min-w-0 font-mono text-[13px] break-all">{d.name}</span>
                <span className="text-xs text-zinc-500 dark:text-zinc-400">{format.bytes(d.storageBytes)}{d.optical ? ` · ${t("opticalDisk")}` : ""}</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
    </div>
  );
}
