"use client";

import { useTranslations } from "next-intl";
import { Spinner } from "@/components/ui/spinner";
import type { BackupPhase, JobPhase } from "@/lib/shared/backup";

const tone = (phase: string) =>
  phase === "Ready" || phase === "Succeeded" ? "bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300"
    : phase === "Failed" ? "bg-red-50 text-red-800 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300"
    : "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-500/10 dark:text-amber-300";

/**
 * The phase of a Backup, BackupJob or RestoreJob as a badge, in the user's language (the cluster's
 * words: Pending, Running, Ready, Succeeded, Failed); no phase yet counts as Pending. Pending and
 * Running turn a (decorative) spinner.
 */
export function BackupPhaseBadge({ phase }: { phase: BackupPhase | JobPhase }) {
  const t = useTranslations("Backups.phase");
  const shown = phase || "Pending";
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tone(shown)}`}>
      {(shown === "Pending" || shown === "Running") && <Spinner />}
      {t(shown)}
    </span>
  );
}
