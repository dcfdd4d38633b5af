"use client";

import { useTranslations } from "next-intl";
import { useEffect, useId, useRef } from "react";
import { useAnnounce } from "@/components/shell/live-announcer";
import { panelClass } from "@/components/ui/styles";
import { useNow } from "@/components/vms/use-now";
import { isFinalJobPhase, type BackupsOverview, type JobPhase } from "@/lib/shared/backup";
import { useBackupFormat } from "./backup-format";
import { BackupPhaseBadge } from "./backup-phase";

/** How far back failed jobs stay listed, in milliseconds (one day). */
const failedShownMs = 24 * 3600_000;

/** One BackupJob or RestoreJob as the list shows it. */
interface JobRow {
  key: string;
  kind: "backup" | "restore";
  /** the VM backed up, restored in place, or created by a copy */
  vm: string;
  phase: JobPhase;
  /** what the job does, in the user's language */
  label: string;
  /** when it started (its creation until the controller starts it), ISO 8601 */
  since: string;
  /** when it ended (its creation when unknown), ISO 8601 */
  ended: string;
  /** the cluster's English message of a failure */
  message: string | null;
}

/**
 * "In progress and recent jobs": the BackupJobs and RestoreJobs of `overview` not final yet (phase,
 * elapsed time ticking every second) and those failed in the last day (when, and the cluster's
 * message, marked English). A job reaching its end is announced in the polite live region (not
 * the ticking times).
 */
export function BackupJobsList({ overview }: { overview: BackupsOverview }) {
  const t = useTranslations("Backups");
  const format = useBackupFormat();
  const now = useNow(60_000);
  const ids = useId();
  const rows: JobRow[] = [
    ...overview.jobs.map((j): JobRow => ({
      key: `backup/${j.name}`, kind: "backup", vm: j.vm, phase: j.phase,
      label: t("job.backup", { vm: j.vm }) + (j.origin === "plan" && j.plan ? ` (${t("byPlan", { plan: j.plan })})` : ""),
      since: j.startedAt ?? j.createdAt, ended: j.completedAt ?? j.createdAt, message: j.message,
    })),
    ...overview.restores.map((r): JobRow => ({
      key: `restore/${r.name}`, kind: "restore", vm: r.vm, phase: r.phase,
      label: r.targetTenant
        ? t("job.restoreCopy", { vm: r.vm, tenant: r.targetTenant, backup: r.backup })
        : t("job.restoreInPlace", { vm: r.vm, backup: r.backup }),
      since: r.startedAt ?? r.createdAt, ended: r.completedAt ?? r.createdAt, message: r.message,
    })),
  ];
  useOutcomeAnnouncements(overview);
  const underWay = rows.filter((r) => !isFinalJobPhase(r.phase)).sort((a, b) => b.since.localeCompare(a.since));
  const failed = rows.filter((r) => r.phase === "Failed" && now - Date.parse(r.ended) < failedShownMs).sort((a, b) => b.ended.localeCompare(a.ended));
  const shown = [...underWay, ...failed];

  return (
    <section aria-labelledby={`${ids}-jobs`} className={`${panelClass} p-4 sm:p-6`}>
      <h2 id={`${ids}-jobs`} className="text-base font-semibold">{t("jobsTitle")}</h2>
      {shown.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{t("jobsEmpty")}</p>
      ) : (
        <ul className="mt-2 divide-y divide-zinc-100 dark:divide-zinc-800">
          {shown.map((r) => (
            <li key={r.key} className="py-2.5">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
                <span className="min-w-0 font-medium break-words">{r.label}</span>
                <BackupPhaseBadge phase={r.phase} />
                {r.phase === "Failed" ? (
                  <time dateTime={r.ended} title={format.dateTime(r.ended)} className="text-xs text-zinc-500 dark:text-zinc-400">
                    {t("failedAgo", { age: format.age(r.ended, now) })}
                  </time>
                ) : (
                  <Elapsed since={r.since} />
                )}
              </div>
              {/* the cluster writes its messages in English: marked so (WCAG 3.1.2) */}
              {r.phase === "Failed" && r.message && <p lang="en" className="mt-1 text-xs break-words text-red-700 dark:text-red-400">{r.message}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The time since `since` (ISO 8601), ticking every second; its own component so only it re-renders. */
function Elapsed({ since }: { since: string }) {
  const t = useTranslations("Backups");
  const format = useBackupFormat();
  const now = useNow(1_000);
  const start = Date.parse(since);
  if (Number.isNaN(start)) return null;
  return <span className="text-xs tabular-nums text-zinc-500 dark:text-zinc-400">{t("elapsed", { duration: format.duration(now - start) })}</span>;
}

/**
 * Announces, in the app's polite live region, the jobs of `overview` that were seen under way and
 * are now final (succeeded or failed): one message for all that ended between two polls.
 */
function useOutcomeAnnouncements(overview: BackupsOverview) {
  const t = useTranslations("Backups.announce");
  const announce = useAnnounce();
  const seen = useRef<Map<string, JobPhase> | null>(null);
  useEffect(() => {
    const current = [
      ...overview.jobs.map((j) => ({ key: `backup/${j.name}`, kind: "backup" as const, vm: j.vm, phase: j.phase })),
      ...overview.restores.map((r) => ({ key: `restore/${r.name}`, kind: "restore" as const, vm: r.vm, phase: r.phase })),
    ];
    const before = seen.current;
    seen.current = new Map(current.map((r) => [r.key, r.phase]));
    if (!before) return;
    const ended = current.filter((r) => {
      const previous = before.get(r.key);
      return previous !== undefined && !isFinalJobPhase(previous) && isFinalJobPhase(r.phase);
    });
    if (ended.length === 0) return;
    announce(ended.map((r) => {
      const ok = r.phase === "Succeeded";
      return r.kind === "backup" ? t(ok ? "backupReady" : "backupFailed", { vm: r.vm }) : t(ok ? "restoreDone" : "restoreFailed", { vm: r.vm });
    }).join(" "));
  }, [overview, announce, t]);
}
