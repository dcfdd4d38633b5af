"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass } from "@/components/ui/styles";
import { settleEach } from "@/lib/client/vm-list-view";
import { useDeleteVm, usePowerVm } from "./use-vms";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/** An action of the VM list's bulk toolbar. */
export type BulkAction = "start" | "stop" | "restart" | "delete";

/** How many VMs are worked on at once: enough to be quick, few enough to spare the API server. */
const parallelism = 3;

/** Where one VM stands: not started yet, in flight, accepted, or refused with the server's words. */
type VmResult = { status: "waiting" | "working" | "done" } | { status: "failed"; error: unknown };

/**
 * Confirms a bulk action on the VMs `names` (listed by name), then runs it for each, a few at a
 * time, and shows each VM's result: done, or the server's reason (e.g. "The VM is already
 * stopped."). Power actions answer once KubeVirt accepted them (the state then follows on the
 * list); a delete keeps the VM's disks (`withDisks=false`), as the dialog says.
 *
 * The dialog cannot be closed while the actions run. Cancel (or Escape) before confirming calls
 * `onCancel`; closing the results calls `onFinished` (the list then clears its selection).
 */
export function BulkActionDialog({ tenant, action, names, onCancel, onFinished }: {
  tenant: string;
  action: BulkAction;
  names: string[];
  onCancel: () => void;
  onFinished: () => void;
}) {
  const t = useTranslations("VmList.bulk");
  const power = usePowerVm(tenant);
  const remove = useDeleteVm(tenant);
  const [results, setResults] = useState<Record<string, VmResult> | null>(null);
  const progressRef = useRef<HTMLParagraphElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const count = names.length;

  const outcomes = results ? names.map((n) => results[n]) : [];
  const finished = outcomes.filter((r) => r.status === "done" || r.status === "failed").length;
  const failed = outcomes.filter((r) => r.status === "failed").length;
  const phase = !results ? "confirm" : finished < count ? "running" : "done";

  // The confirm button goes away while the actions run: keep the focus inside the dialog, on the
  // progress line, then on Close once every VM has its result.
  useEffect(() => {
    if (phase === "running") progressRef.current?.focus();
    if (phase === "done") closeRef.current?.focus();
  }, [phase]);

  const run = async () => {
    setResults(Object.fromEntries(names.map((n) => [n, { status: "waiting" }])));
    await settleEach(
      names,
      parallelism,
      async (name) => {
        if (action === "delete") await remove.mutateAsync({ name, withDisks: false });
        else await power.mutateAsync({ name, action });
      },
      (name, _index, result) => {
        const next: VmResult = !result ? { status: "working" }
          : result.status === "fulfilled" ? { status: "done" }
            : { status: "failed", error: result.reason };
        setResults((prev) => ({ ...prev, [name]: next }));
      },
    );
  };

  const close = () => {
    if (phase === "confirm") onCancel();
    else if (phase === "done") onFinished();
    // while running: the results would be lost, so Escape does nothing
  };

  return (
    <Dialog
      open
      onClose={close}
      title={phase === "confirm" ? t(`${action}Title`, { count }) : t(`${action}Confirm`, { count })}
      description={t(`${action}Body`)}
      initialFocus="[data-autofocus]"
    >
      {phase === "confirm" ? (
        <ul aria-label={t("chosen")} className="max-h-60 space-y-1 overflow-y-auto rounded-md border border-zinc-200 p-2 dark:border-zinc-700">
          {names.map((name) => (
            <li key={name} className="font-mono text-[13px] text-zinc-800 dark:text-zinc-200">{name}</li>
          ))}
        </ul>
      ) : (
        <>
          <p ref={progressRef} tabIndex={-1} role="status" className="mb-2 text-sm font-medium focus:outline-none">
            {phase === "running" ? t("progress", { finished, count }) : t("summary", { failed, count })}
          </p>
          <ul aria-label={t("results")} className="max-h-72 divide-y divide-zinc-100 overflow-y-auto rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-700">
            {names.map((name) => <ResultRow key={name} name={name} result={results![name]} />)}
          </ul>
        </>
      )}
      <div className="flex justify-end gap-2 pt-4">
        {phase === "confirm" && (
          <>
            <button type="button" className={buttonClass("secondary")} onClick={onCancel} data-autofocus>
              {t("cancel")}
            </button>
            <button type="button" className={buttonClass(action === "start" ? "primary" : "danger")} onClick={() => void run()}>
              {t(`${action}Confirm`, { count })}
            </button>
          </>
        )}
        {phase !== "confirm" && (
          <button ref={closeRef} type="button" className={buttonClass("secondary")} onClick={onFinished} disabled={phase === "running"}>
            {phase === "running" && <Spinner />}
            {t("close")}
          </button>
        )}
      </div>
    </Dialog>
  );
}

/** One VM's line in the results: its name and where it stands. */
function ResultRow({ name, result }: { name: string; result: VmResult }) {
  const t = useTranslations("VmList.bulk");
  const errorMessage = useApiErrorMessage();
  return (
    <li className="flex items-start justify-between gap-4 px-3 py-2 text-sm">
      <span className="font-mono text-[13px] text-zinc-900 dark:text-zinc-100">{name}</span>
      {result.status === "failed" ? (
        <span className="text-right text-red-700 dark:text-red-400">
          <span className="sr-only">{t("failed")} </span>
          {errorMessage(result.error)}
        </span>
      ) : result.status === "done" ? (
        <span className="inline-flex items-center gap-1 font-medium text-emerald-700 dark:text-emerald-400">
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
            <path d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" />
          </svg>
          {t("done")}
        </span>
      ) : (
        <span className="inline-flex items-center gap-1 text-zinc-500 dark:text-zinc-400">
          {result.status === "working" && <Spinner />}
          {t(result.status)}
        </span>
      )}
    </li>
  );
}
