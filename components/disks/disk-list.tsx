"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useDeferredValue, useId, useMemo, useState } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { TableBody } from "@/components/ui/virtual-table-body";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { isApiError, uploadDiskFile } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { splitAtPlaceholder } from "@/lib/client/message-parts";
import type { DiskSummary } from "@/lib/shared/disk";
import { DiskPhase, ProgressBar } from "./disk-phase";
import { SizeInput, sizeToQuantity } from "./size-input";
import { useDeleteDisk, useDiskList, useGrowDisk } from "./use-disks";

type SortKey = "created" | "name" | "size" | "phase";

/**
 * `/t/{tenant}/disks`: the live disk list with sort, filter, empty state, grow and delete.
 * @param initial the rows rendered on the server (newest first), if they could be read there
 */
export function DiskList({ initial }: { initial?: DiskSummary[] }) {
  const tenant = useTenant();
  const t = useTranslations("Disks");
  const errorMessage = useApiErrorMessage();
  const { query, stream } = useDiskList(tenant.name, initial);
  const [filter, setFilter] = useState("");
  // Typing updates the box at once; the rows follow without blocking input (as the VM list).
  const shownFilter = useDeferredValue(filter);
  const [sort, setSort] = useState<SortKey>("created");
  const [deleting, setDeleting] = useState<DiskSummary | null>(null);
  const [growing, setGrowing] = useState<DiskSummary | null>(null);
  const [uploading, setUploading] = useState<DiskSummary | null>(null);
  const canCreate = tenant.can("disk.create");
  const canDelete = tenant.can("disk.delete");
  const canGrow = tenant.can("disk.update");
  const disks = query.data;

  const shown = useMemo(() => {
    if (!disks) return [];
    const needle = shownFilter.trim().toLowerCase();
    const rows = needle
      ? disks.filter((d) => [d.name, d.storageClass, d.phase, d.source.type, d.source.detail ?? "", d.attachedTo ?? ""].some((v) => v.toLowerCase().includes(needle)))
      : disks;
    const cmp: Record<SortKey, (a: DiskSummary, b: DiskSummary) => number> = {
      created: (a, b) => b.createdAt.localeCompare(a.createdAt),
      name: (a, b) => a.name.localeCompare(b.name),
      size: (a, b) => b.storageBytes - a.storageBytes,
      phase: (a, b) => a.phase.localeCompare(b.phase),
    };
    return [...rows].sort((a, b) => cmp[sort](a, b) || a.name.localeCompare(b.name));
  }, [disks, shownFilter, sort]);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
          <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
            <span>{tenant.displayName}</span>
            {disks && <span aria-hidden="true">·</span>}
            {disks && <span>{t("count", { count: disks.length })}</span>}
            {stream.status === "live" && (
              <span className="inline-flex items-center gap-1.5 text-xs font-medium text-emerald-700 dark:text-emerald-400">
                <span aria-hidden="true" className="size-2 rounded-full bg-emerald-500" />
                {t("live")}
              </span>
            )}
            {stream.status === "reconnecting" && <span className="text-xs text-amber-700 dark:text-amber-400" role="status">{t("reconnecting")}</span>}
          </p>
        </div>
        {canCreate && (
          <Link href={`/t/${tenant.name}/disks/new`} className={buttonClass("primary")}>{t("create")}</Link>
        )}
      </div>

      {stream.status === "unavailable" && (
        <Alert tone="warning" title={t("clusterUnavailableTitle")}>
          <p>{t("clusterUnavailableBody")}</p>
          {stream.error && <p className="mt-1 font-mono text-xs opacity-80">{errorMessage(stream.error)}</p>}
        </Alert>
      )}

      {!disks && query.error && <Alert tone="error">{t("loadError", { message: errorMessage(query.error) })}</Alert>}
      {!disks && !query.error && (
        <div className={`${panelClass} space-y-3 p-4`} aria-busy="true">
          <p role="status" className="sr-only">{t("loading")}</p>
          {[0, 1, 2].map((i) => <Skeleton key={i} className="h-5" />)}
        </div>
      )}

      {disks && disks.length === 0 && (
        <section className={`${panelClass} px-6 py-14 text-center`} aria-labelledby="disks-empty-title">
          <h2 id="disks-empty-title" className="text-lg font-semibold">{t("emptyTitle")}</h2>
          <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">{canCreate ? t("emptyBody") : t("emptyBodyReadOnly")}</p>
          {canCreate && <Link href={`/t/${tenant.name}/disks/new`} className={`${buttonClass("primary")} mt-6`}>{t("create")}</Link>}
        </section>
      )}

      {disks && disks.length > 0 && (
        <>
          <div className="flex flex-wrap items-end gap-4">
            <div className="w-full sm:w-72">
              <label htmlFor="disk-filter" className={labelClass}>{t("filter")}</label>
              <input id="disk-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t("filterPlaceholder")} className={`${inputClass} mt-1`} />
            </div>
            <div className="w-full sm:w-48">
              <label htmlFor="disk-sort" className={labelClass}>{t("sort")}</label>
              <select id="disk-sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)} className={`${inputClass} mt-1`}>
                {(["created", "name", "size", "phase"] as const).map((k) => <option key={k} value={k}>{t(`sortBy.${k}`)}</option>)}
              </select>
            </div>
          </div>
          {shown.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400" role="status">{t("noMatch", { filter })}</p>
          ) : (
            <DiskTable tenant={tenant.name} disks={shown} canDelete={canDelete} canGrow={canGrow} onDelete={setDeleting} onGrow={setGrowing} onUpload={canCreate ? setUploading : null} />
          )}
        </>
      )}

      {deleting && <DeleteDiskDialog tenant={tenant.name} disk={deleting} onClose={() => setDeleting(null)} />}
      {growing && <GrowDiskDialog tenant={tenant.name} disk={growing} onClose={() => setGrowing(null)} />}
      {uploading && <UploadDialog tenant={tenant.name} disk={uploading} onClose={() => setUploading(null)} />}
    </div>
  );
}

