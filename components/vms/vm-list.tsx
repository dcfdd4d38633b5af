"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { buttonClass, panelClass } from "@/components/ui/styles";
import { isApiError } from "@/lib/client/api";
import { formatAge } from "@/lib/client/relative-time";
import type { VmSummary } from "@/lib/shared/vm";
import { DeleteVmDialog } from "./delete-vm-dialog";
import { useNow } from "./use-now";
import { useVmList, type VmStreamStatus } from "./use-vms";
import { VmStateBadge } from "./vm-state-badge";

/** The tenant's VM list: live table, empty state, cluster banner, delete confirmation. */
export function VmList() {
  const tenant = useTenant();
  const t = useTranslations("VmList");
  const tRole = useTranslations("Roles");
  const { query, stream } = useVmList(tenant.name);
  const [deleting, setDeleting] = useState<VmSummary | null>(null);
  const vms = query.data;
  const canCreate = tenant.can("vm.create");
  const canDelete = tenant.can("vm.delete");
  const canConsole = tenant.can("vm.console");

  const listUnavailable = isApiError(query.error ?? query.failureReason, 503) && stream.status !== "live";
  const clusterUnavailable = stream.status === "unavailable" || listUnavailable;
  const unavailableMessage = stream.message ?? (listUnavailable ? (query.error ?? query.failureReason)?.message : null);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
          <p className="mt-1 flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
            <span>{tenant.displayName}</span>
            {vms && <span aria-hidden="true">·</span>}
            {vms && <span>{t("count", { count: vms.length })}</span>}
            <StreamIndicator status={stream.status} />
          </p>
        </div>
        {canCreate && vms && vms.length > 0 && (
          <Link href={`/t/${tenant.name}/vms/new`} className={buttonClass("primary")}>
            <PlusIcon />
            {t("create")}
          </Link>
        )}
      </div>

      {clusterUnavailable && (
        <Alert tone="warning" role="alert" title={t("clusterUnavailableTitle")}>
          <p>{t("clusterUnavailableBody")}</p>
          {unavailableMessage && <p className="mt-1 font-mono text-xs opacity-80">{unavailableMessage}</p>}
        </Alert>
      )}

      <ListBody
        tenant={tenant.name}
        role={tRole(tenant.role)}
        vms={vms}
        error={query.error}
        clusterUnavailable={clusterUnavailable}
        canCreate={canCreate}
        canDelete={canDelete}
        canConsole={canConsole}
        onDelete={setDeleting}
      />

      {deleting && <DeleteVmDialog tenant={tenant.name} vm={deleting} onClose={() => setDeleting(null)} />}
    </div>
  );
}

function ListBody({ tenant, role, vms, error, clusterUnavailable, canCreate, canDelete, canConsole, onDelete }: {
  tenant: string;
  role: string;
  vms: VmSummary[] | undefined;
  error: Error | null;
  clusterUnavailable: boolean;
  canCreate: boolean;
  canDelete: boolean;
  canConsole: boolean;
  onDelete: (vm: VmSummary) => void;
}) {
  const t = useTranslations("VmList");
  const pathname = usePathname();
  // An ended session shows even over a cached list: the live updates have stopped.
  if (isApiError(error, 401)) {
    return (
      <Alert tone="error" title={t("sessionExpired")}>
        <Link href={`/signin?callbackUrl=${encodeURIComponent(pathname)}`} className="font-medium underline">{t("signInAgain")}</Link>
      </Alert>
    );
  }
  if (!vms && error && !clusterUnavailable) return <Alert tone="error">{t("loadError", { message: error.message })}</Alert>;
  if (!vms) return <TableSkeleton />;
  if (vms.length === 0) {
    return (
      <section className={`${panelClass} px-6 py-14 text-center`} aria-labelledby="vms-empty-title">
        <svg aria-hidden="true" viewBox="0 0 24 24" className="mx-auto size-10 text-zinc-400" fill="none" stroke="currentColor" strokeWidth="1.5">
          <rect x="3" y="4" width="18" height="12" rx="2" />
          <path d="M8 20h8M12 16v4" strokeLinecap="round" />
        </svg>
        <h2 id="vms-empty-title" className="mt-4 text-lg font-semibold">{t("emptyTitle")}</h2>
        <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
          {canCreate ? t("emptyBody") : t("emptyBodyReadOnly", { role })}
        </p>
        {canCreate && (
          <Link href={`/t/${tenant}/vms/new`} className={`${buttonClass("primary")} mt-6`}>
            <PlusIcon />
            {t("create")}
          </Link>
        )}
      </section>
    );
  }
  return <VmTable tenant={tenant} vms={vms} canDelete={canDelete} canConsole={canConsole} onDelete={onDelete} />;
}

const th = "px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400";
const td = "px-4 py-3 align-middle text-sm";

