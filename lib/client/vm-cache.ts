/**
 * Pure updates of the cached VM list (`vmKeys.list(tenant)`), shared by the live stream and the
 * mutations. The list stays sorted newest first, like `GET /vms`.
 *
 * Staleness: an upsert whose `resourceVersion` is older than the row held is dropped (headlamp's
 * habit). Equal versions are applied, because the server also re-sends a row when only the
 * VirtualMachine (power state) changed, and then the VMInstance's resourceVersion is unchanged.
 */
import type { VmSummary } from "@/lib/shared/vm";

/**
 * Whether resourceVersion `incoming` is older than `held`. Kubernetes resourceVersions are opaque;
 * they are compared as numbers only when both are numeric strings (etcd revisions), otherwise
 * nothing is considered older.
 */
export function isOlderVersion(incoming: string, held: string): boolean {
  if (!/^\d+$/.test(incoming) || !/^\d+$/.test(held)) return false;
  return BigInt(incoming) < BigInt(held);
}

/** Newest first, then by name (the server's order). */
export function compareVms(a: VmSummary, b: VmSummary): number {
  return b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);
}

/**
 * The list with `vm` added or replaced, unless the held row is newer.
 * @returns the same array when nothing changed (so React Query keeps its reference)
 */
export function upsertVm(list: VmSummary[], vm: VmSummary): VmSummary[] {
  const index = list.findIndex((v) => v.name === vm.name);
  if (index === -1) return [...list, vm].sort(compareVms);
  if (isOlderVersion(vm.resourceVersion, list[index].resourceVersion)) return list;
  const next = list.slice();
  next[index] = vm;
  return next;
}

/** The list without VM `name` (the same array when it was not there). */
export function removeVm(list: VmSummary[], name: string): VmSummary[] {
  return list.some((v) => v.name === name) ? list.filter((v) => v.name !== name) : list;
}

/** The list with VM `name` changed by `patch` (the same array when it was not there). */
export function patchVm(list: VmSummary[], name: string, patch: Partial<VmSummary>): VmSummary[] {
  return list.some((v) => v.name === name) ? list.map((v) => (v.name === name ? { ...v, ...patch } : v)) : list;
}

/**
 * VMs deleted from this tab, remembered for two minutes with the resourceVersion last held: a
 * stream upsert that is not newer (sent before the deletion reached the stream) must not bring the
 * row back.
 */
const tombstones = new Map<string, { resourceVersion: string; until: number }>();
const tombstoneTtlMs = 120_000;

/** Remembers that VM `vm` of `tenant` was deleted from this tab. */
export function rememberDeleted(tenant: string, vm: Pick<VmSummary, "name" | "resourceVersion">): void {
  tombstones.set(`${tenant}/${vm.name}`, { resourceVersion: vm.resourceVersion, until: Date.now() + tombstoneTtlMs });
}

/** Whether an upsert of `vm` in `tenant` is from before this tab deleted it. */
export function isDeletedHere(tenant: string, vm: VmSummary): boolean {
  const key = `${tenant}/${vm.name}`;
  const t = tombstones.get(key);
  if (!t) return false;
  if (t.until < Date.now()) {
    tombstones.delete(key);
    return false;
  }
  return vm.resourceVersion === t.resourceVersion || isOlderVersion(vm.resourceVersion, t.resourceVersion);
}

/** Forgets the deletion of VM `name` (the stream confirmed it, or it was created again). */
export function forgetDeleted(tenant: string, name: string): void {
  tombstones.delete(`${tenant}/${name}`);
}
