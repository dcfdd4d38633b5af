"use client";

import { useTranslations } from "next-intl";
import { inputClass, labelClass } from "@/components/ui/styles";
import { quotaResources, type QuotaAmounts, type QuotaResource } from "@/lib/shared/quota";

const GiB = 2 ** 30;

/** The quota form's values in people's units: vCPU and GiB as typed text, counts as text. */
export type QuotaDraft = Record<QuotaResource, string>;

/** Limits → form values (vCPU, GiB). */
export function toQuotaDraft(q: QuotaAmounts): QuotaDraft {
  return {
    cpuMillicores: String(q.cpuMillicores / 1000),
    memoryBytes: String(q.memoryBytes / GiB),
    storageBytes: String(q.storageBytes / GiB),
    vmCount: String(q.vmCount),
    diskCount: String(q.diskCount),
    loadBalancers: String(q.loadBalancers),
  };
}

/** Form values → limits (millicores, bytes), or the first resource whose value is not a number ≥ 0. */
export function fromQuotaDraft(d: QuotaDraft): { amounts: QuotaAmounts } | { invalid: QuotaResource } {
  const out = {} as QuotaAmounts;
  for (const r of quotaResources) {
    const n = Number(d[r]);
    if (d[r].trim() === "" || !Number.isFinite(n) || n < 0) return { invalid: r };
    out[r] = r === "cpuMillicores" ? Math.round(n * 1000) : r === "memoryBytes" || r === "storageBytes" ? Math.round(n * GiB) : Math.floor(n);
  }
  return { amounts: out };
}

/** Six labelled number inputs (vCPU, memory GiB, storage GiB, VMs, disks, load balancers). */
export function QuotaFields({ value, onChange, idPrefix, invalid }: {
  value: QuotaDraft;
  onChange: (next: QuotaDraft) => void;
  idPrefix: string;
  invalid?: QuotaResource | null;
}) {
  const t = useTranslations("Quota");
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      {quotaResources.map((r) => (
        <div key={r}>
          <label htmlFor={`${idPrefix}-${r}`} className={labelClass}>{t(`inputs.${r}`)}</label>
          <input
            id={`${idPrefix}-${r}`}
            type="number"
            min={0}
            step={r === "cpuMillicores" ? 0.5 : 1}
            inputMode="decimal"
            value={value[r]}
            aria-invalid={invalid === r || undefined}
            onChange={(e) => onChange({ ...value, [r]: e.target.value })}
            className={`${inputClass} mt-1`}
          />
        </div>
      ))}
    </div>
  );
}
