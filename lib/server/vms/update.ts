/**
 * Changing a VM after its creation: the edit form (`PATCH /api/tenants/{t}/vms/{name}`) and the
 * YAML editor (`PUT /api/tenants/{t}/vms/{name}/yaml`) both end in {@link applyVmSpec}, so tenancy,
 * quota and the portal's own checks apply to a YAML edit exactly as to the form:
 *
 *   read the VMInstance as the user → refuse a stale resourceVersion (409 with what changed) →
 *   server-side dry-run with strict field validation (unknown fields and wrong types named by the
 *   API server) → the portal's checks (catalogue, profile fits the size, SSH keys, cloud-init,
 *   ports, disks only on a stopped VM) → the quota on the difference, under the tenant's quota
 *   lock → the write (a PUT carrying the resourceVersion read, so a concurrent edit is a 409, never
 *   a lost update).
 *
 * A running VM whose size changes keeps running with its old size until restarted: KubeVirt sets
 * the VirtualMachine's `RestartRequired` condition (pkg/virt-controller/watch/vm.go
 * `setRestartRequired`) and the Overview offers "Restart now".
 */
import { isDeepStrictEqual } from "node:util";
import { kinds, resourcePath } from "../k8s/kinds";
import { kubeRequest, sendRaw, errorFromStatus } from "../k8s/client";
import type { KubeList, VMDisk, VMInstance, VirtualMachine } from "../k8s/objects";
import { portalIdentity } from "../k8s/identity";
import { AppError, invalidField } from "../errors";
import { createWithinQuota } from "../quota/quota";
import type { TenantAccess } from "../tenancy/tenancy";
import { getInstanceType, getPreference } from "./catalogue";
import { validateSshKeys } from "./ssh-keys";
import { getVmOrThrow } from "./vm-disks";
import { virtualMachineName } from "./vms";
import { diskAttachments } from "../disks/disks";
import { specSize, type VmSize } from "./spec";
import {
  checkCloudInit, externalMethods, preferenceMismatch, runStrategies,
  type EditVmInput, type VmEditResult,
} from "../../shared/vm";
import type { QuotaAmounts } from "../../shared/quota";

type Spec = VMInstance["spec"];

/** The fields an edit compares and summarizes, in the order the summary lists them. */
const summarized = ["instanceType", "resources", "instanceProfile", "runStrategy", "external", "externalMethod", "externalPorts",
  "sshKeys", "cloudInit", "disks"] as const;

/** Whether a field's value says nothing: absent, "", [] or {} (the schema's defaults for resources, disks…). */
const isEmptyValue = (v: unknown) => v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)
  || (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** A field's value with the empty ones ({@link isEmptyValue}) as undefined, for comparisons. */
const meaningful = (v: unknown) => (isEmptyValue(v) ? undefined : v);

/** A short, secret-free text of a field's value for the summary (cloud-init and keys by size only). */
function describe(field: string, value: unknown): string {
  if (isEmptyValue(value)) return "—";
  if (field === "cloudInit") return `${Buffer.byteLength(String(value))} bytes`;
  if (field === "sshKeys") return `${(value as unknown[]).length} key(s)`;
  if (field === "disks") return (value as { name: string }[]).map((d) => d.name).join(", ");
  if (field === "resources") {
    const r = value as Spec["resources"];
    return `${r?.cpu} cores × ${r?.sockets} sockets, ${r?.memory}`;
  }
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/**
 * What changed between two specs, one line per field: `instanceType: u1.medium → u1.large`.
 * Fields outside the edit form (networks, gpus…) are summarized as `spec.<field> changed`.
 */
export function summarizeChange(before: Spec, after: Spec): string[] {
  const lines: string[] = [];
  for (const f of summarized) {
    if (!isDeepStrictEqual(meaningful(before[f]), meaningful(after[f]))) lines.push(`${f}: ${describe(f, before[f])} → ${describe(f, after[f])}`);
  }
  const others = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => !(summarized as readonly string[]).includes(k)));
  for (const f of [...others].sort()) if (!isDeepStrictEqual(meaningful(before[f]), meaningful(after[f]))) lines.push(`spec.${f} changed`);
  return lines;
}

/**
 * The spec an edit form change gives: the current spec with the given fields replaced. Choosing an
 * instance type drops `resources`; choosing `instanceType: ""` keeps `resources` as given.
 */
export function mergeEdit(current: Spec, input: EditVmInput): Spec {
  const next: Spec = { ...current };
  const { resourceVersion: _rv, ...fields } = input;
  void _rv;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) next[k] = v;
  if (next.instanceType) delete next.resources;
  return next;
}

