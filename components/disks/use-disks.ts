"use client";

/**
 * Data hooks of the disk feature. The disk list lives in React Query under `diskKeys.list(tenant)`:
 * fetched once, then patched by the Server-Sent Events stream (`?watch=true`: snapshot / upsert /
 * remove), which carries the DataVolume's phase and progress as CDI writes them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  attachDisk, createDisk, deleteDisk, detachDisk, diskEventsUrl, fetchDisks, fetchStorageClasses, fetchVmDetail, growDisk,
} from "@/lib/client/api";
import { diskKeys, vmKeys } from "@/lib/client/query-keys";
import type { CreateDiskRequest, DiskSummary } from "@/lib/shared/disk";
import { useLiveList, type LiveListStatus } from "@/lib/client/use-live-list";

/** State of the disk list's live stream (see {@link LiveListStatus}). */
export type DiskStreamStatus = LiveListStatus;

const byNewest = (a: DiskSummary, b: DiskSummary) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);

/** Replaces or adds `disk` in `list` (newest first). */
export function upsertDisk(list: DiskSummary[], disk: DiskSummary): DiskSummary[] {
  return [...list.filter((d) => d.name !== disk.name), disk].sort(byNewest);
}

/**
 * The tenant's disk list, kept live by the event stream while mounted. With `initial` (the rows
 * rendered on the server, newest first) nothing is fetched; the stream's first snapshot replaces
 * them.
 */
export function useDiskList(tenant: string, initial?: DiskSummary[]) {
  const queryClient = useQueryClient();
  const key = diskKeys.list(tenant);
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => fetchDisks(tenant, signal),
    ...(initial ? { initialData: initial } : {}),
    staleTime: Infinity,
  });
  const stream = useLiveList<DiskSummary>(diskEventsUrl(tenant), {
    snapshot: (disks) => {
      void queryClient.cancelQueries({ queryKey: key });
      queryClient.setQueryData<DiskSummary[]>(key, [...disks].sort(byNewest));
    },
    upsert: (disk) => queryClient.setQueryData<DiskSummary[]>(key, (old) => (old ? upsertDisk(old, disk) : [disk])),
    remove: (name) => queryClient.setQueryData<DiskSummary[]>(key, (old) => old?.filter((d) => d.name !== name)),
    closed: () => void queryClient.invalidateQueries({ queryKey: key }),
  });

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
