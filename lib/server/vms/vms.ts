/**
 * Virtual machines of a tenant: list, create (root VMDisk, then VMInstance, with rollback),
 * delete and power actions (start, stop, restart). The namespace always comes from the tenant record the gate resolved, never from input.
 *
 * Identities (see k8s/identity.ts): VMInstance and VMDisk calls carry the user's identity, so the
 * cluster's RBAC has the last word; VirtualMachine reads (power state) use the portal's identity,
 * only after the gate checked `vm.read`.
 */
import { kinds, resourcePath, apiVersionOf } from "../k8s/kinds";
import { errorFromStatus, kubeRequest, scrubClusterMessage, sendRaw } from "../k8s/client";
import { assertUrlName } from "../k8s/names";
import { portalIdentity } from "../k8s/identity";
import { cachedKinds, watchCache, type WatchCache } from "../k8s/watch-cache";
import { assertCanList } from "../k8s/access-review";
import type { DataVolume, KubeList, VMDisk, VMInstance, VirtualMachine } from "../k8s/objects";
import { AppError, invalidField } from "../errors";
import type { ApiErrorReason, ErrorParams } from "../../shared/api-errors";
import { getInstanceType, getPreference, goldenImageNamespace, goldenImagePrefix } from "./catalogue";
import { listStorageClasses } from "../disks/disks";
import { assertImportUrlAllowed } from "../disks/import-url-policy";
import { validateSshKeys } from "./ssh-keys";
import { getVmInstanceSchemaFlavor } from "./schema-flavor";
import type { TenantAccess } from "../tenancy/tenancy";
import { createWithinQuota, vmQuotaRequest } from "../quota/quota";
import { parseQuantity } from "../../shared/quantity";
import {
  dataDiskName, preferenceMismatch, resourcesCpu, rootDiskSuffix, vmNameMaxLength, type CreateVmInput, type InstanceTypeInfo, type VmSummary,
} from "../../shared/vm";

/** The VirtualMachine behind VMInstance `name` (Cozystack's naming). */
export const virtualMachineName = (name: string) => `vm-instance-${name}`;

/**
 * The power state shown for a VM: the VirtualMachine's `printableStatus` when it exists (the
 * VMInstance's Ready condition can be true while the VM is broken), else from the VMInstance's
 * conditions: a failing Ready condition → "Error", none yet → "Pending".
 */
export function toVmSummary(instance: VMInstance, vm?: VirtualMachine): VmSummary {
  const ready = instance.status?.conditions?.find((c) => c.type === "Ready");
  let powerState = vm?.status?.printableStatus;
  if (!powerState) powerState = instance.metadata.deletionTimestamp ? "Terminating" : ready?.status === "False" ? "Error" : "Pending";
  const runStrategy = instance.spec.runStrategy ?? (instance.spec.running === false ? "Halted" : "Always");
  return {
    name: instance.metadata.name,
    instanceType: instance.spec.instanceType ?? "",
    instanceProfile: instance.spec.instanceProfile ?? "",
    runStrategy,
    powerState,
    ...(ready?.status === "False" && ready.message ? { message: ready.message } : {}),
    disks: (instance.spec.disks ?? []).map((d) => d.name),
    external: Boolean(instance.spec.external),
    createdAt: instance.metadata.creationTimestamp ?? "",
    resourceVersion: instance.metadata.resourceVersion ?? "",
  };
}

/** Lists the VMInstances (as the user) and VirtualMachines (as the portal) of a tenant, directly from the cluster. */
export async function listVmSources(access: TenantAccess): Promise<{ instances: KubeList<VMInstance>; vms: KubeList<VirtualMachine> }> {
  const namespace = access.tenant.namespace;
  const [instances, vms] = await Promise.all([
    kubeRequest<KubeList<VMInstance>>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace }) }),
    kubeRequest<KubeList<VirtualMachine>>(portalIdentity, { path: resourcePath(kinds.VirtualMachine, { namespace }) }),
  ]);
  return { instances, vms };
}

/** Newest first, then by name: the list's own order. */
const newestFirst = (a: VmSummary, b: VmSummary) => b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);