const diskName = (d: DiskSummary) => d.name;

const th = "px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400";
const td = "px-4 py-3 align-middle text-sm";

function DiskTable({ tenant, disks, canDelete, canGrow, onDelete, onGrow, onUpload }: {
  tenant: string;
  disks: DiskSummary[];
  canDelete: boolean;
  canGrow: boolean;
  onDelete: (d: DiskSummary) => void;
  onGrow: (d: DiskSummary) => void;
  /** null when the user may not upload */
  onUpload: ((d: DiskSummary) => void) | null;
}) {
  const t = useTranslations("Disks");
  const format = useFormat();
  const ids = useId();
  // Disks seen importing on this page keep their bar at 100 % once done, so the end is visible.
  const [seenMoving, setSeenMoving] = useState<ReadonlySet<string>>(() => new Set());
  const moving = disks.filter((d) => d.phase !== "Succeeded" && d.progress !== null).map((d) => d.name);
  if (moving.some((n) => !seenMoving.has(n))) setSeenMoving(new Set([...seenMoving, ...moving]));
  return (
    <div className={`${panelClass} relative overflow-x-auto`}>
      {/* aria-rowcount/aria-rowindex: the header row and every disk, also those not in the DOM */}
      <table className="w-full min-w-[960px] border-collapse" aria-rowcount={disks.length + 1}>
        <caption className="sr-only">{t("title")}</caption>
        <thead className="border-b border-zinc-200 bg-zinc-50/80 dark:border-zinc-800 dark:bg-zinc-900/60">
          <tr aria-rowindex={1}>
            <th scope="col" className={th}>{t("colName")}</th>
            <th scope="col" className={th}>{t("colSize")}</th>
            <th scope="col" className={th}>{t("colStorageClass")}</th>
            <th scope="col" className={th}>{t("colSource")}</th>
            <th scope="col" className={th}>{t("colPhase")}</th>
            <th scope="col" className={th}>{t("colAttachedTo")}</th>
            {(canDelete || canGrow) && <th scope="col" className={`${th} text-right`}><span className="sr-only">{t("colActions")}</span></th>}
          </tr>
        </thead>
        <TableBody
          items={disks}
          getKey={diskName}
          columns={canDelete || canGrow ? 7 : 6}
          className="divide-y divide-zinc-100 dark:divide-zinc-800"
          renderRow={({ item: d, index, measureRef }) => (
            <tr key={d.name} ref={measureRef} data-index={index} aria-rowindex={index + 2} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
              <th scope="row" className={`${td} text-left font-medium`}>
                <span className="font-mono text-[13px] whitespace-nowrap">{d.name}</span>
                {d.optical && <span className="ml-2 rounded bg-violet-50 px-1.5 py-0.5 text-[11px] font-medium text-violet-700 dark:bg-violet-500/10 dark:text-violet-300">{t("optical")}</span>}
              </th>
              <td className={`${td} whitespace-nowrap`}>{format.bytes(d.storageBytes)}</td>
              <td className={`${td} font-mono text-[13px]`}>{d.storageClass}</td>
              <td className={`${td} max-w-64`}>
                <span className="font-medium">{t(`source.${d.source.type}`)}</span>
                {d.source.detail && <span className="block truncate font-mono text-xs text-zinc-500 dark:text-zinc-400" title={d.source.detail}>{d.source.detail}</span>}
              </td>
              <td className={`${td} min-w-56`}>
                <DiskPhase disk={d} />
                {(d.phase === "ImportInProgress" || d.phase === "CloneInProgress" || (d.progress !== null && d.phase !== "Succeeded")
                  || (d.phase === "Succeeded" && seenMoving.has(d.name))) && (
                  <ProgressBar value={d.progress} label={t("progressOf", { name: d.name })} />
                )}
              </td>
              <td className={td}>
                {d.attachedTo ? <Link href={`/t/${tenant}/vms/${d.attachedTo}`} className="font-mono text-[13px] text-blue-700 hover:underline dark:text-blue-400">{d.attachedTo}</Link> : <span className="text-zinc-400">—</span>}
              </td>
              {(canDelete || canGrow) && (
                <td className={`${td} whitespace-nowrap text-right`}>
                  {onUpload && d.source.type === "upload" && d.phase === "UploadReady" && (
                    <button type="button" className={buttonClass("ghost", "sm")} onClick={() => onUpload(d)}>
                      {t("uploadFile")}<span className="sr-only"> {d.name}</span>
                    </button>
                  )}
                  {canGrow && (
                    <button type="button" className={buttonClass("ghost", "sm")} onClick={() => onGrow(d)}>
                      {t("grow")}<span className="sr-only"> {d.name}</span>
                    </button>
                  )}
                  {canDelete && !d.attachedTo && (
                    <button type="button" onClick={() => onDelete(d)} className={`${buttonClass("ghost", "sm")} text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-500/10`}>
                      {t("delete")}<span className="sr-only"> {d.name}</span>
                    </button>
                  )}
                  {canDelete && d.attachedTo && (
                    // aria-disabled, not disabled: the button stays in the Tab order, so its reason is heard
                    <button type="button" aria-disabled="true" aria-describedby={`${ids}-blocked-${d.name}`} onClick={(e) => e.preventDefault()}
                      className={`${buttonClass("ghost", "sm")} cursor-not-allowed text-zinc-400 hover:bg-transparent dark:text-zinc-500 dark:hover:bg-transparent`}>
                      {t("delete")}<span className="sr-only"> {d.name}</span>
                    </button>
                  )}
                  {canDelete && d.attachedTo && <DeleteBlockedReason id={`${ids}-blocked-${d.name}`} tenant={tenant} vm={d.attachedTo} />}
                </td>
              )}
            </tr>
          )}
        />
      </table>
    </div>
  );
}

