"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from "react";
import { useAnnounce } from "@/components/shell/live-announcer";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { useNow } from "@/components/vms/use-now";
import { isApiError } from "@/lib/client/api";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { splitAtPlaceholder } from "@/lib/client/message-parts";
import { cronProblem, nextRuns, schedulePresets, type BackupPlanInfo } from "@/lib/shared/backup";
import { fieldProblemError } from "@/lib/shared/api-errors";
import { useBackupFormat } from "./backup-format";
import { useCreateBackupPlan, useDeleteBackupPlan } from "./use-backups";

/**
 * "Backup plans": each Plan's cron schedule (UTC, monospace), its next three runs in the user's
 * time zone, the error the cluster reports about it (English, marked so) and, with `canDelete`, a
 * Delete button behind a confirmation dialog; after a delete the focus goes to the section's
 * heading (the button is gone). `children` (the "Add a plan" form) follows the list.
 * @param showVm names each Plan's VM, linked to its Backups tab (the tenant's page)
 */
export function BackupPlansSection({ tenant, plans, showVm, canDelete, children }: {
  tenant: string;
  plans: BackupPlanInfo[];
  showVm: boolean;
  canDelete: boolean;
  children?: ReactNode;
}) {
  const t = useTranslations("Backups");
  const ids = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [deleting, setDeleting] = useState<BackupPlanInfo | null>(null);
  // After a delete the plan's row and its button are gone: the heading takes the focus.
  const [refocus, setRefocus] = useState<object | null>(null);
  useEffect(() => {
    if (refocus) headingRef.current?.focus();
  }, [refocus]);

  return (
    <section aria-labelledby={`${ids}-plans`} className={`${panelClass} p-4 sm:p-6`}>
      <h2 id={`${ids}-plans`} ref={headingRef} tabIndex={-1} className="text-base font-semibold focus:outline-none">{t("plansTitle")}</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("plansHint")}</p>
      {plans.length === 0 ? (
        <p className="mt-3 text-sm">{t("plansEmpty")}</p>
      ) : (
        <ul className="mt-3 divide-y divide-zinc-100 dark:divide-zinc-800">
          {plans.map((p) => (
            <li key={p.name} className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 py-3">
              <div className="min-w-0 flex-1 space-y-1">
                {showVm && <PlanVm tenant={tenant} vm={p.vm} />}
                <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                  <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-sm dark:bg-zinc-800">{p.cron}</code>
                  <span className="font-mono text-xs break-all text-zinc-500 dark:text-zinc-400">{p.name}</span>
                </p>
                <NextRuns cron={p.cron} />
                {p.error && <PlanError message={p.error} />}
              </div>
              {canDelete && (
                <button type="button" aria-label={t("deletePlanLabel", { name: p.name })} onClick={() => setDeleting(p)}
                  className={`${buttonClass("ghost", "sm")} text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-500/10`}>
                  {t("deletePlan")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {children}
      {deleting && (
        <DeletePlanDialog tenant={tenant} plan={deleting} onClose={() => setDeleting(null)} onDeleted={() => {
          setDeleting(null);
          setRefocus({});
        }} />
      )}
    </section>
  );
}

/** "VM {vm}" with the VM's name linked to its Backups tab. */
function PlanVm({ tenant, vm }: { tenant: string; vm: string }) {
  const t = useTranslations("Backups");
  const [before, after] = splitAtPlaceholder((v) => t("planVm", { vm: v }));
  return (
    <p className="text-sm">
      {before}
      <Link href={`/t/${tenant}/vms/${encodeURIComponent(vm)}?tab=backups`} className="font-mono text-[13px] text-blue-700 hover:underline dark:text-blue-400">{vm}</Link>
      {after}
    </p>
  );
}

/** A Plan's `Error` condition: the translated sentence around the cluster's English message. */
function PlanError({ message }: { message: string }) {
  const t = useTranslations("Backups");
  const [before, after] = splitAtPlaceholder((m) => t("planError", { message: m }));
  return (
    <p className="text-xs break-words text-red-700 dark:text-red-400">
      {before}<span lang="en">{message}</span>{after}
    </p>
  );
}

/**
 * "Next runs:" and the next three runs of a valid 5-field cron schedule (UTC) in the user's time
 * zone, with the zone's name; nothing for an invalid one. Refreshed every minute.
 * @param id the element's id (a field's `aria-describedby` can point at it)
 */
export function NextRuns({ cron, id, showZone = false }: { cron: string; id?: string; showZone?: boolean }) {
  const t = useTranslations("Backups");
  const format = useBackupFormat();
  const now = useNow(60_000);
  const runs = useMemo(() => nextRuns(cron, 3, new Date(now)), [cron, now]);
  if (runs.length === 0) return null;
  return (
    <div id={id} className="text-xs text-zinc-600 dark:text-zinc-400">
      <span>{t("nextRuns")}</span>{" "}
      <ul className="inline">
        {runs.map((r, i) => (
          <li key={r.toISOString()} className="inline">
            {i > 0 && <span aria-hidden="true"> · </span>}
            <time dateTime={r.toISOString()} className="whitespace-nowrap">{format.run(r)}</time>
          </li>
        ))}
      </ul>
      {showZone && <p className="mt-0.5">{t("timeZone", { zone: format.timeZone })}</p>}
    </div>
  );
}

/** Confirms the deletion of a Plan (the Backups it took stay until they expire). */
function DeletePlanDialog({ tenant, plan, onClose, onDeleted }: {
  tenant: string;
  plan: BackupPlanInfo;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const t = useTranslations("Backups");
  const errorMessage = useApiErrorMessage();
  const announce = useAnnounce();
  const mutation = useDeleteBackupPlan(tenant);
  return (
    <Dialog open onClose={onClose} title={t("deletePlanTitle", { name: plan.name })}
      description={t("deletePlanBody", { vm: plan.vm, cron: plan.cron })} initialFocus="[data-autofocus]">
      <form onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate(plan.name, {
          onSuccess: () => {
            announce(t("planDeleted", { name: plan.name }));
            onDeleted();
          },
        });
      }} className="space-y-4">
        {mutation.isError && <Alert tone="error">{t("deletePlanError", { message: errorMessage(mutation.error) })}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className={buttonClass("secondary")} onClick={onClose} data-autofocus>{t("cancel")}</button>
          <button type="submit" className={buttonClass("danger")} disabled={mutation.isPending} aria-busy={mutation.isPending}>
            {mutation.isPending && <Spinner />}
            {t("deletePlanConfirm")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A schedule choice of {@link AddPlanForm}: a preset of `schedulePresets` or a custom cron. */
type ScheduleChoice = (typeof schedulePresets)[number]["id"] | "custom";

const scheduleChoices: ScheduleChoice[] = [...schedulePresets.map((p) => p.id), "custom"];

/**
 * "Add a plan" for VM `vm`: presets (hourly, daily 03:00 UTC, weekly Sunday 03:00 UTC) or a
 * custom 5-field cron (UTC) checked as the user types (`cronProblem`), the next three runs in the
 * user's time zone under it, and "Add plan". A 422 on `cron` shows next to the field.
 */
export function AddPlanForm({ tenant, vm }: { tenant: string; vm: string }) {
  const t = useTranslations("Backups");
  const errorMessage = useApiErrorMessage();
  const announce = useAnnounce();
  const ids = useId();
  const mutation = useCreateBackupPlan(tenant);
  const [choice, setChoice] = useState<ScheduleChoice>("daily");
  const [custom, setCustom] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ field: "cron" | null; message: string } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const cron = choice === "custom" ? custom : schedulePresets.find((p) => p.id === choice)!.cron;
  const problem = choice === "custom" ? cronProblem(custom) : null;
  const localError = problem && (submitted || custom.trim() !== "")
    ? errorMessage(fieldProblemError({ field: "cron", problem: problem.problem, params: problem.params }), { withoutField: true })
    : null;
  const fieldError = localError ?? (choice === "custom" && serverError?.field === "cron" ? serverError.message : null);
  const formError = serverError && (serverError.field === null || choice !== "custom") ? serverError.message : null;
  const describedBy = [`${ids}-hint`, fieldError ? `${ids}-error` : null, !problem ? `${ids}-runs` : null].filter(Boolean).join(" ");

  return (
    <form noValidate aria-labelledby={`${ids}-title`} className="mt-4 space-y-4 border-t border-zinc-100 pt-4 dark:border-zinc-800" onSubmit={(e) => {
      e.preventDefault();
      setSubmitted(true);
      setServerError(null);
      if (problem) {
        inputRef.current?.focus();
        return;
      }
      mutation.mutate({ vm, cron: cron.trim() }, {
        onSuccess: (plan) => {
          setSubmitted(false);
          announce(t("planAdded", { cron: plan.cron }));
        },
        onError: (err) => {
          if (isApiError(err, 422) && err.field === "cron") setServerError({ field: "cron", message: errorMessage(err, { withoutField: choice === "custom" }) });
          else setServerError({ field: null, message: t("addPlanError", { message: errorMessage(err) }) });
        },
      });
    }}>
      <h3 id={`${ids}-title`} className="text-sm font-semibold">{t("addPlanTitle")}</h3>
      <fieldset>
        <legend className={labelClass}>{t("schedule")}</legend>
        <div className="mt-2 flex flex-wrap gap-x-5 gap-y-2 text-sm">
          {scheduleChoices.map((c) => (
            <label key={c} className="flex items-center gap-2">
              <input type="radio" name={`${ids}-schedule`} value={c} checked={choice === c} disabled={mutation.isPending}
                onChange={() => { setChoice(c); setServerError(null); }} className="size-4 accent-blue-600" />
              {t(`preset.${c}`)}
            </label>
          ))}
        </div>
      </fieldset>
      {choice === "custom" && (
        <div className="max-w-md">
          <label htmlFor={`${ids}-cron`} className={labelClass}>{t("cronLabel")}</label>
          <input ref={inputRef} id={`${ids}-cron`} value={custom} disabled={mutation.isPending} placeholder="30 2 * * 1-5"
            onChange={(e) => { setCustom(e.target.value); if (serverError?.field === "cron") setServerError(null); }}
            autoComplete="off" spellCheck={false} aria-invalid={Boolean(fieldError)} aria-describedby={describedBy}
            className={`${inputClass} mt-1 font-mono`} />
          <p id={`${ids}-hint`} className={hintClass}>{t("cronHint")}</p>
          {fieldError && <p id={`${ids}-error`} className={errorTextClass}>{fieldError}</p>}
        </div>
      )}
      <NextRuns cron={cron} id={`${ids}-runs`} showZone />
      {formError && <Alert tone="error">{formError}</Alert>}
      <button type="submit" className={buttonClass("secondary")} disabled={mutation.isPending} aria-busy={mutation.isPending}>
        {mutation.isPending && <Spinner />}
        {t("addPlan")}
      </button>
    </form>
  );
}