/** The tenant's shared VMInstance and VirtualMachine caches (k8s/watch-cache.ts), started on first use. */
export function vmCaches(namespace: string): { instances: WatchCache<VMInstance>; vms: WatchCache<VirtualMachine> } {
  return { instances: watchCache(cachedKinds.VMInstance, namespace), vms: watchCache(cachedKinds.VirtualMachine, namespace) };
}

// The rows last derived from a tenant's caches (keyed by its VMInstance cache, so they go with it),
// reused while neither cache changed.
const derived = new WeakMap<WatchCache<VMInstance>, { vms: WatchCache<VirtualMachine>; iv: number; vv: number; rows: VmSummary[] }>();

/**
 * The rows of the tenant's caches, newest first, and their version, or null when a cache is not in
 * sync. Rebuilt only when a cache changed since the last call.
 */
async function cachedVmRows(namespace: string): Promise<{ rows: VmSummary[]; version: string } | null> {
  const caches = vmCaches(namespace);
  await Promise.all([caches.instances.whenSynced(2000), caches.vms.whenSynced(2000)]);
  // From here on, synchronously: both snapshots and their version are read between two changes
  // (awaiting one cache's snapshot while the other changed would store old rows under a newer version).
  if (!caches.instances.isSynced || !caches.vms.isSynced) return null;
  const version = vmRowsVersion(caches);
  const instances = caches.instances.snapshotNow();
  const held = derived.get(caches.instances);
  if (held && held.vms === caches.vms && held.iv === caches.instances.version && held.vv === caches.vms.version) {
    return { rows: held.rows, version };
  }
  const rows = instances.map((i) => toVmSummary(i, caches.vms.get(virtualMachineName(i.metadata.name)))).sort(newestFirst);
  derived.set(caches.instances, { vms: caches.vms, iv: caches.instances.version, vv: caches.vms.version, rows });
  return { rows, version };
}

/**
 * A token naming the state of a tenant's VM caches (their lives and change counters): equal tokens
 * mean the same rows. The list page passes the token of its server-rendered rows to the stream,
 * which then sends no snapshot while they are still current.
 */
export function vmRowsVersion(caches: ReturnType<typeof vmCaches>): string {
  return `${caches.instances.epoch}.${caches.instances.version}.${caches.vms.epoch}.${caches.vms.version}`;
}

/**
 * The tenant's VMs, newest first (the returned array is shared: copy it before changing it).
 *
 * Served from the tenant's shared caches (portal identity) once the cluster's RBAC said, by a
 * SubjectAccessReview answered at most 10 s ago (k8s/access-review.ts), that this user may list
 * VMInstances in the namespace. While a cache is not in sync, VMInstances are listed directly as
 * the user (so an unreachable cluster is a 503, never a stale list).
 * @throws AppError forbidden (the cluster's RBAC refuses the user), cluster_unavailable
 */
export async function listVms(access: TenantAccess): Promise<VmSummary[]> {
  return (await listVmsWithVersion(access)).rows;
}

/**
 * {@link listVms} with the rows' version ({@link vmRowsVersion}; null when they were read
 * directly from the cluster).
 */
export async function listVmsWithVersion(access: TenantAccess): Promise<{ rows: VmSummary[]; version: string | null }> {
  const namespace = access.tenant.namespace;
  const [, cached] = await Promise.all([assertCanList(access.identity, kinds.VMInstance, namespace), cachedVmRows(namespace)]);
  if (cached) return cached;
  const { instances, vms } = await listVmSources(access);
  const byName = new Map(vms.items.map((vm) => [vm.metadata.name, vm]));
  return { rows: instances.items.map((i) => toVmSummary(i, byName.get(virtualMachineName(i.metadata.name)))).sort(newestFirst), version: null };
}

/**
 * Whether the tenant's VMInstance or VMDisk `name` exists, read with the user's identity.
 * @throws AppError other than not_found (forbidden, cluster_unavailable…)
 */
export async function exists(access: TenantAccess, kind: typeof kinds.VMInstance | typeof kinds.VMDisk, name: string): Promise<boolean> {
  try {
    await kubeRequest(access.identity, { path: resourcePath(kind, { namespace: access.tenant.namespace, name }) });
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return false;
    throw err;
  }
}

