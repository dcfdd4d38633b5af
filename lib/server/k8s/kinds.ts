/**
 * One descriptor per Kubernetes kind the portal touches, as plain data; REST paths are derived
 * here and nowhere else (the pattern of headlamp's KubeObjectEndpoint).
 */
import { assertKubeName, nameRuleOf } from "./names";

/** Where a kind is served. */
export interface KindDescriptor {
  kind: string;
  group: string; // "" for the core group
  version: string;
  plural: string;
  namespaced: boolean;
}

const describe = (kind: string, group: string, version: string, plural: string, namespaced: boolean): KindDescriptor =>
  ({ kind, group, version, plural, namespaced });

/** The kinds of ../shared/spec/cluster-contract.md ("Resources the portal works with"). */
export const kinds = {
  VMInstance: describe("VMInstance", "apps.cozystack.io", "v1alpha1", "vminstances", true),
  VMDisk: describe("VMDisk", "apps.cozystack.io", "v1alpha1", "vmdisks", true),
  VirtualMachine: describe("VirtualMachine", "kubevirt.io", "v1", "virtualmachines", true),
  VirtualMachineInstance: describe("VirtualMachineInstance", "kubevirt.io", "v1", "virtualmachineinstances", true),
  DataVolume: describe("DataVolume", "cdi.kubevirt.io", "v1beta1", "datavolumes", true),
  VirtualMachineClusterInstancetype: describe("VirtualMachineClusterInstancetype", "instancetype.kubevirt.io", "v1beta1",
    "virtualmachineclusterinstancetypes", false),
  VirtualMachineClusterPreference: describe("VirtualMachineClusterPreference", "instancetype.kubevirt.io", "v1beta1",
    "virtualmachineclusterpreferences", false),
  ResourceQuota: describe("ResourceQuota", "", "v1", "resourcequotas", true),
  Event: describe("Event", "", "v1", "events", true),
  Service: describe("Service", "", "v1", "services", true),
  Namespace: describe("Namespace", "", "v1", "namespaces", false),
  LimitRange: describe("LimitRange", "", "v1", "limitranges", true),
  RoleBinding: describe("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", true),
  StorageClass: describe("StorageClass", "storage.k8s.io", "v1", "storageclasses", false),
  ConfigMap: describe("ConfigMap", "", "v1", "configmaps", true),
  /** CDI's cdi-apiserver (aggregated), create-only: a short-lived token for the upload proxy */
  UploadTokenRequest: describe("UploadTokenRequest", "upload.cdi.kubevirt.io", "v1beta1", "uploadtokenrequests", true),
  /** Cozystack's backup API (backups.cozystack.io/v1alpha1; ../shared/spec/cluster-contract.md "Backups and restores") */
  Plan: describe("Plan", "backups.cozystack.io", "v1alpha1", "plans", true),
  BackupJob: describe("BackupJob", "backups.cozystack.io", "v1alpha1", "backupjobs", true),
  Backup: describe("Backup", "backups.cozystack.io", "v1alpha1", "backups", true),
  RestoreJob: describe("RestoreJob", "backups.cozystack.io", "v1alpha1", "restorejobs", true),
  /** KubeVirt's virt-api subresources of a VirtualMachine (start, stop, restart…): only with `subresource` */
  VirtualMachineSubresources: describe("VirtualMachine", "subresources.kubevirt.io", "v1", "virtualmachines", true),
  /** KubeVirt's virt-api subresources of a VirtualMachineInstance (pause, unpause…): only with `subresource` */
  VirtualMachineInstanceSubresources: describe("VirtualMachineInstance", "subresources.kubevirt.io", "v1", "virtualmachineinstances", true),
} as const;

/** The API version string of a kind, e.g. `apps.cozystack.io/v1alpha1` or `v1`. */
export function apiVersionOf(kind: KindDescriptor): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}

/**
 * The REST path of a kind's collection or of one object.
 * @param opts.namespace required for namespaced kinds
 * @param opts.name an object's name; omitted for the collection
 * @param opts.subresource e.g. `status`; only with a name
 *
 * Every segment is validated first (names.ts `assertKubeName`): the namespace as a DNS-1123
 * label, the name by its kind's rule (DNS-1035 label for VMInstance, DNS-1123 subdomain for most
 * kinds), the subresource as a DNS-1123 label. So no caller can put '/', '.', '..' or an empty
 * name into a path (upstream rules: k8s.io/apimachinery/pkg/util/validation/validation.go).
 * `name: undefined` means the collection; `name: ""` is refused.
 * @throws Error when a namespaced kind gets no namespace (a programming error)
 * @throws AppError invalid (422) on field `namespace`, `name` or `subresource` for a malformed segment
 */
export function resourcePath(kind: KindDescriptor, opts: { namespace?: string; name?: string; subresource?: string } = {}): string {
  const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  if (kind.namespaced && opts.namespace === undefined) throw new Error(`${kind.kind} is namespaced: a namespace is required`);
  if (kind.namespaced) assertKubeName("dns1123Label", opts.namespace, "namespace");
  if (opts.name !== undefined) assertKubeName(nameRuleOf(kind.kind), opts.name, "name");
  if (opts.subresource !== undefined) {
    if (opts.name === undefined) throw new Error(`${kind.kind}: a subresource needs a name`);
    assertKubeName("dns1123Label", opts.subresource, "subresource");
  }
  const ns = kind.namespaced ? `/namespaces/${encodeURIComponent(opts.namespace!)}` : "";
  const name = opts.name !== undefined ? `/${encodeURIComponent(opts.name)}` : "";
  const sub = opts.subresource !== undefined ? `/${opts.subresource}` : "";
  return `${base}${ns}/${kind.plural}${name}${sub}`;
}
