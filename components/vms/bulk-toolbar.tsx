"use client";

import { useTranslations } from "next-intl";
import { buttonClass } from "@/components/ui/styles";
import type { BulkAction } from "./bulk-action-dialog";

const dangerGhost =
  "text-red-700 hover:bg-red-50 hover:text-red-800 dark:text-red-400 dark:hover:bg-red-500/10 dark:hover:text-red-300";

/**
 * The actions on the selected VMs, shown while some are selected: how many, then Start, Stop and
 * Restart when the user may power VMs (`vm.power`), Delete when they may delete them
 * (`vm.delete`), and Clear selection. Each action opens a confirmation first.
 */
export function BulkToolbar({ count, canPower, canDelete, onAction, onClear }: {
  count: number;
  canPower: boolean;
  canDelete: boolean;
  onAction: (action: BulkAction) => void;
  onClear: () => void;
}) {
  const t = useTranslations("VmList.bulk");
  const actions: BulkAction[] = [...(canPower ? (["start", "stop", "restart"] as const) : []), ...(canDelete ? (["delete"] as const) : [])];
  return (
    <div role="group" aria-label={t("label")} className="flex flex-wrap items-center gap-2">
      <span className="text-sm font-medium text-zinc-800 dark:text-zinc-200">{t("selected", { count })}</span>
      <span aria-hidden="true" className="mx-1 h-5 w-px bg-zinc-200 dark:bg-zinc-700" />
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          onClick={() => onAction(action)}
          className={`${buttonClass(action === "delete" ? "ghost" : "secondary", "sm")} ${action === "delete" ? dangerGhost : ""}`}
        >
          {t(action)}
        </button>
      ))}
      <button type="button" onClick={onClear} className={buttonClass("ghost", "sm")}>{t("clear")}</button>
    </div>
  );
}
