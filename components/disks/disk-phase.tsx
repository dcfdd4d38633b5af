"use client";

import { useTranslations } from "next-intl";
import { useFormat } from "@/lib/client/format";
import { splitAtPlaceholder } from "@/lib/client/message-parts";
import type { DiskSummary } from "@/lib/shared/disk";

/** DataVolume phases the portal translates (CDI's `status.phase` plus the portal's Pending/Terminating). */
const knownPhases = [
  "Pending", "ImportScheduled", "ImportInProgress", "CloneScheduled", "CloneInProgress", "UploadScheduled", "UploadReady",
  "WaitForFirstConsumer", "PendingPopulation", "Succeeded", "Failed", "Unknown", "Terminating",
] as const;

const tone = (phase: string) =>
  phase === "Succeeded" ? "bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300"
    : phase === "Failed" ? "bg-red-50 text-red-800 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300"
    : phase === "UploadReady" ? "bg-blue-50 text-blue-800 ring-blue-600/20 dark:bg-blue-500/10 dark:text-blue-300"
    : "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-500/10 dark:text-amber-300";

/**
 * A disk's phase as a badge, with the failure (or retry) reason under it: CDI's own message, in
 * English, marked so inside the translated sentence (WCAG 3.1.2).
 */
export function DiskPhase({ disk }: { disk: Pick<DiskSummary, "phase" | "message" | "restartCount"> }) {
  const t = useTranslations("DiskPhase");
  const label = (knownPhases as readonly string[]).includes(disk.phase) ? t(disk.phase as (typeof knownPhases)[number]) : disk.phase;
  const [before, after] = splitAtPlaceholder((message) =>
    disk.phase === "Failed" ? t("failedBecause", { message }) : t("retrying", { count: disk.restartCount ?? 0, message }));
  return (
    <div>
      <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tone(disk.phase)}`}>{label}</span>
      {disk.message && (
        <p className={`mt-1 text-xs ${disk.phase === "Failed" ? "text-red-700 dark:text-red-400" : "text-amber-700 dark:text-amber-400"}`}>
          {before}<span lang="en">{disk.message}</span>{after}
        </p>
      )}
    </div>
  );
}

/**
 * A progress bar (`role="progressbar"`, 0–100). `value` null means "under way, amount unknown"
 * (CDI's "N/A"): the bar pulses without a number.
 */
export function ProgressBar({ value, label }: { value: number | null; label: string }) {
  const format = useFormat();
  const pct = value === null ? null : Math.max(0, Math.min(100, value));
  return (
    <div className="mt-1.5 flex items-center gap-2">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct === null ? undefined : Math.round(pct * 100) / 100}
        aria-valuetext={pct === null ? undefined : format.percent(pct)}
        className="h-2 w-40 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700"
      >
        <div className={`h-full rounded-full bg-blue-600 transition-[width] duration-300 dark:bg-blue-400 ${pct === null ? "w-1/3 animate-pulse" : ""}`} style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      <span className="w-14 text-right font-mono text-xs tabular-nums text-zinc-600 dark:text-zinc-400">{pct === null ? "…" : format.percent(pct)}</span>
    </div>
  );
}