/**
 * Creates a VM: checks everything first (catalogue, profile fits the type or the custom size of
 * `resources`, SSH keys, names free,
 * the root disk not below its golden image, the chosen existing disks free), then creates the root
 * VMDisk `<name>-os` and the new blank data disks `<name>-d1`…, then the VMInstance referencing
 * them (root, data disks, existing disks, in boot order), all while holding the tenant's quota
 * lock (lib/server/quota/quota.ts: usage read from the cluster + this VM's request checked against
 * the quota, then the writes, so concurrent creates cannot exceed it). If a step fails, the VMDisks
 * created so far are deleted again so nothing is left half-made.
 * @throws AppError invalid (field named; `rootDisk.source.url` for a host the import policy
 *   refuses, lib/server/disks/import-url-policy.ts), conflict (name taken), forbidden (cluster
 *   RBAC), cluster_unavailable
 */
export async function createVm(access: TenantAccess, input: CreateVmInput): Promise<VmSummary> {
  const { identity } = access;
  const namespace = access.tenant.namespace;
  const sshKeys = validateSshKeys(input.sshKeys);
  // the same import URL policy as a disk's (no loopback, link-local, cluster-internal hosts)
  if (input.rootDisk.source.type === "http") input.rootDisk.source.url = assertImportUrlAllowed(input.rootDisk.source.url, "rootDisk.source.url");
  // A custom size (resources) stands in for an instance type of the same vCPUs and memory.
  const custom = input.resources;
  const [instanceType, preference, flavor] = await Promise.all([
    custom
      ? Promise.resolve<InstanceTypeInfo>({ name: "resources", series: "", seriesDisplayName: "", ratio: "",
        cpu: resourcesCpu(custom), memoryBytes: parseQuantity(custom.memory) })
      : getInstanceType(identity, input.instanceType),
    getPreference(identity, input.instanceProfile),
    getVmInstanceSchemaFlavor(),
  ]);
  const mismatch = preferenceMismatch(instanceType, preference);
  if (mismatch) {
    const amount = (n: number) => (mismatch.resource === "cpu" ? { vcpu: n } : { bytes: n });
    throw invalidField("instanceProfile", "profileNeeds",
      { profile: preference.name, required: amount(mismatch.required), size: custom ? "custom" : instanceType.name, offered: amount(mismatch.offered) });
  }
  const diskName = `${input.name}${rootDiskSuffix}`;
  const dataDiskNames = input.dataDisks.map((_, i) => dataDiskName(input.name, i));
  if (await exists(access, kinds.VMInstance, input.name)) throw new AppError("conflict", "vm_exists", { name: input.name }, { field: "name" });
  for (const n of [diskName, ...dataDiskNames]) {
    if (await exists(access, kinds.VMDisk, n)) throw new AppError("conflict", "vm_disk_name_taken", { disk: n }, { field: "name" });
  }
  await checkExtraDisks(access, input);
  if (input.dataDisks.length > 0) {
    const classes = new Set((await listStorageClasses()).map((c) => c.name));
    input.dataDisks.forEach((d, i) => {
      if (!classes.has(d.storageClass)) {
        throw invalidField(`dataDisks.${i}.storageClass`, "noStorageClass", { value: d.storageClass });
      }
    });
  }
  const rootBytes = parseQuantity(input.rootDisk.storage);
  if (input.rootDisk.source.type === "image") {
    const minimum = await goldenImageBytes(input.rootDisk.source.name);
    if (minimum === null) {
      throw invalidField("rootDisk.source.name", "notImage", { value: input.rootDisk.source.name });
    }
    if (rootBytes < minimum) {
      throw invalidField("rootDisk.storage", "minSizeFor", { minimum: { bytes: minimum }, source: "image", name: input.rootDisk.source.name });
    }
  }
  const source = input.rootDisk.source.type === "image" ? { image: { name: input.rootDisk.source.name } } : { http: { url: input.rootDisk.source.url } };
  const newDisks: VMDisk[] = [
    {
      apiVersion: "apps.cozystack.io/v1alpha1",
      kind: "VMDisk",
      metadata: { name: diskName, namespace, labels: { "hikube.io/vm": input.name } },
      spec: { source, storage: input.rootDisk.storage, optical: false },
    },
    ...input.dataDisks.map((d, i): VMDisk => ({
      apiVersion: "apps.cozystack.io/v1alpha1",
      kind: "VMDisk",
      metadata: { name: dataDiskNames[i], namespace, labels: { "hikube.io/vm": input.name } },
      spec: { source: {}, storage: d.storage, storageClass: d.storageClass, optical: false },
    })),
  ];
  const spec: VMInstance["spec"] = {
    instanceType: input.instanceType,
    ...(custom ? { resources: { cpu: custom.cpu, sockets: custom.sockets, memory: custom.memory } } : {}),
    instanceProfile: input.instanceProfile,
    // Boot order: the root disk, the new data disks, then the chosen existing disks.
    disks: [diskName, ...dataDiskNames, ...input.disks].map((name) => ({ name })),
    external: input.external,
    externalMethod: "PortList",
    externalPorts: input.external ? input.externalPorts : [],
    sshKeys,
    cloudInit: input.cloudInit,
  };
  if (flavor === "running") spec.running = input.runStrategy !== "Halted";
  else spec.runStrategy = input.runStrategy;
  const instance: VMInstance = {
    apiVersion: apiVersionOf(kinds.VMInstance) as VMInstance["apiVersion"],
    kind: "VMInstance",
    metadata: { name: input.name, namespace },
    spec,
  };
  const request = vmQuotaRequest({
    cpu: instanceType.cpu,
    memoryBytes: instanceType.memoryBytes,
    external: input.external,
    diskBytes: newDisks.map((d) => parseQuantity(d.spec.storage ?? "0")),
  });

  // From the usage read to the last write, the tenant's quota lock is held (lib/server/quota/quota.ts).
  return createWithinQuota(access, request, async (lease) => {
    if (await exists(access, kinds.VMInstance, input.name)) throw new AppError("conflict", "vm_exists", { name: input.name }, { field: "name" });
    const created: string[] = [];
    const rollback = async () => {
      for (const n of created) {
        await kubeRequest(identity, { method: "DELETE", path: resourcePath(kinds.VMDisk, { namespace, name: n }) }).catch(() => {
          /* the rollback's own failure must not hide the original error */
        });
      }
    };
    try {
      for (const disk of newDisks) {
        await lease.renew();
        await kubeRequest(identity, { method: "POST", path: resourcePath(kinds.VMDisk, { namespace }), body: disk });
        created.push(disk.metadata.name);
      }
      await lease.renew();
      const createdInstance = await kubeRequest<VMInstance>(identity, { method: "POST", path: resourcePath(kinds.VMInstance, { namespace }), body: instance });
      return toVmSummary(createdInstance);
    } catch (err) {
      await rollback();
      throw err;
    }
  });
}

