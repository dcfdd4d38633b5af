"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { Suspense, memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode, type RefObject } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { TableBody } from "@/components/ui/virtual-table-body";
import { buttonClass, panelClass } from "@/components/ui/styles";
import { isApiError } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import {
  applyVmListView, clearVmListFilters, initialVmListViewState, isVmListFiltered, recordVmListView, selectionExtent,
  syncVmListViewState, toggleAllSelected, toggleSelected, toggleVmSort, vmFilterOptions, vmListQuery,
  type VmListView, type VmSortKey,
} from "@/lib/client/vm-list-view";
import { signInHref } from "@/lib/shared/callback-url";
import type { VmSummary } from "@/lib/shared/vm";
import { BulkActionDialog, type BulkAction } from "./bulk-action-dialog";
import { BulkToolbar } from "./bulk-toolbar";
import { takeCreatedVm } from "./created-vm";
import { DeleteVmDialog } from "./delete-vm-dialog";
import { useNow } from "./use-now";
import { useVmList, type InitialVmRows, type VmStreamStatus } from "./use-vms";
import { VmListFilters } from "./vm-list-filters";
import { VmStateBadge } from "./vm-state-badge";

/**
 * The tenant's VM list: live table with search, filters and sort kept in the URL, bulk actions on
 * selected rows, empty states, cluster banner, delete confirmation. Arriving from the create form,
 * the focus goes to the new VM's row link; after a delete, to the list's heading.
 */
export function VmList({ initial }: { initial?: InitialVmRows }) {
  // The view is read from the URL query (useSearchParams), which needs a Suspense boundary.
  return (
    <Suspense fallback={<TableSkeleton />}>
      <VmListContent initial={initial} />
    </Suspense>
  );
}

/** How long the URL waits for typing to pause before it follows the view: 250 ms. */
const urlWriteDelayMs = 250;

/** A new view, or how to make it from the current one. */
type VmListViewChange = VmListView | ((view: VmListView) => VmListView);

/**
 * The list's view (search, filters, sort) and its setter (stable across renders). The URL query
 * holds it, so a reload or a shared link shows the same rows. It is written with
 * `history.replaceState`, which Next.js syncs into `useSearchParams()` without a request to the
 * server (router.replace would fetch the page's server components again on every keystroke) and
 * without a history entry per change, once typing pauses for {@link urlWriteDelayMs}: each write
 * makes Next re-render its router in a transition, which would otherwise share the keystroke's
 * frame budget with the rows. The view itself lives in state so that typing never waits for the
 * URL (see {@link syncVmListViewState}).
 */
function useVmListView(): [VmListView, (change: VmListViewChange) => void] {
  const pathname = usePathname();
  const urlQuery = useSearchParams().toString();
  const [state, setState] = useState(() => initialVmListViewState(urlQuery));
  // The URL moved (our own write coming back, or a navigation): reconcile during render.
  if (state.urlQuery !== urlQuery) setState(syncVmListViewState(state, urlQuery));
  // The timer writes the view of the latest render (after a navigation, the URL's own: no write).
  const latest = useRef(state.view);
  useEffect(() => {
    latest.current = state.view;
  });
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const change = useCallback((next: VmListViewChange) => {
    setState((s) => recordVmListView(s, typeof next === "function" ? next(s.view) : next));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const query = vmListQuery(latest.current, window.location.search);
      if (query === window.location.search.replace(/^\?/, "")) return;
      window.history.replaceState(null, "", query ? `${pathname}?${query}` : pathname);
    }, urlWriteDelayMs);
  }, [pathname]);
  return [state.view, change];
}

