"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { metricRanges, type MetricRange } from "@/lib/shared/metrics";

/** How often graphs of each range refresh (ms): about one new point per refresh. */
export const refreshMs: Record<MetricRange, number> = { "15m": 10_000, "1h": 15_000, "6h": 60_000, "24h": 120_000, "7d": 300_000 };

/** The range in the URL (`?range=`), or `1h` when it names none of {@link metricRanges}. */
export function useMetricRange(): MetricRange {
  const requested = useSearchParams().get("range") as MetricRange | null;
  return requested && metricRanges.includes(requested) ? requested : "1h";
}

/**
 * The range buttons of a metrics page (toggle buttons, `aria-pressed`) and the refresh note; the
 * choice replaces `?range=` in the URL (kept on reload and in shared links, not in the history).
 */
export function RangePicker({ range }: { range: MetricRange }) {
  const t = useTranslations("VmMetrics");
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const choose = (next: MetricRange) => {
    const query = new URLSearchParams(params.toString());
    query.set("range", next);
    router.replace(`${pathname}?${query.toString()}`, { scroll: false });
  };
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <div role="group" aria-label={t("rangeLabel")} className="inline-flex overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-700">
        {metricRanges.map((r) => (
          <button key={r} type="button" aria-pressed={range === r} onClick={() => choose(r)}
            className={`px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-600 ${
              range === r ? "bg-blue-600 text-white" : "bg-white text-zinc-700 hover:bg-zinc-100 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800"}`}>
            {t(`range.${r}`)}
          </button>
        ))}
      </div>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">{t("autoRefresh", { seconds: refreshMs[range] / 1000 })}</p>
    </div>
  );
}