/**
 * Why a disk's Delete is disabled: it is attached to VM `vm` (a link to the VM's page, where it is
 * detached). The Delete button points here with aria-describedby.
 */
function DeleteBlockedReason({ id, tenant, vm }: { id: string; tenant: string; vm: string }) {
  const t = useTranslations("Disks");
  const [before, after] = splitAtPlaceholder((v) => t("deleteBlocked", { vm: v }));
  return (
    <p id={id} className="mt-1 ml-auto max-w-64 whitespace-normal text-left text-xs text-zinc-600 dark:text-zinc-400">
      {before}
      <Link href={`/t/${tenant}/vms/${vm}`} className="font-mono text-blue-700 hover:underline dark:text-blue-400">{vm}</Link>
      {after}
    </p>
  );
}

/** Confirms a delete; a 409 (attached to a VM) stays in the dialog with the VM's name. */
function DeleteDiskDialog({ tenant, disk, onClose }: { tenant: string; disk: DiskSummary; onClose: () => void }) {
  const t = useTranslations("Disks");
  const format = useFormat();
  const errorMessage = useApiErrorMessage();
  const mutation = useDeleteDisk(tenant);
  return (
    <Dialog open onClose={onClose} title={t("deleteTitle", { name: disk.name })} description={t("deleteBody", { name: disk.name, size: format.bytes(disk.storageBytes) })} initialFocus="[data-autofocus]">
      <form onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate(disk.name, { onSuccess: onClose });
      }} className="space-y-4">
        {disk.attachedTo && <Alert tone="warning">{t("deleteAttached", { vm: disk.attachedTo })}</Alert>}
        {mutation.isError && <Alert tone="error">{isApiError(mutation.error, 409) ? errorMessage(mutation.error) : t("deleteError", { message: errorMessage(mutation.error) })}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className={buttonClass("secondary")} onClick={onClose} data-autofocus>{t("cancel")}</button>
          <button type="submit" className={buttonClass("danger")} disabled={mutation.isPending}>
            {mutation.isPending && <Spinner />}
            {t("confirmDelete")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Grows a disk (the storage class is fixed, so it is only shown). */
function GrowDiskDialog({ tenant, disk, onClose }: { tenant: string; disk: DiskSummary; onClose: () => void }) {
  const t = useTranslations("Disks");
  const format = useFormat();
  const errorMessage = useApiErrorMessage();
  const mutation = useGrowDisk(tenant);
  const ids = useId();
  const gib = disk.storageBytes / 2 ** 30;
  const [size, setSize] = useState({ amount: String(Number.isInteger(gib) ? gib + 1 : Math.ceil(gib)), unit: "Gi" as const as string });
  const quantity = sizeToQuantity(size);
  const tooSmall = quantity !== null && quantity.bytes < disk.storageBytes;
  return (
    <Dialog open onClose={onClose} title={t("growTitle", { name: disk.name })} description={t("growBody", { size: format.bytes(disk.storageBytes), storageClass: disk.storageClass })}>
      <form onSubmit={(e) => {
        e.preventDefault();
        if (!quantity || tooSmall) return;
        mutation.mutate({ name: disk.name, storage: quantity.text }, { onSuccess: onClose });
      }} className="space-y-4">
        <div>
          <span id={`${ids}-label`} className={labelClass}>{t("newSize")}</span>
          <SizeInput value={size} onChange={setSize} labelledBy={`${ids}-label`} invalid={tooSmall} />
          <p className={hintClass}>{t("growHint")}</p>
          {tooSmall && <p className={errorTextClass}>{t("noShrink", { size: format.bytes(disk.storageBytes) })}</p>}
        </div>
        {mutation.isError && <Alert tone="error">{errorMessage(mutation.error)}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className={buttonClass("secondary")} onClick={onClose}>{t("cancel")}</button>
          <button type="submit" className={buttonClass("primary")} disabled={mutation.isPending || !quantity || tooSmall}>
            {mutation.isPending && <Spinner />}
            {t("confirmGrow")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Fills a disk that waits for its upload (e.g. after a cancel or a closed page): file, progress bar, cancel. */
function UploadDialog({ tenant, disk, onClose }: { tenant: string; disk: DiskSummary; onClose: () => void }) {
  const t = useTranslations("Disks");
  const format = useFormat();
  const errorMessage = useApiErrorMessage();
  const ids = useId();
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [abort, setAbort] = useState<AbortController | null>(null);
  const tooLarge = file !== null && file.size > disk.storageBytes;
  const start = () => {
    if (!file || tooLarge) return;
    const ac = new AbortController();
    setAbort(ac);
    setError(null);
    setState({ sent: 0, total: file.size });
    uploadDiskFile(tenant, disk.name, file, (sent, total) => setState({ sent, total }), ac.signal).then(onClose, (err: unknown) => {
      setState(null);
      setAbort(null);
      setError(err instanceof DOMException && err.name === "AbortError" ? t("uploadCancelled") : errorMessage(err));
    });
  };
  return (
    <Dialog open onClose={() => { abort?.abort(); onClose(); }} title={t("uploadTitle", { name: disk.name })} description={t("uploadBody", { size: format.bytes(disk.storageBytes) })}>
      <div className="space-y-4">
        <div>
          <label htmlFor={`${ids}-file`} className={labelClass}>{t("file")}</label>
          <input id={`${ids}-file`} type="file" disabled={state !== null} onChange={(e) => setFile(e.target.files?.[0] ?? null)} className="mt-1 block text-sm" />
          {tooLarge && <p className={errorTextClass}>{t("fileTooLarge", { size: format.bytes(disk.storageBytes) })}</p>}
        </div>
        {state && <ProgressBar value={state.total ? (state.sent / state.total) * 100 : null} label={t("uploadProgress")} />}
        {error && <Alert tone="error">{error}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          {state ? (
            <button type="button" className={buttonClass("secondary")} onClick={() => abort?.abort()}>{t("cancelUpload")}</button>
          ) : (
            <>
              <button type="button" className={buttonClass("secondary")} onClick={onClose}>{t("cancel")}</button>
              <button type="button" className={buttonClass("primary")} disabled={!file || tooLarge} onClick={start}>{t("startUpload")}</button>
            </>
          )}
        </div>
      </div>
    </Dialog>
  );
}