function VmTable({ tenant, vms, canDelete, canConsole, onDelete }: {
  tenant: string;
  vms: VmSummary[];
  canDelete: boolean;
  canConsole: boolean;
  onDelete: (vm: VmSummary) => void;
}) {
  const t = useTranslations("VmList");
  const locale = useLocale();
  const now = useNow(30_000);
  return (
    <div className={`${panelClass} overflow-x-auto`}>
      <table className="w-full min-w-[820px] border-collapse">
        <caption className="sr-only">{t("title")}</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50/80 dark:border-zinc-800 dark:bg-zinc-900/60">
          <tr>
            <th scope="col" className={th}>{t("colName")}</th>
            <th scope="col" className={th}>{t("colInstanceType")}</th>
            <th scope="col" className={th}>{t("colProfile")}</th>
            <th scope="col" className={th}>{t("colState")}</th>
            <th scope="col" className={th}>{t("colAge")}</th>
            {(canDelete || canConsole) && <th scope="col" className={`${th} text-right`}><span className="sr-only">{t("colActions")}</span></th>}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {vms.map((vm) => (
            <tr key={vm.name} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
              <th scope="row" className={`${td} text-left font-medium`}>
                <Link href={`/t/${tenant}/vms/${vm.name}`} className="font-mono text-[13px] text-zinc-900 hover:underline dark:text-zinc-100">{vm.name}</Link>
                {vm.external && (
                  <span className="ml-2 rounded bg-blue-50 px-1.5 py-0.5 text-[11px] font-medium text-blue-700 dark:bg-blue-500/10 dark:text-blue-300">
                    {t("external")}
                  </span>
                )}
              </th>
              <td className={`${td} font-mono text-[13px] text-zinc-700 dark:text-zinc-300`}>{vm.instanceType || "—"}</td>
              <td className={`${td} text-zinc-700 dark:text-zinc-300`}>{vm.instanceProfile || "—"}</td>
              <td className={td}><VmStateBadge state={vm.powerState} message={vm.message} /></td>
              <td className={`${td} whitespace-nowrap text-zinc-600 dark:text-zinc-400`}>
                {vm.createdAt && (
                  <time dateTime={vm.createdAt} title={new Date(vm.createdAt).toLocaleString(locale)}>
                    {formatAge(vm.createdAt, now, locale)}
                  </time>
                )}
              </td>
              {(canDelete || canConsole) && (
                <td className={`${td} whitespace-nowrap text-right`}>
                  {canConsole && (
                    <Link
                      href={`/t/${tenant}/vms/${vm.name}/console`}
                      aria-label={t("openConsole", { name: vm.name })}
                      className={buttonClass("ghost", "sm")}
                    >
                      <TerminalIcon />
                      {t("console")}
                    </Link>
                  )}
                  {canDelete && (
                  <button
                    type="button"
                    onClick={() => onDelete(vm)}
                    disabled={vm.powerState === "Terminating"}
                    className={`${buttonClass("ghost", "sm")} text-red-700 hover:bg-red-50 hover:text-red-800 dark:text-red-400 dark:hover:bg-red-500/10 dark:hover:text-red-300`}
                  >
                    <TrashIcon />
                    {t("delete")}
                    <span className="sr-only"> {vm.name}</span>
                  </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TableSkeleton() {
  const t = useTranslations("VmList");
  return (
    <div className={`${panelClass} p-4`} aria-busy="true">
      <p role="status" className="sr-only">{t("loading")}</p>
      <div className="space-y-4">
        <Skeleton className="h-4 w-1/3" />
        {[0, 1, 2, 3].map((i) => (
          <div key={i} className="grid grid-cols-5 gap-6">
            <Skeleton className="h-4" />
            <Skeleton className="h-4 w-2/3" />
            <Skeleton className="h-4 w-1/2" />
            <Skeleton className="h-5 w-20 rounded-full" />
            <Skeleton className="h-4 w-16" />
          </div>
        ))}
      </div>
    </div>
  );
}

function StreamIndicator({ status }: { status: VmStreamStatus }) {
  const t = useTranslations("VmList");
  if (status === "live") {
    return (
      <span className="inline-flex items-center gap-1.5 text-xs font-medium text-emerald-700 dark:text-emerald-400" title={t("liveHint")}>
        <span aria-hidden="true" className="size-2 rounded-full bg-emerald-500" />
        {t("live")}
      </span>
    );
  }
  if (status === "reconnecting") {
    return <span className="text-xs text-amber-700 dark:text-amber-400" role="status">{t("reconnecting")}</span>;
  }
  return null;
}

function PlusIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
      <path d="M10 4a1 1 0 0 1 1 1v4h4a1 1 0 1 1 0 2h-4v4a1 1 0 1 1-2 0v-4H5a1 1 0 1 1 0-2h4V5a1 1 0 0 1 1-1Z" />
    </svg>
  );
}

function TerminalIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
      <rect x="2.5" y="3.5" width="15" height="13" rx="2" />
      <path d="M6 8l2.5 2L6 12M10.5 12.5H14" />
    </svg>
  );
}

function TrashIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
      <path d="M4 6h12M8 6V4h4v2M6 6l.7 10h6.6L14 6M8.5 9v4.5M11.5 9v4.5" />
    </svg>
  );
}