/** The size of golden image `name` in bytes (its DataVolume's request), or null when the cluster has no such image. */
async function goldenImageBytes(name: string): Promise<number | null> {
  try {
    const dv = await kubeRequest<DataVolume>(portalIdentity, { path: resourcePath(kinds.DataVolume, { namespace: goldenImageNamespace, name: `${goldenImagePrefix}${name}` }) });
    const size = dv.spec?.storage?.resources?.requests?.storage ?? dv.spec?.pvc?.resources?.requests?.storage;
    return size ? parseQuantity(size) : 0;
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return null;
    throw err;
  }
}

/**
 * Checks the existing disks a new VM is to use: each exists, appears once, and no other VM uses it.
 * @throws AppError invalid on `disks.N`, conflict naming the VM that uses a disk
 */
async function checkExtraDisks(access: TenantAccess, input: CreateVmInput): Promise<void> {
  if (input.disks.length === 0) return;
  const namespace = access.tenant.namespace;
  const [disks, instances] = await Promise.all([
    kubeRequest<KubeList<VMDisk>>(access.identity, { path: resourcePath(kinds.VMDisk, { namespace }) }),
    kubeRequest<KubeList<VMInstance>>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace }) }),
  ]);
  const names = new Set(disks.items.map((d) => d.metadata.name));
  const users = new Map<string, string>();
  for (const i of instances.items) for (const d of i.spec.disks ?? []) users.set(d.name, i.metadata.name);
  input.disks.forEach((name, index) => {
    if (!names.has(name)) throw invalidField(`disks.${index}`, "notTenantDisk", { value: name });
    if (input.disks.indexOf(name) !== index) throw invalidField(`disks.${index}`, "listedTwice", { value: name });
    const user = users.get(name);
    if (user) throw new AppError("conflict", "disk_attached_elsewhere", { disk: name, vm: user }, { field: `disks.${index}` });
  });
}

