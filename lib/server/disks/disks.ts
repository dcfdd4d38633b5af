/**
 * Disks of a tenant (VMDisk): list with import progress and the VM using each, create from exactly
 * one source, grow, delete. The namespace always comes from the tenant record the gate resolved.
 *
 * Identities (see k8s/identity.ts): VMDisk and VMInstance calls carry the user's identity, so the
 * cluster's RBAC has the last word; DataVolume reads (phase, progress), golden images and
 * StorageClasses use the portal's identity, only after the gate checked the user's level. The
 * list is served from the tenant's shared watch caches (VMDisk, DataVolume, VMInstance, read with
 * the portal's identity: k8s/watch-cache.ts) only after a SubjectAccessReview said the user may
 * list VMDisks and VMInstances in the namespace (k8s/access-review.ts, answers kept 10 s).
 *
 * Checks before anything is created (422 naming the field): the source's URL scheme (zod), then,
 * before any cluster call, its host (import-url-policy.ts: no loopback, link-local, private or
 * cluster-internal host unless HIKUBE_IMPORT_ALLOWED_HOSTS lists it), the golden image or cloned
 * disk exists, the size is not below the source's minimum (the golden image's or cloned disk's
 * size, or the documented minimum of a quick-pick URL), the storage class exists in the cluster.
 */
import { createVmDiskWithinQuota, createWithinQuota } from "../quota/quota";
import { kinds, resourcePath, apiVersionOf } from "../k8s/kinds";
import { assertUrlName } from "../k8s/names";
import { kubeRequest } from "../k8s/client";
import { portalIdentity } from "../k8s/identity";
import { cachedKinds, watchCache, type WatchCache } from "../k8s/watch-cache";
import { assertCanList, assertCanListAndWatch } from "../k8s/access-review";
import type { DataVolume, KubeList, StorageClass, VMDisk, VMInstance } from "../k8s/objects";
import { AppError, invalidField } from "../errors";
import { assertImportUrlAllowed } from "./import-url-policy";
import { dataVolumeBytes, goldenImageNamespace, goldenImagePrefix } from "../vms/catalogue";
import type { TenantAccess } from "../tenancy/tenancy";
import { parseQuantity } from "../../shared/quantity";
import {
  defaultStorageClass, parseProgress, quickPickOfUrl, sourceTypeOf,
  type CreateDiskInput, type DiskSummary, type GrowDiskInput, type StorageClassInfo,
} from "../../shared/disk";

/** The DataVolume (and PVC) behind VMDisk `name` (Cozystack's naming). */
export const dataVolumeName = (name: string) => `vm-disk-${name}`;

/** The VMInstance using each disk: disk name → VM name (the first VM when several name it). */
export function diskAttachments(instances: VMInstance[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of instances) for (const d of i.spec.disks ?? []) if (!out.has(d.name)) out.set(d.name, i.metadata.name);
  return out;
}

/** Why a DataVolume failed or is retrying: the message of its failing Running (or Ready) condition. */
function dataVolumeMessage(dv: DataVolume | undefined): string | undefined {
  const conds = dv?.status?.conditions ?? [];
  const failing = conds.find((c) => c.type === "Running" && c.status === "False" && c.message)
    ?? conds.find((c) => c.type === "Ready" && c.status === "False" && c.message);
  return failing?.message || undefined;
}

/**
 * One list row: the VMDisk's spec, its DataVolume's phase/progress/message and the VM using it.
 * Before the DataVolume exists the phase is "Pending".
 */
