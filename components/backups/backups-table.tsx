"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { buttonClass, panelClass } from "@/components/ui/styles";
import { useNow } from "@/components/vms/use-now";
import type { BackupInfo } from "@/lib/shared/backup";
import { useBackupFormat } from "./backup-format";
import { BackupPhaseBadge } from "./backup-phase";

const th = "px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400";
const td = "px-4 py-3 align-top text-sm";

/**
 * A table of Backups (newest first, as the API answers): when each was taken (date and time in
 * the user's zone, the Backup's name under it), size, phase, origin (manual or which Plan),
 * expiry (date and "in N days"), and a Restore button for Ready ones when `onRestore` is given.
 * It scrolls sideways inside a named region on narrow screens.
 * @param caption the table's caption and the scroll region's name, e.g. "Backups of web"
 * @param showVm adds a first column with each Backup's VM, linked to the VM's Backups tab
 * @param onRestore opens the restore dialog; null when the user's role cannot restore
 */
export function BackupsTable({ tenant, backups, caption, showVm, onRestore }: {
  tenant: string;
  backups: BackupInfo[];
  caption: string;
  showVm: boolean;
  onRestore: ((backup: BackupInfo) => void) | null;
}) {
  const t = useTranslations("Backups");
  const format = useBackupFormat();
  const now = useNow(60_000);
  return (
    <ScrollRegion label={caption} className={panelClass}>
      <table className={`w-full border-collapse ${showVm ? "min-w-[860px]" : "min-w-[720px]"}`}>
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50/80 dark:border-zinc-800 dark:bg-zinc-900/60">
          <tr>
            {showVm && <th scope="col" className={th}>{t("colVm")}</th>}
            <th scope="col" className={th}>{t("colTaken")}</th>
            <th scope="col" className={th}>{t("colSize")}</th>
            <th scope="col" className={th}>{t("colPhase")}</th>
            <th scope="col" className={th}>{t("colOrigin")}</th>
            <th scope="col" className={th}>{t("colExpires")}</th>
            {onRestore && <th scope="col" className={`${th} text-right`}><span className="sr-only">{t("colActions")}</span></th>}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {backups.map((b) => (
            <tr key={b.name} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
              {showVm && (
                <td className={td}>
                  <Link href={`/t/${tenant}/vms/${encodeURIComponent(b.vm)}?tab=backups`} className="font-mono text-[13px] text-blue-700 hover:underline dark:text-blue-400">{b.vm}</Link>
                </td>
              )}
              <th scope="row" className={`${td} text-left font-normal`}>
                <time dateTime={b.takenAt} className="block font-medium whitespace-nowrap">{format.dateTime(b.takenAt)}</time>
                <span className="block font-mono text-xs break-all text-zinc-500 dark:text-zinc-400">{b.name}</span>
              </th>
              <td className={`${td} whitespace-nowrap tabular-nums`}>
                {b.sizeBytes === null ? <span className="text-zinc-500 dark:text-zinc-400">{t("unknownSize")}</span> : format.bytes(b.sizeBytes)}
              </td>
              <td className={td}><BackupPhaseBadge phase={b.phase} /></td>
              <td className={td}>
                {b.origin === "plan" && b.plan ? t("origin.plan", { plan: b.plan }) : t("origin.manual")}
              </td>
              <td className={`${td} whitespace-nowrap`}>
                <time dateTime={b.expiresAt} title={format.dateTime(b.expiresAt)} className="block">{format.date(b.expiresAt)}</time>
                <span className="block text-xs text-zinc-500 dark:text-zinc-400">{format.until(b.expiresAt, now)}</span>
              </td>
              {onRestore && (
                <td className={`${td} text-right whitespace-nowrap`}>
                  {b.phase === "Ready" && (
                    <button type="button" className={buttonClass("secondary", "sm")} aria-label={t("restoreLabel", { name: b.name })} onClick={() => onRestore(b)}>
                      {t("restore")}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