/**
 * Checks VM name `name` taken from a URL path: a DNS-1035 label of at most 41 characters.
 * @throws AppError not_found otherwise (a malformed name names no VM; k8s/names.ts `assertUrlName`)
 */
export function assertVmUrlName(name: string): string {
  return assertUrlName("dns1035Label", name, "vm_not_found", vmNameMaxLength);
}

/**
 * Deletes VMInstance `name`; with `withDisks`, also the VMDisks it referenced.
 * @param name from the URL path: a malformed name answers not_found, like a missing VM
 * @returns the disks deleted
 * @throws AppError not_found when there is no such VM
 */
export async function deleteVm(access: TenantAccess, name: string, withDisks: boolean): Promise<{ deletedDisks: string[] }> {
  assertVmUrlName(name);
  const namespace = access.tenant.namespace;
  const instance = await kubeRequest<VMInstance>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace, name }) });
  await kubeRequest(access.identity, { method: "DELETE", path: resourcePath(kinds.VMInstance, { namespace, name }) });
  const deletedDisks: string[] = [];
  if (withDisks) {
    for (const d of instance.spec.disks ?? []) {
      try {
        await kubeRequest(access.identity, { method: "DELETE", path: resourcePath(kinds.VMDisk, { namespace, name: d.name }) });
        deletedDisks.push(d.name);
      } catch (err) {
        if (!(err instanceof AppError && err.code === "not_found")) throw err;
      }
    }
  }
  return { deletedDisks };
}

/** The power actions of KubeVirt's `subresources.kubevirt.io/v1` VirtualMachine subresources. */
export const powerActions = ["start", "stop", "restart"] as const;

/** One of {@link powerActions}. */
export type PowerAction = (typeof powerActions)[number];

/**
 * Why KubeVirt refused a power action (HTTP 409), as a stable reason the UI can translate.
 * - `already_running`: start of a running VM;
 * - `starts_by_itself`: start of a VM whose run strategy (Always) starts it without being asked;
 * - `runs_once`: start or restart of a VM with run strategy Once;
 * - `failed_restarts_by_itself`: start of a failed RerunOnFailure VM (KubeVirt reruns it);
 * - `already_stopped`: stop of a stopped VM;
 * - `already_stopping`: stop of a Halted VM whose guest is still shutting down;
 * - `stopped`: restart of a stopped VM;
 * - `busy`: another start or stop request is being applied;
 * - `recovery_required`: a failed volume migration left the VM for its operator to repair;
 * - `other`: anything else (KubeVirt's reason, scrubbed, is then in the message).
 */
export type PowerConflictReason = "already_running" | "starts_by_itself" | "runs_once" | "failed_restarts_by_itself" | "already_stopped"
  | "already_stopping" | "stopped" | "busy" | "recovery_required" | "other";

/**
 * Rewrites KubeVirt's 409 answer to a power action into a message for the user.
 *
 * The reasons are upstream's, kubevirt/kubevirt pkg/virt-api/rest/lifecycle.go
 * (`StartVMRequestHandler`, `StopVMRequestHandler`, `RestartVMRequestHandler`), wrapped by
 * `errors.NewConflict` as `Operation cannot be fulfilled on virtualmachine.kubevirt.io "<vm>": <reason>`:
 * start: "VM is already running", "<Always|Once> does not support manual start requests",
 * "RerunOnFailure does not support starting VM from failed state"; stop: "VM is not running",
 * "Halted only supports manual stop requests with a shorter graceperiod"; restart:
 * "RunStategy <Halted|Once> does not support manual restart requests" (sic), "VM is not running: Halted";
 * any: "jsonpatch test operation does not apply" (a concurrent state change), "VM recovery
 * required: Volume migration failed, …". The VirtualMachine's name (`vm-instance-<name>`) and the
 * API group never reach the user.
 * @param action the refused action
 * @param body the answer's body (a metav1 Status, or plain text)
 * @returns AppError conflict with `details: { reason }` ({@link PowerConflictReason})
 */
