"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { useAnnounce } from "@/components/shell/live-announcer";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass } from "@/components/ui/styles";
import { useFocusRescue } from "@/components/ui/use-focus-rescue";
import type { PowerAction } from "@/lib/client/api";
import { stepPowerWatch, watchPowerAction, type PowerWatch } from "@/lib/client/power-progress";
import { usePowerVm } from "./use-vms";
import { useVmStateLabel, vmStateTone } from "./vm-state-badge";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/** Power states in which a start makes sense (KubeVirt answers 409 otherwise). */
const startable = new Set(["Stopped", "Error", "ErrorUnschedulable", "CrashLoopBackOff", "Unknown"]);

/**
 * Start, stop, restart and pause (or unpause) buttons for one VM. Stop and restart ask for
 * confirmation (they cut the guest off like a power button); start and pause do not (a paused
 * guest keeps its memory and goes on where it stopped). Pause is offered while the VM runs,
 * Unpause instead while it is paused; a paused VM can still be stopped or restarted, as KubeVirt
 * allows. KubeVirt's refusals (409) are shown in the server's plain words.
 *
 * For screen readers, the polite live region says "Stopping web-1…" when the request leaves, then
 * "web-1 is stopped." once the VM's state (`powerState`, kept fresh by the page) got there, or the
 * state it failed in; a refusal is the alert below the buttons. A button that becomes disabled
 * while it has the focus (Stop, once the VM stopped) hands the focus to the next usable one
 * instead of dropping it on the page ({@link useFocusRescue}).
 */
export function PowerActions({ tenant, name, powerState }: { tenant: string; name: string; powerState: string }) {
  const t = useTranslations("Power");
  const errorMessage = useApiErrorMessage();
  const stateLabel = useVmStateLabel();
  const announce = useAnnounce();
  const mutation = usePowerVm(tenant);
  const [confirming, setConfirming] = useState<"stop" | "restart" | null>(null);
  const groupRef = useRef<HTMLDivElement>(null);
  // The accepted action whose end is still to be announced.
  const watch = useRef<PowerWatch | null>(null);
  useFocusRescue(groupRef);
  const paused = powerState === "Paused";
  const running = powerState === "Running" || paused;
  const run = (action: PowerAction) => {
    watch.current = null;
    announce(t(`announce.${action}`, { name }));
    mutation.mutate({ name, action }, {
      onSuccess: () => {
        watch.current = watchPowerAction(action);
      },
      onSettled: () => setConfirming(null),
    });
  };
  const pending = (action: PowerAction) => mutation.isPending && mutation.variables?.action === action;

  useEffect(() => {
    const current = watch.current;
    if (!current) return;
    if (vmStateTone(powerState) === "red") {
      watch.current = null;
      announce(t("announce.failed", { name, state: stateLabel(powerState) }));
      return;
    }
    const next = stepPowerWatch(current, powerState);
    watch.current = next === "reached" ? null : next;
    if (next === "reached") announce(t(`announce.${current.action}Done`, { name }));
  }, [powerState, name, announce, t, stateLabel]);

  return (
    <div ref={groupRef} role="group" aria-label={t("groupLabel")} tabIndex={-1} className="flex flex-wrap items-center gap-2">
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
        <Alert tone="error" className="w-full">{t("error", { message: errorMessage(mutation.error) })}</Alert>
      )}
      {confirming && (
        <Dialog
          open
          onClose={() => setConfirming(null)}
          title={t(confirming === "stop" ? "confirmStopTitle" : "confirmRestartTitle", { name })}
          description={t(confirming === "stop" ? "confirmStopBody" : "confirmRestartBody")}
          initialFocus="[data-autofocus]"
        >
          {mutation.isError && <Alert tone="error" className="mb-4">{t("error", { message: errorMessage(mutation.error) })}</Alert>}
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
