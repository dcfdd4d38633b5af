"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useRef, type KeyboardEvent } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { buttonClass } from "@/components/ui/styles";
import { useVmDetail } from "@/components/disks/use-disks";
import { isApiError } from "@/lib/client/api";
import { VmStateBadge } from "./vm-state-badge";
import { PowerActions } from "./power-actions";
import { VmOverviewPanel } from "./vm-overview";
import { VmDisksPanel } from "./vm-disks-panel";
import { VmEventsPanel } from "./vm-events";
import { VmConfigurationPanel } from "./vm-configuration";
import { VmYamlPanel } from "./vm-yaml";
import { VmMetricsPanel } from "./vm-metrics";
import { VmBackupsPanel } from "@/components/backups/vm-backups-panel";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/** The tabs of the VM page, in order; the chosen one is kept in the URL (`?tab=`). */
export const vmTabs = ["overview", "configuration", "disks", "backups", "events", "metrics", "yaml"] as const;
/** One tab of the VM page. */
export type VmTab = (typeof vmTabs)[number];

/**
 * `/t/{tenant}/vms/{name}`: the VM's name, state, power actions and console link above its tabs
 * (WAI-ARIA tabs pattern: arrow keys, Home and End move between tabs): Overview, Configuration
 * (the edit form: resize, resources, SSH keys, cloud-init, external access, run strategy), Disks
 * (boot order, attach, detach), Backups (back up now, restore, backup plans), Metrics (CPU, memory, disk and network graphs from Prometheus), Events and YAML (the VMInstance as stored, and its editor).
 */
export function VmDetailView({ name }: { name: string }) {
  const tenant = useTenant();
  const t = useTranslations("VmDetail");
  const errorMessage = useApiErrorMessage();
  const detail = useVmDetail(tenant.name, name);
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const ids = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const requested = params.get("tab");
  const tab: VmTab = vmTabs.includes(requested as VmTab) ? (requested as VmTab) : "overview";

  const choose = (next: VmTab, focus = false) => {
    const query = new URLSearchParams(params.toString());
    if (next === "overview") query.delete("tab");
    else query.set("tab", next);
    if (next !== "metrics") query.delete("range");
    const qs = query.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    if (focus) tabRefs.current[vmTabs.indexOf(next)]?.focus();
  };
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = vmTabs.indexOf(tab);
    const target = e.key === "ArrowRight" ? (i + 1) % vmTabs.length
      : e.key === "ArrowLeft" ? (i + vmTabs.length - 1) % vmTabs.length
        : e.key === "Home" ? 0 : e.key === "End" ? vmTabs.length - 1 : -1;
    if (target < 0) return;
    e.preventDefault();
    choose(vmTabs[target], true);
  };

  if (isApiError(detail.error, 404)) return <Alert tone="error" title={t("notFound", { name })} />;
  if (!detail.data) {
    return detail.error ? <Alert tone="error">{errorMessage(detail.error)}</Alert> : <Skeleton className="h-40" />;
  }
  const { vm } = detail.data;

  return (
    <div className="space-y-6">
      <div>
        <Link href={`/t/${tenant.name}/vms`} className="text-sm font-medium text-blue-700 hover:underline dark:text-blue-400">{t("back")}</Link>
        <div className="mt-2 flex flex-wrap items-center gap-4">
          <h1 className="font-mono text-2xl font-semibold tracking-tight break-all">{vm.name}</h1>
          <VmStateBadge state={vm.powerState} message={vm.message} />
          {tenant.can("vm.console") && (
            <Link href={`/t/${tenant.name}/vms/${vm.name}/console`} className={buttonClass("secondary", "sm")}>{t("console")}</Link>
          )}
          {tenant.can("vm.power") && <PowerActions tenant={tenant.name} name={vm.name} powerState={vm.powerState} />}
        </div>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("summary", { type: vm.instanceType || "—", profile: vm.instanceProfile || "—" })}</p>
      </div>

      <div role="tablist" aria-label={t("tabsLabel")} className="relative flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
        {vmTabs.map((id, i) => (
          <button key={id} ref={(el) => { tabRefs.current[i] = el; }} type="button" role="tab" id={`${ids}-tab-${id}`}
            aria-selected={tab === id} aria-controls={tab === id ? `${ids}-panel-${id}` : undefined} tabIndex={tab === id ? 0 : -1}
            onClick={() => choose(id)} onKeyDown={onTabKey}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-blue-600 ${
              tab === id ? "border-blue-600 text-blue-700 dark:border-blue-400 dark:text-blue-300"
                : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}>
            {t(`tab.${id}`)}
          </button>
        ))}
      </div>

      <div role="tabpanel" id={`${ids}-panel-${tab}`} aria-labelledby={`${ids}-tab-${tab}`} tabIndex={0} className="focus-visible:outline-none">
        {tab === "overview" && <VmOverviewPanel detail={detail.data} />}
        {tab === "metrics" && <VmMetricsPanel detail={detail.data} />}
        {tab === "disks" && <VmDisksPanel detail={detail.data} />}
        {tab === "backups" && <VmBackupsPanel name={vm.name} />}
        {tab === "configuration" && <VmConfigurationPanel detail={detail.data} />}
        {tab === "events" && <VmEventsPanel name={vm.name} />}
        {tab === "yaml" && <VmYamlPanel name={vm.name} />}
      </div>
    </div>
  );
}