export function powerConflictError(action: PowerAction, body: string): AppError {
  let text = body.trim();
  try {
    text = String((JSON.parse(body) as { message?: unknown }).message ?? text);
  } catch {
    /* KubeVirt answers some conflicts as plain text */
  }
  const reason = text.replace(/^Operation cannot be fulfilled on [^:]+: /, "").trim();
  const conflict = (r: PowerConflictReason, reason: ApiErrorReason, params: ErrorParams = {}) => new AppError("conflict", reason, params, { details: { reason: r } });
  if (/jsonpatch test operation does not apply/.test(reason)) return conflict("busy", "power_busy");
  if (/^VM recovery required/.test(reason)) return conflict("recovery_required", "power_recovery_required");
  if (/\bOnce does not support manual (start|restart) requests/.test(reason)) return conflict("runs_once", "power_runs_once", { action });
  if (action === "start") {
    if (/^VM is already running/.test(reason)) return conflict("already_running", "power_already_running");
    if (/does not support manual start requests/.test(reason)) return conflict("starts_by_itself", "power_starts_by_itself");
    if (/does not support starting VM from failed state/.test(reason)) return conflict("failed_restarts_by_itself", "power_failed_restarts_by_itself");
  }
  if (action === "stop") {
    if (/^VM is not running/.test(reason)) return conflict("already_stopped", "power_already_stopped");
    if (/only supports manual stop requests with a shorter grace ?period/i.test(reason)) return conflict("already_stopping", "power_already_stopping");
  }
  if (action === "restart" && (/^VM is not running/.test(reason) || /does not support manual restart requests/.test(reason))) {
    return conflict("stopped", "power_stopped");
  }
  const detail = scrubClusterMessage(reason.replace(/"vm-instance-([^"]*)"/g, '"$1"'));
  return detail ? conflict("other", "vm_action_refused_because", { action, detail }) : conflict("other", "vm_action_refused", { action });
}

/**
 * Starts, stops or restarts VM `name` through KubeVirt's subresource
 * `PUT /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachines/vm-instance-{name}/{action}`
 * with the user's identity (the cluster's RBAC decides; `use` level grants these subresources).
 *
 * Why the subresource and not `VMInstance.spec.runStrategy`: the subresource answers at once with
 * KubeVirt's own verdict (202, or 409 "VM is already running" / "VM is not running" per run
 * strategy, kubevirt pkg/virt-api/rest/lifecycle.go), keeps the VMInstance's declared strategy
 * (what the tenant chose at create time), and restart exists only there. KubeVirt records a stop
 * of an `Always` VM by rewriting the VirtualMachine's run strategy to `Halted`; Cozystack's chart
 * does not revert it until the VMInstance itself is changed (Flux's drift detection is off by
 * default), so the VM stays stopped.
 *
 * @param name from the URL path: a malformed name answers not_found, like a missing VM
 * @returns `{ accepted: true }` when KubeVirt answered 202 (the VM's state follows on the stream)
 * @throws AppError conflict in plain words when KubeVirt refuses ({@link powerConflictError}, e.g.
 *   "The VM is already running."), not_found when there is no such VM, forbidden (cluster RBAC),
 *   cluster_unavailable
 */
export async function powerVm(access: TenantAccess, name: string, action: PowerAction): Promise<{ accepted: true }> {
  assertVmUrlName(name);
  const namespace = access.tenant.namespace;
  const res = await sendRaw(access.identity, {
    method: "PUT",
    path: resourcePath(kinds.VirtualMachineSubresources, { namespace, name: virtualMachineName(name), subresource: action }),
    body: {},
  });
  if (res.status >= 200 && res.status < 300) return { accepted: true };
  if (res.status === 409) throw powerConflictError(action, res.body);
  if (res.status === 404) throw new AppError("not_found", "vm_not_found", { name });
  throw errorFromStatus(res.status, res.body);
}