export function toDiskSummary(disk: VMDisk, dv: DataVolume | undefined, attachedTo: string | null): DiskSummary {
  const source = disk.spec.source;
  const type = sourceTypeOf(source);
  const detail = type === "http" ? source?.http?.url : type === "image" ? source?.image?.name : type === "disk" ? source?.disk?.name : undefined;
  const storage = String(disk.spec.storage ?? "5Gi");
  let storageBytes = 0;
  try {
    storageBytes = parseQuantity(storage);
  } catch {
    /* an unreadable size shows as 0 */
  }
  const phase = disk.metadata.deletionTimestamp ? "Terminating" : (dv?.status?.phase ?? "Pending");
  const message = phase === "Succeeded" ? undefined : dataVolumeMessage(dv);
  return {
    name: disk.metadata.name,
    storage,
    storageBytes,
    storageClass: disk.spec.storageClass ?? defaultStorageClass,
    source: detail ? { type, detail } : { type },
    optical: Boolean(disk.spec.optical),
    phase,
    progress: phase === "Succeeded" ? 100 : parseProgress(dv?.status?.progress),
    ...(message ? { message } : {}),
    ...(dv?.status?.restartCount ? { restartCount: dv.status.restartCount } : {}),
    attachedTo,
    createdAt: disk.metadata.creationTimestamp ?? "",
    resourceVersion: disk.metadata.resourceVersion ?? "",
  };
}

/** The lists a disk view is made of: VMDisks and VMInstances (as the user), DataVolumes (as the portal). */
export async function listDiskSources(access: TenantAccess): Promise<{ disks: KubeList<VMDisk>; dataVolumes: KubeList<DataVolume>; instances: KubeList<VMInstance> }> {
  const namespace = access.tenant.namespace;
  const [disks, dataVolumes, instances] = await Promise.all([
    kubeRequest<KubeList<VMDisk>>(access.identity, { path: resourcePath(kinds.VMDisk, { namespace }) }),
    kubeRequest<KubeList<DataVolume>>(portalIdentity, { path: resourcePath(kinds.DataVolume, { namespace }) }),
    kubeRequest<KubeList<VMInstance>>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace }) }),
  ]);
  return { disks, dataVolumes, instances };
}

/** Newest first, then by name: the list's own order. */
const newestFirst = (a: DiskSummary, b: DiskSummary) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);

/** The caches a disk list is made of. */
export interface DiskCaches {
  disks: WatchCache<VMDisk>;
  dataVolumes: WatchCache<DataVolume>;
  /** shared with the VM list (the same cache: one upstream watch) */
  instances: WatchCache<VMInstance>;
}

/**
 * The tenant's shared VMDisk, DataVolume and VMInstance caches (k8s/watch-cache.ts), started on
 * first use; read them only after {@link assertCanListDisks}.
 * @param namespace the tenant record's namespace
 */
export function diskCaches(namespace: string): DiskCaches {
  return {
    disks: watchCache(cachedKinds.VMDisk, namespace),
    dataVolumes: watchCache(cachedKinds.DataVolume, namespace),
    instances: watchCache(cachedKinds.VMInstance, namespace),
  };
}

/**
 * Throws unless the cluster lets the user list what a disk list shows: VMDisks, and the
 * VMInstances that name them (SubjectAccessReviews, answers kept 10 s: k8s/access-review.ts);
 * with `watch`, also watch them (a live list stands for the user's own list + watch).
 * @throws AppError forbidden (`cluster_forbidden`), cluster_unavailable
 */
export async function assertCanListDisks(access: TenantAccess, watch = false): Promise<void> {
  const namespace = access.tenant.namespace;
  const assert = watch ? assertCanListAndWatch : assertCanList;
  await Promise.all([assert(access.identity, kinds.VMDisk, namespace), assert(access.identity, kinds.VMInstance, namespace)]);
}

// The attachments last derived from a tenant's VMInstance cache, reused while it did not change.
const attachmentsHeld = new WeakMap<WatchCache<VMInstance>, { version: number; attached: Map<string, string> }>();

/**
 * {@link diskAttachments} of a VMInstance cache's objects now, computed once per change of the
 * cache however many streams ask (the returned map is shared: never change it).
 */