/** The conflict answered when the VM changed since it was read: the stored spec rides along for the conflict view. */
function staleError(current: VMInstance): AppError {
  return new AppError("conflict", "vm_changed", {}, {
    field: "resourceVersion",
    details: { reason: "stale", resourceVersion: current.metadata.resourceVersion, spec: current.spec },
  });
}

/**
 * Turns the API server's refusal of a dry-run or a write into an error naming the spec field:
 * strict decoding errors (`unknown field "spec.foo"`, k8s.io/apimachinery runtime/serializer
 * strict mode) and OpenAPI validation causes (`spec.instanceType: Invalid value…`).
 */
function fieldError(status: number, body: string): AppError {
  let message = "";
  try {
    message = String((JSON.parse(body) as { message?: unknown }).message ?? "");
  } catch {
    message = body;
  }
  const unknown = /unknown field "spec\.([^"]+)"/.exec(message);
  if (unknown) return invalidField(`spec.${unknown[1]}`, "notAField", {}, { field: unknown[1] });
  const dup = /duplicate field "spec\.([^"]+)"/.exec(message);
  if (dup) return invalidField(`spec.${dup[1]}`, "appearsTwice", {}, { field: dup[1] });
  const err = errorFromStatus(status, body);
  if (err.code === "invalid" && err.field && !err.message.startsWith("spec.")) {
    return new AppError("invalid", "cluster_invalid_field", { field: `spec.${err.field}`, message: err.message }, { field: err.field });
  }
  return err;
}

/**
 * The portal's own checks of a spec before it is written (the API server checked the types):
 * catalogue entries exist, the profile fits the size, a size is given, SSH keys parse, cloud-init
 * is valid, ports are unique and in range, a run strategy of the schema, and a change of `disks`
 * only on a stopped VM, naming disks of the tenant no other VM uses.
 * @returns the new size (for the quota)
 * @throws AppError invalid naming the field, conflict (disks of a running VM, a disk in use)
 */
async function checkSpec(access: TenantAccess, name: string, current: Spec, next: Spec): Promise<VmSize> {
  const { identity } = access;
  let size: VmSize | null;
  if (next.instanceType) {
    size = await getInstanceType(identity, next.instanceType);
    if (!isEmptyValue(next.resources)) throw invalidField("resources", "resourcesWithType");
  } else {
    size = specSize(next);
    if (!size) throw invalidField("resources", "resourcesRequired");
  }
  if (next.instanceProfile) {
    const preference = await getPreference(identity, next.instanceProfile);
    const mismatch = preferenceMismatch({ name: next.instanceType || "resources", series: "", seriesDisplayName: "", ratio: "", ...size }, preference);
    if (mismatch) {
      const amount = (n: number) => (mismatch.resource === "cpu" ? { vcpu: n } : { bytes: n });
      throw invalidField("instanceProfile", "profileNeeds", { profile: preference.name, required: amount(mismatch.required), size: "custom", offered: amount(mismatch.offered) });
    }
  }
  if (next.sshKeys !== undefined) next.sshKeys = validateSshKeys(next.sshKeys);
  if (typeof next.cloudInit === "string") {
    const problem = checkCloudInit(next.cloudInit);
    if (problem) throw invalidField("cloudInit", problem.problem, problem.params);
  }
  if (next.externalMethod !== undefined && !(externalMethods as readonly string[]).includes(next.externalMethod)) {
    throw invalidField("externalMethod", "oneOf", { values: externalMethods.join(", ") });
  }
  (next.externalPorts ?? []).forEach((p, i) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw invalidField(`externalPorts.${i}`, "between", { min: 1, max: 65535 });
    if ((next.externalPorts ?? []).indexOf(p) !== i) throw invalidField(`externalPorts.${i}`, "portTwice", { port: p });
  });
  if (next.runStrategy !== undefined && !(runStrategies as readonly string[]).includes(next.runStrategy)) {
    throw invalidField("runStrategy", "oneOf", { values: runStrategies.join(", ") });
  }
  if (!isDeepStrictEqual(current.disks ?? [], next.disks ?? [])) await checkDisks(access, name, next.disks ?? []);
  return size;
}

