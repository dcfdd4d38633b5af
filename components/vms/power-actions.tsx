"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass } from "@/components/ui/styles";
import type { PowerAction } from "@/lib/client/api";
import { usePowerVm } from "./use-vms";

/** Power states in which a start makes sense (KubeVirt answers 409 otherwise). */
const startable = new Set(["Stopped", "Error", "ErrorUnschedulable", "CrashLoopBackOff", "Unknown"]);

/**
 * Start, stop, restart and pause (or unpause) buttons for one VM. Stop and restart ask for
 * confirmation (they cut the guest off like a power button); start and pause do not (a paused
 * guest keeps its memory and goes on where it stopped). Pause is offered while the VM runs,
 * Unpause instead while it is paused; a paused VM can still be stopped or restarted, as KubeVirt
 * allows. KubeVirt's refusals (409) are shown in the server's plain words.
 */
export function PowerActions({ tenant, name, powerState }: { tenant: string; name: string; powerState: string }) {
  const t = useTranslations("Power");
  const mutation = usePowerVm(tenant);
  const [confirming, setConfirming] = useState<"stop" | "restart" | null>(null);
  const paused = powerState === "Paused";
  const running = powerState === "Running" || paused;
  const run = (action: PowerAction) => mutation.mutate({ name, action }, { onSettled: () => setConfirming(null) });
  const pending = (action: PowerAction) => mutation.isPending && mutation.variables?.action === action;

  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className={buttonClass("secondary", "sm")} disabled={!startable.has(powerState) || mutation.isPending} onClick={() => run("start")}>
        {pending("start") && <Spinner />}
        {t("start")}
      </button>
      <button type="button" className={buttonClass("secondary", "sm")} disabled={!running || mutation.isPending} onClick={() => setConfirming("stop")}>
        {t("stop")}
      </button>
      <button type="button" className={buttonClass("secondary", "sm")} disabled={!running || mutation.isPending} onClick={() => setConfirming("restart")}>
        {t("restart")}
      </button>
      <button type="button" className={buttonClass("secondary", "sm")} disabled={!running || mutation.isPending} onClick={() => run(paused ? "unpause" : "pause")}>
        {(pending("pause") || pending("unpause")) && <Spinner />}
        {t(paused ? "unpause" : "pause")}
      </button>
      {mutation.isError && !confirming && (
        <Alert tone="error" className="w-full">{t("error", { message: mutation.error.message })}</Alert>
      )}
      {confirming && (
        <Dialog
          open
          onClose={() => setConfirming(null)}
          title={t(confirming === "stop" ? "confirmStopTitle" : "confirmRestartTitle", { name })}
          description={t(confirming === "stop" ? "confirmStopBody" : "confirmRestartBody")}
          initialFocus="[data-autofocus]"
        >
          {mutation.isError && <Alert tone="error" className="mb-4">{t("error", { message: mutation.error.message })}</Alert>}
          <div className="flex justify-end gap-2">
            <button type="button" className={buttonClass("secondary")} onClick={() => setConfirming(null)} data-autofocus>
              {t("cancel")}
            </button>
            <button type="button" className={buttonClass("danger")} disabled={mutation.isPending} aria-busy={mutation.isPending} onClick={() => run(confirming)}>
              {mutation.isPending && <Spinner />}
              {t(confirming === "stop" ? "confirmStop" : "confirmRestart")}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
