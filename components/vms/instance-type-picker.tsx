"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { groupInstanceTypes, visibleInstanceTypes } from "@/lib/shared/instance-types";
import { useFormat } from "@/lib/client/format";
import type { InstanceTypeInfo } from "@/lib/shared/vm";
import { useSeriesName } from "./use-series-name";

/**
 * The instance-type radio cards: one radiogroup (labelled by `labelId`) of native radios, so the
 * arrow keys move the selection, with a group per series named by its heading. Each series shows
 * its common sizes (lib/shared/instance-types.ts) and a "Show all N sizes" disclosure button
 * (`aria-expanded`, `aria-controls` its cards) for the rest; the selected type is always shown.
 * Each radio's accessible name starts with the type's name: "u1.medium — 1 vCPU, 4 GiB".
 * @param tooSmall names of the types the chosen OS profile does not fit (marked, still selectable)
 * @param noRoom types that no longer fit the tenant's quota → the reason (greyed out, not selectable)
 */
export function InstanceTypePicker({ types, value, onChange, labelId, describedBy, invalid, tooSmall, profileName, noRoom }: {
  types: InstanceTypeInfo[];
  value: string;
  onChange: (name: string) => void;
  labelId: string;
  describedBy?: string;
  invalid?: boolean;
  tooSmall: Set<string>;
  profileName: string;
  noRoom?: Map<string, string>;
}) {
  const t = useTranslations("CreateVm");
  const format = useFormat();
  const seriesName = useSeriesName();
  // Series whose every size is shown; collapsed by default.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = (series: string) => {
    const next = new Set(expanded);
    if (!next.delete(series)) next.add(series);
    setExpanded(next);
  };
  return (
    <div role="radiogroup" aria-labelledby={labelId} aria-describedby={describedBy} aria-invalid={invalid || undefined} className="space-y-5">
      {groupInstanceTypes(types).map((group) => {
        const isExpanded = expanded.has(group.series);
        const headingId = `${labelId}-series-${group.series}`;
        const cardsId = `${headingId}-types`;
        return (
          <div key={group.series} role="group" aria-labelledby={headingId}>
            <h3 id={headingId} className="mb-2 flex items-baseline gap-2 text-sm font-semibold text-zinc-800 dark:text-zinc-200">
              <span className="inline-flex min-w-7 justify-center rounded bg-zinc-900 px-1.5 py-0.5 text-xs font-bold text-white dark:bg-zinc-100 dark:text-zinc-900">
                {group.series}
              </span>{" "}
              {t("series", { name: seriesName(group.series, group.displayName), letter: group.series })}
            </h3>
            <div id={cardsId} className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-5">
              {visibleInstanceTypes(group, isExpanded, value).map((type) => {
                const memory = format.bytes(type.memoryBytes);
                const small = tooSmall.has(type.name);
                const quotaReason = noRoom?.get(type.name);
                const reasonId = `${labelId}-${type.name}-quota`;
                return (
                  <label
                    key={type.name}
                    data-no-room={quotaReason ? "" : undefined}
                    className="relative flex cursor-pointer data-no-room:cursor-not-allowed data-no-room:opacity-50 flex-col rounded-md border border-zinc-200 bg-white p-3 text-sm shadow-sm transition-colors hover:border-zinc-400 has-checked:border-blue-600 has-checked:bg-blue-50/60 has-checked:ring-1 has-checked:ring-blue-600 has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-blue-600 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:border-zinc-500 dark:has-checked:border-blue-400 dark:has-checked:bg-blue-500/10 dark:has-checked:ring-blue-400 dark:has-focus-visible:outline-blue-400"
                  >
                    <input
                      type="radio"
                      name="instanceType"
                      value={type.name}
                      checked={value === type.name}
                      disabled={Boolean(quotaReason)}
                      aria-describedby={quotaReason ? reasonId : undefined}
                      onChange={() => onChange(type.name)}
                      aria-label={t("typeOption", { name: type.name, cpu: type.cpu, memory })}
                      // Transparent over the whole card: clickable (also by test tools), focus drawn by the card.
                      className="absolute inset-0 m-0 cursor-pointer appearance-none rounded-md opacity-0"
                    />
                    <span className="font-mono text-[13px] font-semibold text-zinc-900 dark:text-zinc-50">{type.name}</span>
                    <span className="mt-1 text-zinc-600 dark:text-zinc-300">
                      {t("typeResources", { cpu: type.cpu, memory })}
                    </span>
                    <span className="mt-1 flex flex-wrap items-center justify-between gap-x-2 text-xs text-zinc-500 dark:text-zinc-400">
                      <span>{t("ratio", { ratio: type.ratio })}</span>
                      {small && (
                        <span className="font-medium text-amber-700 dark:text-amber-400" title={t("tooSmallFor", { profile: profileName })}>
                          {t("tooSmall")}
                        </span>
                      )}
                    </span>
                    {quotaReason && <span id={reasonId} className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{quotaReason}</span>}
                  </label>
                );
              })}
            </div>
            {group.more.length > 0 && (
              <button
                type="button"
                aria-expanded={isExpanded}
                aria-controls={cardsId}
                onClick={() => toggle(group.series)}
                className="mt-2 -ml-1 inline-flex min-h-8 items-center gap-1 rounded px-1 text-sm font-medium text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:text-blue-400 dark:focus-visible:outline-blue-400"
              >
                <span aria-hidden="true" className={`inline-block transition-transform motion-reduce:transition-none ${isExpanded ? "rotate-90" : ""}`}>›</span>
                {isExpanded ? t("fewerSizes") : t("allSizes", { count: group.types.length })}
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}