function VmListContent({ initial }: { initial?: InitialVmRows }) {
  const tenant = useTenant();
  const t = useTranslations("VmList");
  const tRole = useTranslations("Roles");
  const errorMessage = useApiErrorMessage();
  const { query, stream } = useVmList(tenant.name, initial);
  const [view, setView] = useVmListView();
  // Typing and clicks update `view` at once; the rows follow a moment later without blocking input
  // (React renders the deferred value in the background and drops stale renders, so filtering
  // and sorting 10,000 rows never delays a keystroke).
  const shownView = useDeferredValue(view);
  const [deleting, setDeleting] = useState<VmSummary | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [bulk, setBulk] = useState<{ action: BulkAction; names: string[] } | null>(null);
  // Where the focus goes after the control that had it went away ("table": the select-all box).
  const [refocus, setRefocus] = useState<{ to: "table" | "heading" } | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const selectAllRef = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const vms = query.data;
  const canCreate = tenant.can("vm.create");
  const canDelete = tenant.can("vm.delete");
  const canPower = tenant.can("vm.power");
  const canConsole = tenant.can("vm.console");
  const canSelect = canPower || canDelete;

  const rows = useMemo(() => (vms ? applyVmListView(vms, shownView) : []), [vms, shownView]);
  const options = useMemo(() => vmFilterOptions(vms ?? [], shownView), [vms, shownView]);
  const shown = useMemo(() => rows.map((vm) => vm.name), [rows]);
  const sortBy = useCallback((key: VmSortKey) => setView((v) => toggleVmSort(v, key)), [setView]);
  // Stable while the rows and the selection are: the table (memo) is not rendered again by a
  // keystroke until the filtered rows are ready.
  const selection = useMemo<TableSelection | null>(() => (canSelect ? {
    selected,
    onToggle: (name) => setSelected(toggleSelected(shown, selected, name)),
    onToggleAll: () => setSelected(toggleAllSelected(shown, selected)),
  } : null), [canSelect, selected, shown]);
  // Only shown rows count as selected: a bulk action never touches a VM the user cannot see.
  const chosen = shown.filter((name) => selected.has(name));

  // After a bulk action's results close, its toolbar button is gone: go back to the table; after
  // a delete, the row and its button are gone: go to the heading.
  useEffect(() => {
    if (!refocus) return;
    (refocus.to === "table" ? (selectAllRef.current ?? headingRef.current) : headingRef.current)?.focus();
  }, [refocus]);

  // Arriving from the create form: focus the new VM's row (the heading if a filter hides it).
  useEffect(() => {
    if (!vms) return;
    const created = takeCreatedVm(tenant.name);
    if (created) (document.getElementById(vmLinkId(created)) ?? headingRef.current)?.focus();
  }, [vms, tenant.name]);

  const listUnavailable = isApiError(query.error ?? query.failureReason, 503) && stream.status !== "live";
  const clusterUnavailable = stream.status === "unavailable" || listUnavailable;
  const unavailableError = stream.error ?? (listUnavailable ? (query.error ?? query.failureReason) : null);
  const unavailableMessage = unavailableError ? errorMessage(unavailableError) : null;
  const filtered = isVmListFiltered(view);
  const clearFilters = () => {
    setView(clearVmListFilters);
    searchRef.current?.focus();
  };

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 ref={headingRef} tabIndex={-1} className="text-2xl font-semibold tracking-tight focus:outline-none">{t("title")}</h1>
          <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
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
      >
        <div className="space-y-3">
          <VmListFilters view={view} options={options} onChange={setView} searchRef={searchRef} />
          <div className="flex min-h-8 flex-wrap items-center justify-between gap-3">
            <div className="flex items-center gap-3">
              <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">{t("shown", { shown: rows.length, total: vms?.length ?? 0 })}</p>
              {filtered && rows.length > 0 && (
                <button type="button" onClick={clearFilters} className={buttonClass("ghost", "sm")}>{t("clearFilters")}</button>
              )}
            </div>
            {canSelect && chosen.length > 0 && (
              <BulkToolbar
                count={chosen.length}
                canPower={canPower}
                canDelete={canDelete}
                onAction={(action) => setBulk({ action, names: chosen })}
                onClear={() => {
                  setSelected(new Set());
                  setRefocus({ to: "table" });
                }}
              />
            )}
          </div>
        </div>
        {rows.length === 0 ? (
          <NoMatch onClear={clearFilters} />
        ) : (
          <VmTable
            tenant={tenant.name}
            vms={rows}
            view={shownView}
            onSort={sortBy}
            selectAllRef={selectAllRef}
            selection={selection}
            canDelete={canDelete}
            canConsole={canConsole}
            onDelete={setDeleting}
          />
        )}
      </ListBody>

      {deleting && (
        <DeleteVmDialog
          tenant={tenant.name}
          vm={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            setRefocus({ to: "heading" });
          }}
        />
      )}
      {bulk && (
        <BulkActionDialog
          tenant={tenant.name}
          action={bulk.action}
          names={bulk.names}
          onCancel={() => setBulk(null)}
          onFinished={() => {
            setBulk(null);
            setSelected(new Set());
            setRefocus({ to: "table" });
          }}
        />
      )}
    </div>
  );
}

