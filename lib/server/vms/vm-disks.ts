/**
 * A VM and its disks: the VM page's detail (disks in boot order), attach and detach on a stopped
 * VM. Both edit `VMInstance.spec.disks` with the user's identity (a JSON merge patch carrying the
 * read resourceVersion, so a concurrent edit answers 409 instead of being lost).
 *
 * Why only on a stopped VM: KubeVirt hot-plugs only SCSI data volumes and needs a restart for
 * anything else (boot disk, CD-ROM, virtio), and Cozystack's chart re-renders the whole
 * VirtualMachine from the VMInstance; changing the disks of a running VM would apply at an
 * unpredictable moment. The power state is read from the VirtualMachine (portal identity, after
 * the gate), as in vms.ts.
 */
import { kinds, resourcePath, type KindDescriptor } from "../k8s/kinds";
import { assertKubeName } from "../k8s/names";
import { kubeRequest } from "../k8s/client";
import { portalIdentity } from "../k8s/identity";
import type { DataVolume, KubeList, VMDisk, VMInstance, VirtualMachine } from "../k8s/objects";
import { AppError } from "../errors";
import { dataVolumeName, diskAttachments, getDiskOrThrow, toDiskSummary } from "../disks/disks";
import { toVmSummary, virtualMachineName } from "./vms";
import { getInstanceType, getPreference } from "./catalogue";
import { toEditableSpec } from "./spec";
import { toVmOverview, type Service, type VirtualMachineInstance } from "./overview";
import type { TenantAccess } from "../tenancy/tenancy";
import { dns1035Pattern, vmNameMaxLength } from "../../shared/vm";
import type { VmDetail } from "../../shared/disk";

/**
 * VMInstance `name` read as the user; a malformed name is answered like a missing one.
 * @throws AppError not_found
 */
export async function getVmOrThrow(access: TenantAccess, name: string): Promise<VMInstance> {
  if (!dns1035Pattern.test(name) || name.length > vmNameMaxLength) throw new AppError("not_found", "vm_not_found", { name: name.slice(0, 64) });
  try {
    return await kubeRequest<VMInstance>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace: access.tenant.namespace, name }) });
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") throw new AppError("not_found", "vm_not_found", { name });
    throw err;
  }
}

/** Reads one object with the portal's identity (after the gate checked `vm.read`); 404 → undefined. */
async function getAsPortal<T>(kind: KindDescriptor, namespace: string, name: string): Promise<T | undefined> {
  try {
    return await kubeRequest<T>(portalIdentity, { path: resourcePath(kind, { namespace, name }) });
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return undefined;
    throw err;
  }
}

const getVirtualMachine = (access: TenantAccess, name: string) =>
  getAsPortal<VirtualMachine>(kinds.VirtualMachine, access.tenant.namespace, virtualMachineName(name));

/** A catalogue entry for the overview; a type or profile the cluster no longer offers is left out. */
const orUndefined = <T>(p: Promise<T>): Promise<T | undefined> => p.catch((err) => {
  if (err instanceof AppError && (err.code === "invalid" || err.code === "not_found")) return undefined;
  throw err;
});

/**
 * VM `name` with its disks in boot order (the order of `spec.disks`; the first boots) and its
 * Overview (overview.ts: state reason, restart required, addresses, external access, SSH, node,
 * uptime, sizes). A disk the VM names but that does not exist is listed with phase "Missing".
 * VMDisks are read as the user; the VirtualMachine, VirtualMachineInstance, Service and
 * DataVolumes with the portal's identity (tenant roles cannot read them; the gate checked `vm.read`).
 * @throws AppError not_found
 */
