"use client";

/**
 * Data hooks of the disk feature. The disk list lives in React Query under `diskKeys.list(tenant)`:
 * fetched once, then patched by the Server-Sent Events stream (`?watch=true`: snapshot / upsert /
 * remove), which carries the DataVolume's phase and progress as CDI writes them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import {
  attachDisk, createDisk, deleteDisk, detachDisk, diskEventsUrl, fetchDisks, fetchStorageClasses, fetchVmDetail, growDisk,
} from "@/lib/client/api";
import { diskKeys, vmKeys } from "@/lib/client/query-keys";
import type { CreateDiskRequest, DiskSummary } from "@/lib/shared/disk";

/** State of the live stream, as for the VM list. */
export type DiskStreamStatus = "connecting" | "live" | "unavailable" | "reconnecting";

const byNewest = (a: DiskSummary, b: DiskSummary) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);

/** Replaces or adds `disk` in `list` (newest first). */
export function upsertDisk(list: DiskSummary[], disk: DiskSummary): DiskSummary[] {
  return [...list.filter((d) => d.name !== disk.name), disk].sort(byNewest);
}

/** The tenant's disk list, kept live by the event stream while mounted. */
export function useDiskList(tenant: string) {
  const queryClient = useQueryClient();
  const key = diskKeys.list(tenant);
  const query = useQuery({ queryKey: key, queryFn: ({ signal }) => fetchDisks(tenant, signal), staleTime: Infinity });
  const [stream, setStream] = useState<{ status: DiskStreamStatus; message: string | null }>({ status: "connecting", message: null });

  useEffect(() => {
    const listKey = diskKeys.list(tenant);
    let source: EventSource | null = null;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    const parse = <T,>(e: Event): T | null => {
      try {
        return JSON.parse((e as MessageEvent<string>).data) as T;
      } catch {
        return null;
      }
    };
    const open = () => {
      if (disposed) return;
      const es = new EventSource(diskEventsUrl(tenant));
      source = es;
      es.addEventListener("snapshot", (e) => {
        const disks = parse<DiskSummary[]>(e);
        if (!disks) return;
        void queryClient.cancelQueries({ queryKey: listKey });
        queryClient.setQueryData<DiskSummary[]>(listKey, [...disks].sort(byNewest));
        setStream({ status: "live", message: null });
      });
      es.addEventListener("upsert", (e) => {
        const disk = parse<DiskSummary>(e);
        if (!disk) return;
        queryClient.setQueryData<DiskSummary[]>(listKey, (old) => (old ? upsertDisk(old, disk) : [disk]));
        setStream({ status: "live", message: null });
      });
      es.addEventListener("remove", (e) => {
        const removed = parse<{ name: string }>(e);
        if (!removed) return;
        queryClient.setQueryData<DiskSummary[]>(listKey, (old) => old?.filter((d) => d.name !== removed.name));
      });
      es.addEventListener("unavailable", (e) => setStream({ status: "unavailable", message: parse<{ message?: string }>(e)?.message ?? null }));
      es.onerror = () => {
        setStream((s) => (s.status === "unavailable" ? s : { status: "reconnecting", message: null }));
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          void queryClient.invalidateQueries({ queryKey: listKey });
          reopen = setTimeout(open, 5_000);
        }
      };
    };
    open();
    return () => {
      disposed = true;
      clearTimeout(reopen);
      source?.close();
    };
  }, [tenant, queryClient]);

  return { query, stream };
}

/** The cluster's StorageClasses (default first). */
export function useStorageClasses(tenant: string) {
  return useQuery({ queryKey: diskKeys.storageClasses(tenant), queryFn: ({ signal }) => fetchStorageClasses(tenant, signal), staleTime: 5 * 60_000 });
}

/** Creates a disk; the new row joins the cached list at once. */
export function useCreateDisk(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateDiskRequest) => createDisk(tenant, request),
    onSuccess: (disk) => queryClient.setQueryData<DiskSummary[]>(diskKeys.list(tenant), (old) => old && upsertDisk(old, disk)),
  });
}

/** Grows a disk. */
export function useGrowDisk(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, storage }: { name: string; storage: string }) => growDisk(tenant, name, storage),
    onSuccess: (disk) => queryClient.setQueryData<DiskSummary[]>(diskKeys.list(tenant), (old) => old?.map((d) => (d.name === disk.name ? { ...d, storage: disk.storage, storageBytes: disk.storageBytes } : d))),
  });
}

/** Deletes a disk; the row leaves the list on success (the 409 of an attached disk stays in the dialog). */
export function useDeleteDisk(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => deleteDisk(tenant, name),
    onSuccess: (_r, name) => queryClient.setQueryData<DiskSummary[]>(diskKeys.list(tenant), (old) => old?.filter((d) => d.name !== name)),
  });
}

/** A VM with its disks in boot order; refreshed every 3 s while the page is open (power state, import progress). */
export function useVmDetail(tenant: string, name: string) {
  return useQuery({
    queryKey: vmKeys.detail(tenant, name),
    queryFn: ({ signal }) => fetchVmDetail(tenant, name, signal),
    refetchInterval: 3_000,
    retry: (count, err) => count < 2 && !(err as { status?: number }).status?.toString().startsWith("4"),
  });
}

/** Attaches or detaches a disk of a stopped VM; the VM page shows the answer at once. */
export function useVmDiskEdit(tenant: string, vm: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ disk, action }: { disk: string; action: "attach" | "detach" }) =>
      action === "attach" ? attachDisk(tenant, vm, disk) : detachDisk(tenant, vm, disk),
    onSuccess: (detail) => {
      queryClient.setQueryData(vmKeys.detail(tenant, vm), detail);
      void queryClient.invalidateQueries({ queryKey: diskKeys.list(tenant) });
    },
  });
}
