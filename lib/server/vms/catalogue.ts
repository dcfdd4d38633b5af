/**
 * The cluster's catalogue: instance types (VirtualMachineClusterInstancetype), OS profiles
 * (VirtualMachineClusterPreference) and golden images. Nothing is hard-coded: the portal shows
 * what the cluster offers (../shared/product-docs/README.md).
 *
 * Identities: instance types and preferences are read as the user (KubeVirt makes them readable
 * by every authenticated user); golden images are DataVolumes `vm-image-<name>` in namespace
 * `cozy-public` (Cozystack's layout), read with the portal's identity, which may read DataVolumes.
 */
import { kinds, resourcePath, type KindDescriptor } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import { portalIdentity, type KubeIdentity } from "../k8s/identity";
import type { DataVolume, KubeList, VirtualMachineClusterInstancetype, VirtualMachineClusterPreference } from "../k8s/objects";
import { AppError, invalidField } from "../errors";
import { seriesOfInstanceTypeName } from "../../shared/instance-types";
import { parseQuantity } from "../../shared/quantity";
import type { Catalogue, InstanceTypeInfo, PreferenceInfo } from "../../shared/vm";

/** Namespace of the platform's golden images in Cozystack. */
export const goldenImageNamespace = "cozy-public";
/** Prefix of a golden image's DataVolume name. */
export const goldenImagePrefix = "vm-image-";

const seriesOrder = ["S", "U", "M", "CX", "RT"];

/**
 * Maps a VirtualMachineClusterInstancetype to the form's shape. Its series is the
 * `hikube.io/series` label or, on a cluster whose types lack it (kubevirt/common-instancetypes as
 * Cozystack ships them), the name's prefix (`u1.medium` → U); "Other" when neither says.
 */
export function toInstanceTypeInfo(obj: VirtualMachineClusterInstancetype): InstanceTypeInfo {
  const cpu = obj.spec.cpu.guest;
  const memoryBytes = parseQuantity(obj.spec.memory.guest);
  const gib = memoryBytes / 2 ** 30;
  const series = obj.metadata.labels?.["hikube.io/series"] ?? seriesOfInstanceTypeName(obj.metadata.name) ?? "Other";
  return {
    name: obj.metadata.name,
    series,
    seriesDisplayName: obj.metadata.annotations?.["hikube.io/series-display-name"]
      ?? obj.metadata.annotations?.["instancetype.kubevirt.io/displayName"] ?? series,
    cpu,
    memoryBytes,
    ratio: `1:${Number.isInteger(gib / cpu) ? gib / cpu : (gib / cpu).toFixed(1)}`,
  };
}

/** Maps a VirtualMachineClusterPreference to the form's shape. */
export function toPreferenceInfo(obj: VirtualMachineClusterPreference): PreferenceInfo {
  const req = obj.spec.requirements;
  return {
    name: obj.metadata.name,
    displayName: obj.metadata.annotations?.["openshift.io/display-name"] ?? obj.metadata.name,
    osType: obj.metadata.labels?.["instancetype.kubevirt.io/os-type"] ?? "linux",
    requiredCpu: req?.cpu?.guest ?? 0,
    requiredMemoryBytes: req?.memory?.guest ? parseQuantity(req.memory.guest) : 0,
  };
}

function sortInstanceTypes(a: InstanceTypeInfo, b: InstanceTypeInfo): number {
  const sa = seriesOrder.indexOf(a.series) === -1 ? 99 : seriesOrder.indexOf(a.series);
  const sb = seriesOrder.indexOf(b.series) === -1 ? 99 : seriesOrder.indexOf(b.series);
  return sa - sb || a.cpu - b.cpu || a.memoryBytes - b.memoryBytes || a.name.localeCompare(b.name);
}

/** The request size of a DataVolume in bytes (`spec.storage` or `spec.pvc`), 0 when absent. */
export function dataVolumeBytes(dv: DataVolume): number {
  const size = dv.spec?.storage?.resources?.requests?.storage ?? dv.spec?.pvc?.resources?.requests?.storage;
  return size ? parseQuantity(size) : 0;
}

/** Golden images offered by the cluster, name → size in bytes (empty when the namespace does not exist). */
export async function listGoldenImageSizes(): Promise<Record<string, number>> {
  try {
    const list = await kubeRequest<KubeList<DataVolume>>(portalIdentity, { path: resourcePath(kinds.DataVolume, { namespace: goldenImageNamespace }) });
    return Object.fromEntries(list.items.filter((dv) => dv.metadata.name.startsWith(goldenImagePrefix))
      .map((dv) => [dv.metadata.name.slice(goldenImagePrefix.length), dataVolumeBytes(dv)]));
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return {};
    throw err;
  }
}

/** Golden image names offered by the cluster, sorted (empty when the namespace does not exist). */
export async function listGoldenImages(): Promise<string[]> {
  return Object.keys(await listGoldenImageSizes()).sort();
}

/** The whole catalogue, instance types sorted by series then size, preferences by name. */
export async function getCatalogue(identity: KubeIdentity): Promise<Catalogue> {
  const [types, prefs, imageBytes] = await Promise.all([
    kubeRequest<KubeList<VirtualMachineClusterInstancetype>>(identity, { path: resourcePath(kinds.VirtualMachineClusterInstancetype) }),
    kubeRequest<KubeList<VirtualMachineClusterPreference>>(identity, { path: resourcePath(kinds.VirtualMachineClusterPreference) }),
    listGoldenImageSizes(),
  ]);
  return {
    instanceTypes: types.items.map(toInstanceTypeInfo).sort(sortInstanceTypes),
    preferences: prefs.items.map(toPreferenceInfo).sort((a, b) => a.name.localeCompare(b.name)),
    images: Object.keys(imageBytes).sort(),
    imageBytes,
  };
}

/** Reads one catalogue object; a missing one is bad input on `field`, not a 404. */
async function getCatalogueEntry<T, R>(identity: KubeIdentity, kind: KindDescriptor, name: string, field: string, map: (obj: T) => R): Promise<R> {
  try {
    return map(await kubeRequest<T>(identity, { path: resourcePath(kind, { name }) }));
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") {
      throw invalidField(field, "notOffered", { value: name });
    }
    throw err;
  }
}

/**
 * One instance type by name.
 * @throws AppError invalid on field `instanceType` when the cluster has no such type
 */
export function getInstanceType(identity: KubeIdentity, name: string): Promise<InstanceTypeInfo> {
  return getCatalogueEntry(identity, kinds.VirtualMachineClusterInstancetype, name, "instanceType", toInstanceTypeInfo);
}

/**
 * One OS profile by name.
 * @throws AppError invalid on field `instanceProfile` when the cluster has no such profile
 */
export function getPreference(identity: KubeIdentity, name: string): Promise<PreferenceInfo> {
  return getCatalogueEntry(identity, kinds.VirtualMachineClusterPreference, name, "instanceProfile", toPreferenceInfo);
}