export function cachedAttachments(instances: WatchCache<VMInstance>): Map<string, string> {
  const held = attachmentsHeld.get(instances);
  if (held && held.version === instances.version) return held.attached;
  const attached = diskAttachments(instances.snapshotNow());
  attachmentsHeld.set(instances, { version: instances.version, attached });
  return attached;
}

/** The row of cached disk `name` (undefined when the cache holds no such disk). */
export function cachedDiskRow(caches: DiskCaches, name: string, attached: Map<string, string>): DiskSummary | undefined {
  const disk = caches.disks.get(name);
  return disk && toDiskSummary(disk, caches.dataVolumes.get(dataVolumeName(name)), attached.get(name) ?? null);
}

// The rows last derived from a tenant's caches (keyed by its VMDisk cache, so they go with it),
// reused while none of the three caches changed.
const derived = new WeakMap<WatchCache<VMDisk>, { dataVolumes: WatchCache<DataVolume>; instances: WatchCache<VMInstance>; versions: string; rows: DiskSummary[] }>();

/**
 * The rows of the tenant's caches, newest first, or null when a cache is not in sync after
 * waiting for it (the caller lists directly). Rebuilt only when a cache changed since the last call.
 */
async function cachedDiskRows(namespace: string): Promise<DiskSummary[] | null> {
  const caches = diskCaches(namespace);
  await Promise.all([caches.disks.whenSynced(2000), caches.dataVolumes.whenSynced(2000), caches.instances.whenSynced(2000)]);
  // From here on, synchronously: the snapshot and the versions are read between two changes
  // (awaiting one cache while another changed would store old rows under newer versions).
  if (!caches.disks.isSynced || !caches.dataVolumes.isSynced || !caches.instances.isSynced) return null;
  const disks = caches.disks.snapshotNow();
  const versions = `${caches.disks.version}.${caches.dataVolumes.version}.${caches.instances.version}`;
  const held = derived.get(caches.disks);
  if (held && held.dataVolumes === caches.dataVolumes && held.instances === caches.instances && held.versions === versions) return held.rows;
  const attached = cachedAttachments(caches.instances);
  const rows = disks.map((d) => toDiskSummary(d, caches.dataVolumes.get(dataVolumeName(d.metadata.name)), attached.get(d.metadata.name) ?? null)).sort(newestFirst);
  derived.set(caches.disks, { dataVolumes: caches.dataVolumes, instances: caches.instances, versions, rows });
  return rows;
}

/**
 * The tenant's disks, newest first, with import progress and the VM using each (the returned
 * array is shared: copy it before changing it).
 *
 * Served from the tenant's shared caches once the cluster's RBAC said, by SubjectAccessReviews
 * answered at most 10 s ago, that this user may list VMDisks and VMInstances in the namespace
 * ({@link assertCanListDisks}). While a cache is not in sync, the lists are read directly (VMDisks
 * and VMInstances as the user), so an unreachable cluster is a 503, never a stale list.
 * @throws AppError forbidden (the cluster's RBAC refuses the user), cluster_unavailable
 */
export async function listDisks(access: TenantAccess): Promise<DiskSummary[]> {
  const [, cached] = await Promise.all([assertCanListDisks(access), cachedDiskRows(access.tenant.namespace)]);
  if (cached) return cached;
  const { disks, dataVolumes, instances } = await listDiskSources(access);
  const dvs = new Map(dataVolumes.items.map((dv) => [dv.metadata.name, dv]));
  const attached = diskAttachments(instances.items);
  return disks.items
    .map((d) => toDiskSummary(d, dvs.get(dataVolumeName(d.metadata.name)), attached.get(d.metadata.name) ?? null))
    .sort(newestFirst);
}