/** The list's states before there are rows to show (session ended, error, loading, no VM yet); `children` otherwise. */
function ListBody({ tenant, role, vms, error, clusterUnavailable, canCreate, children }: {
  tenant: string;
  role: string;
  vms: VmSummary[] | undefined;
  error: Error | null;
  clusterUnavailable: boolean;
  canCreate: boolean;
  children: ReactNode;
}) {
  const t = useTranslations("VmList");
  const errorMessage = useApiErrorMessage();
  const pathname = usePathname();
  const urlQuery = useSearchParams().toString();
  // An ended session shows even over a cached list: the live updates have stopped. Signing in
  // again comes back to the same view (search, filters and sort are in the query).
  if (isApiError(error, 401)) {
    return (
      <Alert tone="error" title={t("sessionExpired")}>
        <Link href={signInHref(pathname, urlQuery)} className="font-medium underline">{t("signInAgain")}</Link>
      </Alert>
    );
  }
  if (!vms && error && !clusterUnavailable) return <Alert tone="error">{t("loadError", { message: errorMessage(error) })}</Alert>;
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
  return <>{children}</>;
}

/** Search and filters hide every VM: say so, and offer to clear them. */
function NoMatch({ onClear }: { onClear: () => void }) {
  const t = useTranslations("VmList");
  return (
    <section className={`${panelClass} px-6 py-10 text-center`} aria-labelledby="vms-no-match-title">
      <h2 id="vms-no-match-title" className="text-lg font-semibold">{t("noMatchTitle")}</h2>
      <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">{t("noMatchBody")}</p>
      <button type="button" onClick={onClear} className={`${buttonClass("secondary")} mt-5`}>{t("clearFilters")}</button>
    </section>
  );
}

/** The id of a VM's name link in the table (the create form's arrival focuses it). */
const vmLinkId = (name: string) => `vm-link-${name}`;

const th = "px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400";
const td = "px-4 py-3 align-middle text-sm";
const checkboxClass = "size-4 rounded border-zinc-300 accent-blue-600 dark:border-zinc-600 dark:accent-blue-500";

/** The row selection of the table (absent for users who may neither power nor delete VMs). */
interface TableSelection {
  selected: ReadonlySet<string>;
  onToggle: (name: string) => void;
  onToggleAll: () => void;
}

/** A column header that sorts the list: a button inside the <th>, which carries `aria-sort`. */
function SortHeader({ column, label, view, onSort }: { column: VmSortKey; label: string; view: VmListView; onSort: (key: VmSortKey) => void }) {
  const active = view.sort === column;
  return (
    <th scope="col" className={th} aria-sort={active ? (view.dir === "asc" ? "ascending" : "descending") : undefined}>
      <button
        type="button"
        onClick={() => onSort(column)}
        className="-mx-1 inline-flex items-center gap-1 rounded px-1 uppercase tracking-wide hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-600 dark:hover:text-zinc-100 dark:focus-visible:outline-blue-400"
      >
        {label}
        <SortIcon direction={active ? view.dir : null} />
      </button>
    </th>
  );
}

/** The VM table (memo: a render of the page that changes none of its props skips it). */
const VmTable = memo(function VmTable({ tenant, vms, view, onSort, selection, selectAllRef, canDelete, canConsole, onDelete }: {
  tenant: string;
  vms: VmSummary[];
  view: VmListView;
  onSort: (key: VmSortKey) => void;
  selection: TableSelection | null;
  /** the select-all checkbox, focused when a bulk action's results close */
  selectAllRef: RefObject<HTMLInputElement | null>;
  canDelete: boolean;
  canConsole: boolean;
  onDelete: (vm: VmSummary) => void;
}) {
  const t = useTranslations("VmList");
  const now = useNow(30_000);
  const extent = selection ? selectionExtent(vms.map((vm) => vm.name), selection.selected) : "none";
  // `indeterminate` exists only as a DOM property (assistive technologies read it as "mixed").
  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = extent === "some";
  }, [selectAllRef, extent]);
  const columns = 5 + (selection ? 1 : 0) + (canDelete || canConsole ? 1 : 0);
  const rowProps = { tenant, selection, canDelete, canConsole, onDelete, now };
  return (
    <div className={`${panelClass} relative overflow-x-auto`}>
      {/* aria-rowcount/aria-rowindex: the header row and every VM, also those not in the DOM */}
      <table className="w-full min-w-[860px] border-collapse" aria-rowcount={vms.length + 1}>
        <caption className="sr-only">{t("title")}</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50/80 dark:border-zinc-800 dark:bg-zinc-900/60">
          <tr aria-rowindex={1}>
            {selection && (
              <th scope="col" className="w-10 py-2.5 pr-0 pl-4 text-left">
                <input
                  ref={selectAllRef}
                  type="checkbox"
                  aria-label={t("selectAll")}
                  checked={extent === "all"}
                  onChange={selection.onToggleAll}
                  className={checkboxClass}
                />
              </th>
            )}
            <SortHeader column="name" label={t("colName")} view={view} onSort={onSort} />
            <SortHeader column="type" label={t("colInstanceType")} view={view} onSort={onSort} />
            <SortHeader column="profile" label={t("colProfile")} view={view} onSort={onSort} />
            <SortHeader column="state" label={t("colState")} view={view} onSort={onSort} />
            <SortHeader column="age" label={t("colAge")} view={view} onSort={onSort} />
            {(canDelete || canConsole) && <th scope="col" className={`${th} text-right`}><span className="sr-only">{t("colActions")}</span></th>}
          </tr>
        </thead>
        <TableBody
          items={vms}
          getKey={vmName}
          columns={columns}
          className="divide-y divide-zinc-100 dark:divide-zinc-800"
          renderRow={({ item, index, measureRef }) => <VmRow key={item.name} vm={item} index={index} measureRef={measureRef} {...rowProps} />}
        />
      </table>
    </div>
  );
});

