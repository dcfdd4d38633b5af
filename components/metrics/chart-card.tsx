"use client";

import { useTranslations } from "next-intl";
import type { ReactNode } from "react";

/**
 * A titled card (`<figure>` named by `title`) holding one chart, its latest value formatted
 * (`latest`) and raw (`data-latest-value`, read by tests), and whatever `children` show instead
 * of a chart (a skeleton, an error, an empty state).
 */
export function ChartCard({ title, latest, latestValue: raw, children }: { title: string; latest?: string; latestValue?: number | null; children: ReactNode }) {
  const t = useTranslations("VmMetrics");
  return (
    <figure aria-label={title} data-latest-value={raw ?? undefined}
      className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <figcaption className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
        <span className="text-sm font-semibold">{title}</span>
        {latest && <span className="text-sm text-zinc-600 tabular-nums dark:text-zinc-400">{t("latest", { value: latest })}</span>}
      </figcaption>
      {children}
    </figure>
  );
}

/** What a {@link ChartCard} shows instead of a chart when its series have no point (a polite status line). */
export function EmptyChart({ children }: { children: ReactNode }) {
  return <p role="status" className="flex h-[120px] items-center justify-center rounded-md bg-zinc-50 px-4 text-center text-sm text-zinc-600 dark:bg-zinc-950 dark:text-zinc-400">{children}</p>;
}