/** The cluster's StorageClasses (portal identity: names only), the default first. */
export async function listStorageClasses(): Promise<StorageClassInfo[]> {
  const list = await kubeRequest<KubeList<StorageClass>>(portalIdentity, { path: resourcePath(kinds.StorageClass) });
  return list.items
    .map((sc) => ({
      name: sc.metadata.name,
      isDefault: sc.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
      ...(sc.metadata.annotations?.["hikube.io/description"] ? { description: sc.metadata.annotations["hikube.io/description"] } : {}),
    }))
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
}

async function getOrNull<T>(identity: TenantAccess["identity"], path: string): Promise<T | null> {
  try {
    return await kubeRequest<T>(identity, { path });
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return null;
    throw err;
  }
}

/**
 * Reads VMDisk `name` (a URL segment: /disks/{name}, /vms/{vm}/disks/{name}) as the user.
 * @throws AppError not_found naming the disk, also when `name` is not a DNS-1123 subdomain (such a
 *   name cannot name a disk; k8s/names.ts `assertUrlName`, checked before any path is built)
 */
export async function getDiskOrThrow(access: TenantAccess, name: string): Promise<VMDisk> {
  assertUrlName("dns1123Subdomain", name, "disk_not_found");
  const disk = await getOrNull<VMDisk>(access.identity, resourcePath(kinds.VMDisk, { namespace: access.tenant.namespace, name }));
  if (!disk) throw new AppError("not_found", "disk_not_found", { name: name.slice(0, 64) });
  return disk;
}

/**
 * The smallest size the source allows, in bytes, and what it is named after: a golden image's
 * or a cloned disk's own size (CDI cannot clone into a smaller volume), a quick-pick URL's
 * documented minimum; 0 for other URLs, uploads and blank disks.
 * @throws AppError invalid on `source.image.name` / `source.disk.name` when the source does not exist
 */
async function minimumOfSource(access: TenantAccess, source: CreateDiskInput["source"]): Promise<{ bytes: number; source: "image" | "disk" | "url" | "none"; name: string }> {
  if (source.image) {
    const dv = await getOrNull<DataVolume>(portalIdentity,
      resourcePath(kinds.DataVolume, { namespace: goldenImageNamespace, name: `${goldenImagePrefix}${source.image.name}` }));
    if (!dv) throw invalidField("source.image.name", "notImage", { value: source.image.name });
    return { bytes: dataVolumeBytes(dv), source: "image", name: source.image.name };
  }
  if (source.disk) {
    const other = await getOrNull<VMDisk>(access.identity, resourcePath(kinds.VMDisk, { namespace: access.tenant.namespace, name: source.disk.name }));
    if (!other) throw invalidField("source.disk.name", "notTenantDisk", { value: source.disk.name });
    return { bytes: parseQuantity(String(other.spec.storage ?? "5Gi")), source: "disk", name: source.disk.name };
  }
  if (source.http) {
    const pick = quickPickOfUrl(source.http.url);
    if (pick) return { bytes: parseQuantity(pick.minStorage), source: "url", name: pick.label };
  }
  return { bytes: 0, source: "none", name: "" };
}

/**
 * Creates VMDisk `input.name` with the user's identity, after every check (see the file comment).
 * One object is created, so nothing can be left half-made. An http source is stored as the URL
 * the policy checked (parsed and serialized).
 * @throws AppError invalid (field named: `source.http.url`, `source.image.name`,
 *   `source.disk.name`, `storage`, `storageClass`), conflict (name taken), forbidden (cluster RBAC),
 *   cluster_unavailable
 */
