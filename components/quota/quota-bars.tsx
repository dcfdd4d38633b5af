"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTenant } from "@/components/shell/tenant-context";
import { fetchQuota } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { quotaKeys } from "@/lib/client/query-keys";
import { quotaResources, type QuotaAmounts } from "@/lib/shared/quota";
import { panelClass } from "@/components/ui/styles";

/**
 * One bar per limited resource: what the tenant uses of its quota (role `meter`, named by the
 * resource, valued "used of limit"). Amber from 80 %, red when full or over.
 */
export function QuotaUsageList({ limits, usage }: { limits: QuotaAmounts; usage: QuotaAmounts }) {
  const t = useTranslations("Quota");
  const format = useFormat();
  return (
    <ul className="grid gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-3">
      {quotaResources.map((r) => {
        const limit = limits[r];
        const used = usage[r];
        const ratio = limit > 0 ? Math.min(1, used / limit) : used > 0 ? 1 : 0;
        const colour = ratio >= 1 ? "bg-red-600" : ratio >= 0.8 ? "bg-amber-500" : "bg-blue-600";
        const text = t("usedOf", { used: format.quota(r, used), limit: format.quota(r, limit) });
        return (
          <li key={r}>
            <div className="flex items-baseline justify-between text-sm">
              <span className="font-medium text-zinc-800 dark:text-zinc-200">{t(`resources.${r}`)}</span>
              <span className="text-xs text-zinc-600 dark:text-zinc-400">{text}</span>
            </div>
            <div role="meter" aria-label={t(`resources.${r}`)} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={Math.min(used, limit)} aria-valuetext={text}
              className="mt-1 h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
              <div className={`h-full ${colour}`} style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** The current tenant's quota usage bars (tenant home); nothing while loading or without a quota. */
export function QuotaBars() {
  const tenant = useTenant();
  const t = useTranslations("Quota");
  const query = useQuery({ queryKey: quotaKeys.detail(tenant.name), queryFn: ({ signal }) => fetchQuota(tenant.name, signal), refetchInterval: 15_000 });
  if (!query.data?.limits) return null;
  return (
    <section aria-labelledby="quota-title" className={`${panelClass} mb-6 p-4`}>
      <h2 id="quota-title" className="mb-3 text-sm font-semibold text-zinc-900 dark:text-zinc-100">{t("title")}</h2>
      <QuotaUsageList limits={query.data.limits} usage={query.data.usage} />
    </section>
  );
}
