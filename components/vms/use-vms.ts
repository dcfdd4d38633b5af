"use client";

/**
 * Data hooks of the VM feature. The VM list lives in React Query under `vmKeys.list(tenant)`: it
 * is fetched once, then the Server-Sent Events stream patches it (snapshot / upsert / remove),
 * and the mutations patch it optimistically.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { createVm, deleteVm, fetchCatalogue, fetchVms, powerVm, vmEventsUrl, type PowerAction } from "@/lib/client/api";
import { catalogueKeys, vmKeys } from "@/lib/client/query-keys";
import { compareVms, forgetDeleted, isDeletedHere, patchVm, rememberDeleted, removeVm, upsertVm } from "@/lib/client/vm-cache";
import type { CreateVmRequest, VmSummary } from "@/lib/shared/vm";
import { useLiveList, type LiveListError, type LiveListStatus } from "@/lib/client/use-live-list";

/** State of the VM list's live stream (see {@link LiveListStatus}). */
export type VmStreamStatus = LiveListStatus;

/**
 * Opens the tenant's VM event stream for as long as the component is mounted and applies its
 * events to the cache.
 * @param onPatch called before every cache patch (lets the list query know the cache moved on)
 */
export function useVmStream(tenant: string, onPatch: () => void, known?: string | null): { status: VmStreamStatus; error: LiveListError | null } {
  const queryClient = useQueryClient();
  const key = vmKeys.list(tenant);
  // Only the first connection may skip its snapshot: the URL stays the one the page opened with.
  const [first] = useState(() => ({ tenant, url: vmEventsUrl(tenant, known) }));
  return useLiveList<VmSummary>(first.tenant === tenant ? first.url : vmEventsUrl(tenant), {
    snapshot: (vms) => {
      onPatch();
      queryClient.setQueryData<VmSummary[]>(key, [...vms].sort(compareVms));
    },
    upsert: (vm) => {
      if (isDeletedHere(tenant, vm)) return;
      onPatch();
      queryClient.setQueryData<VmSummary[]>(key, (old) => (old ? upsertVm(old, vm) : [vm]));
    },
    remove: (name) => {
      forgetDeleted(tenant, name);
      onPatch();
      queryClient.setQueryData<VmSummary[]>(key, (old) => old && removeVm(old, name));
    },
    // e.g. 401 when the session ended: refetch the list so its error explains why
    closed: () => void queryClient.invalidateQueries({ queryKey: key }),
  });
}

/**
 * The rows the list page rendered on the server and their version (lib/server/vms/vms.ts
 * `listVmsWithVersion`; null when they were read directly from the cluster).
 */
export interface InitialVmRows {
  vms: VmSummary[];
  version: string | null;
}

/**
 * The tenant's VM list (query) kept live by the event stream. With `initial` (the rows rendered
 * on the server) nothing is fetched: the stream, told their version, sends only changes (unless
 * the cache already held older rows, which a snapshot then replaces).
 */
export function useVmList(tenant: string, initial?: InitialVmRows) {
  const queryClient = useQueryClient();
  const patches = useRef(0);
  // Back on the list within the cache's lifetime (client-side navigation), React Query keeps the
  // rows it held and ignores `initialData`: the stream must then send a full snapshot, not
  // "current" for rows this page does not show.
  const [cacheWasEmpty] = useState(() => queryClient.getQueryData(vmKeys.list(tenant)) === undefined);
  const query = useQuery({
    queryKey: vmKeys.list(tenant),
    // the server's rows are in the list's order already (newest first)
    ...(initial ? { initialData: initial.vms } : {}),
    queryFn: async ({ signal }) => {
      const seen = patches.current;
      const vms = await fetchVms(tenant, signal);
      // The stream patched the cache while this request was in flight: the cache is newer.
      if (patches.current !== seen) return queryClient.getQueryData<VmSummary[]>(vmKeys.list(tenant)) ?? vms;
      return vms;
    },
    // The stream keeps the list fresh; refetching would only race with it.
    staleTime: Infinity,
  });
  const stream = useVmStream(tenant, () => {
    patches.current += 1;
  }, cacheWasEmpty ? initial?.version : undefined);
  return { query, stream };
}

/** The tenant's catalogue (instance types, OS profiles, golden images). */
export function useCatalogue(tenant: string) {
  return useQuery({
    queryKey: catalogueKeys.detail(tenant),
    queryFn: ({ signal }) => fetchCatalogue(tenant, signal),
    staleTime: 5 * 60_000,
  });
}

/** Creates a VM; on success the new row is added to the cached list at once. */
export function useCreateVm(tenant: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateVmRequest) => createVm(tenant, request),
    onSuccess: (vm) => {
      forgetDeleted(tenant, vm.name);
      // Only patch a list that is already cached: a list made of the new VM alone would be wrong.
      queryClient.setQueryData<VmSummary[]>(vmKeys.list(tenant), (old) => old && upsertVm(old, vm));
    },
  });
}

/**
 * Deletes a VM (optionally with its disks). Optimistic: the row shows "Terminating" at once, goes
 * away on success, and gets its state back on failure.
 */
export function useDeleteVm(tenant: string) {
  const queryClient = useQueryClient();
  const key = vmKeys.list(tenant);
  return useMutation({
    mutationFn: ({ name, withDisks }: { name: string; withDisks: boolean }) => deleteVm(tenant, name, withDisks),
    onMutate: async ({ name }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<VmSummary[]>(key)?.find((v) => v.name === name);
      queryClient.setQueryData<VmSummary[]>(key, (old) => old && patchVm(old, name, { powerState: "Terminating" }));
      return { previous };
    },
    onError: (_err, { name }, context) => {
      const previous = context?.previous;
      if (!previous) return;
      queryClient.setQueryData<VmSummary[]>(key, (old) =>
        old && patchVm(old, name, old.find((v) => v.name === name)?.powerState === "Terminating" ? { powerState: previous.powerState } : {}));
    },
    onSuccess: (_result, { name }) => {
      const held = queryClient.getQueryData<VmSummary[]>(key)?.find((v) => v.name === name);
      if (held) rememberDeleted(tenant, held);
      queryClient.setQueryData<VmSummary[]>(key, (old) => old && removeVm(old, name));
    },
  });
}

/**
 * Starts, stops or restarts a VM. The answer is 202 (KubeVirt accepted it); the power state then
 * follows on the VM stream. A 409 carries KubeVirt's reason ("VM is already running").
 */
export function usePowerVm(tenant: string) {
  return useMutation({
    mutationFn: ({ name, action }: { name: string; action: PowerAction }) => powerVm(tenant, name, action),
  });
}
