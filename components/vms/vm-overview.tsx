"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { buttonClass, panelClass } from "@/components/ui/styles";
import { useFormat } from "@/lib/client/format";
import type { VmDetail } from "@/lib/shared/disk";
import { usePowerVm } from "./use-vms";
import { useNow } from "./use-now";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-500 uppercase dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-sm break-words">{children}</dd>
    </div>
  );
}

/** A command in a code box with a Copy button that says when it copied. */
function CopyCommand({ command, label }: { command: string; label: string }) {
  const t = useTranslations("VmOverview");
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <code className="rounded bg-zinc-100 px-2 py-1 font-mono text-sm break-all dark:bg-zinc-800" aria-label={label}>{command}</code>
      <button type="button" className={buttonClass("ghost", "sm")} onClick={() => {
        void navigator.clipboard?.writeText(command).then(() => setCopied(true), () => setCopied(false));
        clearTimeout(timer.current);
        timer.current = setTimeout(() => setCopied(false), 2_000);
      }}>
        {copied ? t("copied") : t("copy")}<span className="sr-only"> {label}</span>
      </button>
      <span role="status" className="sr-only">{copied ? t("copied") : ""}</span>
    </div>
  );
}

/**
 * The Overview tab of the VM page: why the VM is in its state (the failing condition of the
 * VMInstance, the VirtualMachine or a DataVolume), "restart required" with a Restart button,
 * the guest's addresses, external access (method, ports, load-balancer IP), an SSH command to
 * copy, node, when it started, instance type and OS profile with their sizes, run strategy.
 */
export function VmOverviewPanel({ detail }: { detail: VmDetail }) {
  const t = useTranslations("VmOverview");
  const errorMessage = useApiErrorMessage();
  const tenant = useTenant();
  const format = useFormat();
  const now = useNow(10_000);
  const power = usePowerVm(tenant.name);
  const { vm, overview: o } = detail;
  const dash = <span className="text-zinc-500 dark:text-zinc-400">—</span>;

  return (
    <div className="space-y-4">
      {o.problem && (
        <Alert tone="error" title={t("problemTitle", { source: o.problem.source, object: o.problem.object, reason: o.problem.reason })}>
          {/* the cluster's condition message, in English (WCAG 3.1.2) */}
          <span lang="en">{o.problem.message}</span>
        </Alert>
      )}
      {o.restartRequired && (
        <Alert tone="info" title={t("restartRequiredTitle")}>
          <p>{t("restartRequiredBody")}</p>
          {tenant.can("vm.power") && (
            <button type="button" className={`${buttonClass("secondary", "sm")} mt-2`} disabled={power.isPending}
              onClick={() => power.mutate({ name: vm.name, action: "restart" })}>
              {t("restartNow")}
            </button>
          )}
          {power.isError && <p className="mt-2 text-sm">{errorMessage(power.error)}</p>}
        </Alert>
      )}
      <section className={`${panelClass} p-6`} aria-label={t("title")}>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-4 sm:grid-cols-2 lg:grid-cols-3">
          <Field label={t("ipAddresses")}>
            {o.ipAddresses.length ? <span className="font-mono">{o.ipAddresses.join(", ")}</span> : <span className="text-zinc-500 dark:text-zinc-400">{t("noAddress")}</span>}
          </Field>
          <Field label={t("external")}>
            {o.external ? (
              <>
                <span className="font-mono">{o.external.ip ?? t("externalPending")}</span>
                <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                  {o.external.method === "WholeIP" ? t("wholeIp") : t("ports", { ports: o.external.ports.join(", ") })}
                </span>
              </>
            ) : t("externalOff")}
          </Field>
          <Field label={t("node")}>{o.node ? <span className="font-mono">{o.node}</span> : dash}</Field>
          <Field label={t("started")}>
            {o.startedAt ? <time dateTime={o.startedAt} title={format.dateTime(o.startedAt)}>{format.age(o.startedAt, now)}</time> : dash}
          </Field>
          <Field label={t("instanceType")}>
            {o.instanceType
              ? <>{o.instanceType.name} <span className="text-zinc-600 dark:text-zinc-400">({t("sizes", { cpu: o.instanceType.cpu, memory: format.bytes(o.instanceType.memoryBytes) })})</span></>
              : (vm.instanceType || dash)}
          </Field>
          <Field label={t("profile")}>{o.preference ? `${o.preference.displayName} (${o.preference.name})` : (vm.instanceProfile || dash)}</Field>
          <Field label={t("runStrategy")}>{o.runStrategy}</Field>
        </dl>
        <div className="mt-6 border-t border-zinc-100 pt-4 dark:border-zinc-800">
          <h2 className="text-xs font-medium text-zinc-500 uppercase dark:text-zinc-400">{t("ssh")}</h2>
          <div className="mt-1">
            {o.sshCommand ? <CopyCommand command={o.sshCommand} label={t("ssh")} /> : <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("sshUnavailable")}</p>}
          </div>
        </div>
      </section>
    </div>
  );
}