const vmName = (vm: VmSummary) => vm.name;

const subscribeNothing = () => () => {};
const isClient = () => true;
const isServer = () => false;

/**
 * One VM: its selection checkbox, name (a link to its page), sizes, state, age and actions. Its
 * links are not prefetched: rows come and go with every filter keystroke and scroll, and each
 * prefetch is a request for a VM page the user will most likely not open.
 */
function VmRow({ tenant, vm, index, measureRef, selection, canDelete, canConsole, onDelete, now }: {
  tenant: string;
  vm: VmSummary;
  /** the row's place among all the rows shown (0-based; `aria-rowindex` is this + 2, after the header) */
  index: number;
  /** the virtualizer's measuring ref (virtualized lists only) */
  measureRef?: (node: HTMLTableRowElement | null) => void;
  selection: TableSelection | null;
  canDelete: boolean;
  canConsole: boolean;
  onDelete: (vm: VmSummary) => void;
  now: number;
}) {
  const t = useTranslations("VmList");
  const format = useFormat();
  const isSelected = selection?.selected.has(vm.name) ?? false;
  // Ages and dates depend on the clock and the browser's time zone: written once hydrated, so the
  // server-rendered rows never disagree with the browser's.
  const hydrated = useSyncExternalStore(subscribeNothing, isClient, isServer);
  return (
    <tr
      ref={measureRef}
      data-index={index}
      aria-rowindex={index + 2}
      className={isSelected ? "bg-blue-50/60 dark:bg-blue-500/10" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/40"}
    >
      {selection && (
        <td className="w-10 py-3 pr-0 pl-4 align-middle">
          <input
            type="checkbox"
            aria-label={t("select", { name: vm.name })}
            checked={isSelected}
            onChange={() => selection.onToggle(vm.name)}
            className={checkboxClass}
          />
        </td>
      )}
      <th scope="row" className={`${td} text-left font-medium`}>
        <Link id={vmLinkId(vm.name)} href={`/t/${tenant}/vms/${vm.name}`} prefetch={false} className="font-mono text-[13px] text-zinc-900 hover:underline dark:text-zinc-100">{vm.name}</Link>
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
          <time dateTime={vm.createdAt} title={hydrated ? format.dateTime(vm.createdAt) : undefined}>
            {hydrated ? format.age(vm.createdAt, now) : null}
          </time>
        )}
      </td>
      {(canDelete || canConsole) && (
        <td className={`${td} whitespace-nowrap text-right`}>
          {canConsole && (
            <Link
              href={`/t/${tenant}/vms/${vm.name}/console`}
              prefetch={false}
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

/** Up and down arrows; the one of the current direction is stronger (decorative: `aria-sort` says it). */
function SortIcon({ direction }: { direction: "asc" | "desc" | null }) {
  const tone = (on: boolean) => (on ? "opacity-100" : "opacity-30");
  return (
    <svg aria-hidden="true" viewBox="0 0 12 16" className="h-3.5 w-2.5" fill="currentColor">
      <path d="M6 2 10 7H2z" className={tone(direction === "asc")} />
      <path d="M6 14 2 9h8z" className={tone(direction === "desc")} />
    </svg>
  );
}