/** A change of `disks`: only on a stopped VM (as attach and detach), each a tenant disk, once, not used by another VM. */
async function checkDisks(access: TenantAccess, name: string, disks: { name: string }[]): Promise<void> {
  const namespace = access.tenant.namespace;
  const vm = await kubeRequest<VirtualMachine>(portalIdentity, { path: resourcePath(kinds.VirtualMachine, { namespace, name: virtualMachineName(name) }) })
    .catch(() => undefined);
  const state = vm?.status?.printableStatus ?? "Stopped";
  if (state !== "Stopped") throw new AppError("conflict", "vm_not_stopped", { name, state, change: "disks" }, { field: "disks" });
  const [vmDisks, instances] = await Promise.all([
    kubeRequest<KubeList<VMDisk>>(access.identity, { path: resourcePath(kinds.VMDisk, { namespace }) }),
    kubeRequest<KubeList<VMInstance>>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace }) }),
  ]);
  const names = new Set(vmDisks.items.map((d) => d.metadata.name));
  const users = diskAttachments(instances.items.filter((i) => i.metadata.name !== name));
  disks.forEach((d, i) => {
    if (!names.has(d.name)) throw invalidField(`disks.${i}.name`, "notTenantDisk", { value: d.name });
    if (disks.findIndex((x) => x.name === d.name) !== i) throw invalidField(`disks.${i}.name`, "listedTwice", { value: d.name });
    const user = users.get(d.name);
    if (user) throw new AppError("conflict", "disk_attached_elsewhere", { disk: d.name, vm: user }, { field: `disks.${i}.name` });
  });
}

/** What a change asks of the quota: the growth of vCPU and memory, and a load balancer when it becomes external. */
function quotaDelta(before: VmSize | null, after: VmSize, wasExternal: boolean, isExternal: boolean): Partial<QuotaAmounts> {
  return {
    cpuMillicores: Math.max(0, (after.cpu - (before?.cpu ?? 0)) * 1000),
    memoryBytes: Math.max(0, after.memoryBytes - (before?.memoryBytes ?? 0)),
    loadBalancers: !wasExternal && isExternal ? 1 : 0,
  };
}

/**
 * Writes spec `build(current)` to VMInstance `name` (see the module doc for the order of checks).
 * @param name from the URL path (a malformed name is not_found)
 * @param resourceVersion the VMInstance version the caller's change is based on
 * @param build the new spec from the stored one (the form merges fields; YAML replaces the spec)
 * @returns the changed fields, whether a restart is needed for them, the new resourceVersion
 * @throws AppError not_found; conflict `stale` with the stored `spec` and `resourceVersion` in
 *   details; invalid naming the field (`spec.` paths from the API server); conflict (disks of a
 *   running VM); quota_exceeded naming the resource; forbidden (cluster RBAC); cluster_unavailable
 */
export async function applyVmSpec(access: TenantAccess, name: string, resourceVersion: string, build: (current: Spec) => Spec): Promise<VmEditResult> {
  const namespace = access.tenant.namespace;
  const path = resourcePath(kinds.VMInstance, { namespace, name });
  const current = await getVmOrThrow(access, name);
  if (current.metadata.resourceVersion !== resourceVersion) throw staleError(current);
  const next = build(structuredClone(current.spec));
  const object: VMInstance = { ...current, metadata: { ...current.metadata }, spec: next };
  delete (object as { status?: unknown }).status;
  const write = async (dryRun: boolean): Promise<VMInstance> => {
    const res = await sendRaw(access.identity, {
      method: "PUT", path, body: object,
      query: { fieldValidation: "Strict", ...(dryRun ? { dryRun: "All" } : {}) },
    });
    if (res.status === 409) throw staleError(await getVmOrThrow(access, name));
    if (res.status < 200 || res.status >= 300) throw fieldError(res.status, res.body);
    return JSON.parse(res.body) as VMInstance;
  };
  // The API server first: unknown fields and wrong types named by the cluster's own schema.
  await write(true);
  const changed = summarizeChange(current.spec, next);
  if (changed.length === 0) return { changed, restartRequired: false, resourceVersion };
  const size = await checkSpec(access, name, current.spec, next);
  const before = current.spec.instanceType
    ? await getInstanceType(access.identity, current.spec.instanceType).catch(() => null)
    : specSize(current.spec);
  const delta = quotaDelta(before, size, Boolean(current.spec.external), Boolean(next.external));
  const written = await createWithinQuota(access, delta, async (lease) => {
    await lease.renew();
    return write(false);
  });
  const resized = changed.some((line) => line.startsWith("instanceType:") || line.startsWith("resources:"));
  let running = false;
  if (resized) {
    const vm = await kubeRequest<VirtualMachine>(portalIdentity, { path: resourcePath(kinds.VirtualMachine, { namespace, name: virtualMachineName(name) }) })
      .catch(() => undefined);
    running = ["Running", "Paused", "Starting", "Migrating"].includes(vm?.status?.printableStatus ?? "");
  }
  return { changed, restartRequired: resized && running, resourceVersion: written.metadata.resourceVersion ?? "" };
}

/**
 * The edit form's change (`PATCH /api/tenants/{t}/vms/{name}`): the given fields merged into the
 * stored spec ({@link mergeEdit}), then {@link applyVmSpec}.
 * @throws as {@link applyVmSpec}
 */
export function editVm(access: TenantAccess, name: string, input: EditVmInput): Promise<VmEditResult> {
  return applyVmSpec(access, name, input.resourceVersion, (current) => mergeEdit(current, input));
}