export async function createDisk(access: TenantAccess, input: CreateDiskInput): Promise<DiskSummary> {
  const namespace = access.tenant.namespace;
  // The import URL's host first: a refused URL leads to no cluster call at all.
  const source: CreateDiskInput["source"] = input.source.http
    ? { ...input.source, http: { url: assertImportUrlAllowed(input.source.http.url, "source.http.url") } }
    : input.source;
  const [classes, minimum, taken] = await Promise.all([
    listStorageClasses(),
    minimumOfSource(access, source),
    getOrNull<VMDisk>(access.identity, resourcePath(kinds.VMDisk, { namespace, name: input.name })),
  ]);
  if (!classes.some((c) => c.name === input.storageClass)) {
    const available = classes.map((c) => c.name).join(", ");
    throw invalidField("storageClass", available ? "noStorageClassAmong" : "noStorageClassAtAll", { value: input.storageClass, available });
  }
  const bytes = parseQuantity(input.storage);
  if (bytes < minimum.bytes) {
    throw invalidField("storage", "minSizeFor", { minimum: { bytes: minimum.bytes }, source: minimum.source, name: minimum.name });
  }
  if (taken) throw new AppError("conflict", "disk_exists", { name: input.name }, { field: "name" });
  const disk: VMDisk = {
    apiVersion: apiVersionOf(kinds.VMDisk) as VMDisk["apiVersion"],
    kind: "VMDisk",
    metadata: { name: input.name, namespace },
    spec: {
      // The schema's shape: at most one key; `{}` is a blank disk.
      source: source.http ? { http: { url: source.http.url } }
        : source.image ? { image: { name: source.image.name } }
        : source.disk ? { disk: { name: source.disk.name } }
        : source.upload ? { upload: {} }
        : {},
      optical: input.optical,
      storage: input.storage,
      storageClass: input.storageClass,
    },
  };
  // One disk and its bytes against the tenant's quota, under the tenant's quota lock
  // (lib/server/quota/quota.ts).
  const created = await createVmDiskWithinQuota(access, disk);
  return toDiskSummary(created, undefined, null);
}

/**
 * Grows disk `name` to `input.storage` (never shrinks: CDI and the CSI drivers only expand). The
 * storage class stays as it is (immutable). A merge patch carrying the read resourceVersion, so a
 * concurrent change gives 409 rather than a lost update.
 * @throws AppError not_found, invalid on `storage` (smaller than now), conflict, forbidden
 */
export async function growDisk(access: TenantAccess, name: string, input: GrowDiskInput): Promise<DiskSummary> {
  const namespace = access.tenant.namespace;
  const disk = await getDiskOrThrow(access, name);
  const current = parseQuantity(String(disk.spec.storage ?? "5Gi"));
  const wanted = parseQuantity(input.storage);
  if (wanted < current) {
    throw invalidField("storage", "cannotShrink", { current: { bytes: current }, wanted: { bytes: wanted } });
  }
  if (wanted === current) return toDiskSummary(disk, undefined, null);
  // The added bytes against the tenant's storage quota, under its quota lock (lib/server/quota/quota.ts).
  const patched = await createWithinQuota(access, { storageBytes: wanted - current }, () => kubeRequest<VMDisk>(access.identity, {
    method: "PATCH",
    path: resourcePath(kinds.VMDisk, { namespace, name }),
    contentType: "application/merge-patch+json",
    body: { metadata: { resourceVersion: disk.metadata.resourceVersion }, spec: { storage: input.storage } },
  }));
  return toDiskSummary(patched, undefined, null);
}

/**
 * Deletes disk `name`, unless a VM uses it: then 409 naming the VM (detach it first, on a stopped
 * VM). The VMInstances are read as the user just before the delete.
 * @throws AppError not_found, conflict (attached), forbidden (cluster RBAC)
 */
export async function deleteDisk(access: TenantAccess, name: string): Promise<{ deleted: string }> {
  const namespace = access.tenant.namespace;
  await getDiskOrThrow(access, name);
  const instances = await kubeRequest<KubeList<VMInstance>>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace }) });
  const vm = diskAttachments(instances.items).get(name);
  if (vm) throw new AppError("conflict", "disk_in_use", { disk: name, vm });
  await kubeRequest(access.identity, { method: "DELETE", path: resourcePath(kinds.VMDisk, { namespace, name }) });
  return { deleted: name };
}