export async function getVmDetail(access: TenantAccess, name: string): Promise<VmDetail> {
  const namespace = access.tenant.namespace;
  const instance = await getVmOrThrow(access, name);
  const [vm, vmi, service, disks, dvs, instanceType, preference] = await Promise.all([
    getVirtualMachine(access, name),
    getAsPortal<VirtualMachineInstance>(kinds.VirtualMachineInstance, namespace, virtualMachineName(name)),
    instance.spec.external ? getAsPortal<Service>(kinds.Service, namespace, virtualMachineName(name)) : Promise.resolve(undefined),
    kubeRequest<KubeList<VMDisk>>(access.identity, { path: resourcePath(kinds.VMDisk, { namespace }) }),
    kubeRequest<KubeList<DataVolume>>(portalIdentity, { path: resourcePath(kinds.DataVolume, { namespace }) }),
    instance.spec.instanceType ? orUndefined(getInstanceType(access.identity, instance.spec.instanceType)) : Promise.resolve(undefined),
    instance.spec.instanceProfile ? orUndefined(getPreference(access.identity, instance.spec.instanceProfile)) : Promise.resolve(undefined),
  ]);
  const byName = new Map(disks.items.map((d) => [d.metadata.name, d]));
  const dvByName = new Map(dvs.items.map((d) => [d.metadata.name, d]));
  const refs = instance.spec.disks ?? [];
  return {
    vm: toVmSummary(instance, vm),
    disks: refs.map((ref, index) => {
      const disk = byName.get(ref.name);
      const summary = disk
        ? toDiskSummary(disk, dvByName.get(dataVolumeName(ref.name)), name)
        : { name: ref.name, missing: true as const };
      return { ...summary, bootOrder: index + 1, ...(ref.bus ? { bus: ref.bus } : {}) };
    }),
    overview: toVmOverview({
      instance, vm, vmi, service, instanceType, preference,
      dataVolumes: refs.map((r) => dvByName.get(dataVolumeName(r.name))).filter((d): d is DataVolume => Boolean(d)),
    }),
    spec: toEditableSpec(instance.spec),
  };
}

/** @throws AppError conflict when the VM is not Stopped (naming its state) */
async function assertStopped(access: TenantAccess, name: string, change: "attach" | "detach"): Promise<void> {
  const vm = await getVirtualMachine(access, name);
  const state = vm?.status?.printableStatus ?? "Pending";
  if (state !== "Stopped") {
    throw new AppError("conflict", "vm_not_stopped", { name, state, change });
  }
}

async function writeDisks(access: TenantAccess, instance: VMInstance, disks: { name: string; bus?: string }[]): Promise<VMInstance> {
  return kubeRequest<VMInstance>(access.identity, {
    method: "PATCH",
    path: resourcePath(kinds.VMInstance, { namespace: access.tenant.namespace, name: instance.metadata.name }),
    contentType: "application/merge-patch+json",
    body: { metadata: { resourceVersion: instance.metadata.resourceVersion }, spec: { disks } },
  });
}

/**
 * Attaches disk `diskName` to stopped VM `name`, after its other disks (last in boot order).
 * @throws AppError not_found (VM or disk, also for a malformed name), conflict (VM not stopped, disk already used by a VM
 *   — named), forbidden (cluster RBAC)
 */
export async function attachDisk(access: TenantAccess, name: string, diskName: string): Promise<VmDetail> {
  const instance = await getVmOrThrow(access, name);
  await getDiskOrThrow(access, diskName);
  const instances = await kubeRequest<KubeList<VMInstance>>(access.identity, { path: resourcePath(kinds.VMInstance, { namespace: access.tenant.namespace }) });
  const user = diskAttachments(instances.items).get(diskName);
  if (user === name) throw new AppError("conflict", "disk_already_attached", { disk: diskName, vm: name });
  if (user) throw new AppError("conflict", "disk_attached_elsewhere", { disk: diskName, vm: user });
  await assertStopped(access, name, "attach");
  await writeDisks(access, instance, [...(instance.spec.disks ?? []), { name: diskName }]);
  return getVmDetail(access, name);
}

/**
 * Detaches disk `diskName` from stopped VM `name` (the disk itself stays).
 * @throws AppError invalid on `disk` (not a DNS-1123 subdomain), not_found (VM, or the disk is not attached to it), conflict (VM not stopped),
 *   forbidden
 */
export async function detachDisk(access: TenantAccess, name: string, diskName: string): Promise<VmDetail> {
  assertKubeName("dns1123Subdomain", diskName, "disk");
  const instance = await getVmOrThrow(access, name);
  const disks = instance.spec.disks ?? [];
  if (!disks.some((d) => d.name === diskName)) throw new AppError("not_found", "disk_not_attached", { disk: diskName.slice(0, 64), vm: name });
  await assertStopped(access, name, "detach");
  await writeDisks(access, instance, disks.filter((d) => d.name !== diskName));
  return getVmDetail(access, name);
}
