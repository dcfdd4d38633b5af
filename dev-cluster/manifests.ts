/**
 * The objects the local cluster installs (dev and tests only): CustomResourceDefinitions, the
 * instance-type catalogue, RBAC for the tenant levels and the portal, and the seeded tenants.
 *
 * Sources: the Cozystack vm-instance / vm-disk `values.schema.json` (copied from
 * ../shared/spec/cozystack into dev-cluster/cozystack-schemas), ../shared/spec/cluster-contract.md
 * for the tenant levels, KubeVirt's `instancetype.kubevirt.io:view` ClusterRole (readable by every
 * authenticated user) for the catalogue.
 */
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { projectRoot } from "./paths";
import { seedTenants } from "../prisma/seed-data";
import { tenantNamespaceObject, tenantRoleBindings } from "../lib/server/k8s/tenant-objects";
import { quickPicks } from "../lib/shared/disk";

/** A Kubernetes object as plain JSON. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

type JsonSchema = Record<string, unknown>;

/**
 * Turns a Helm `values.schema.json` into a structural OpenAPI v3 schema accepted by a CRD:
 * drops `title`, `$schema` and Cozystack's `x-cozystack-*` UI hints (unknown to JSONSchemaProps),
 * keeps everything else (int-or-string, CEL validations, defaults).
 */
export function toStructuralSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "title" || key === "$schema" || key.startsWith("x-cozystack-")) continue;
    if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, toStructuralSchema(v)]),
      );
    } else if ((key === "items" || key === "additionalProperties") && value && typeof value === "object") {
      out[key] = toStructuralSchema(value as JsonSchema);
    } else if ((key === "anyOf" || key === "allOf" || key === "oneOf") && Array.isArray(value)) {
      out[key] = value.map((v) => toStructuralSchema(v as JsonSchema));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Reads one of the vendored Cozystack schemas, e.g. `vm-instance.values.schema.json`. */
export function readCozystackSchema(file: string): JsonSchema {
  return JSON.parse(fs.readFileSync(path.join(projectRoot, "dev-cluster", "cozystack-schemas", file), "utf8"));
}

const statusSchema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

function crd(opts: {
  group: string; version: string; kind: string; plural: string; singular: string; scope: "Namespaced" | "Cluster";
  spec: JsonSchema; shortNames?: string[]; columns?: { name: string; type: string; jsonPath: string }[];
  /** default preserve-unknown-fields */
  status?: JsonSchema;
  /** default true */
  statusSubresource?: boolean;
  selectableFields?: { jsonPath: string }[];
  required?: string[];
}): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${opts.plural}.${opts.group}` },
    spec: {
      group: opts.group,
      scope: opts.scope,
      names: { kind: opts.kind, plural: opts.plural, singular: opts.singular, listKind: `${opts.kind}List`, shortNames: opts.shortNames },
      versions: [{
        name: opts.version,
        served: true,
        storage: true,
        ...(opts.statusSubresource === false ? {} : { subresources: { status: {} } }),
        additionalPrinterColumns: opts.columns ?? [],
        ...(opts.selectableFields ? { selectableFields: opts.selectableFields } : {}),
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              apiVersion: { type: "string" },
              kind: { type: "string" },
              metadata: { type: "object" },
              spec: opts.spec,
              status: opts.status ?? statusSchema,
            },
            ...(opts.required ? { required: opts.required } : {}),
          },
        },
      }],
    },
  };
}

const openSpec = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

/** CustomResourceDefinitions for the Cozystack application kinds and the KubeVirt/CDI kinds. */
export function customResourceDefinitions(): KubeObject[] {
  const vmInstanceSpec = toStructuralSchema(readCozystackSchema("vm-instance.values.schema.json"));
  const vmDiskSpec = toStructuralSchema(readCozystackSchema("vm-disk.values.schema.json"));
  return [
    crd({ group: "apps.cozystack.io", version: "v1alpha1", kind: "VMInstance", plural: "vminstances", singular: "vminstance",
      scope: "Namespaced", spec: vmInstanceSpec,
      columns: [{ name: "InstanceType", type: "string", jsonPath: ".spec.instanceType" }] }),
    crd({ group: "apps.cozystack.io", version: "v1alpha1", kind: "VMDisk", plural: "vmdisks", singular: "vmdisk",
      scope: "Namespaced", spec: vmDiskSpec,
      columns: [{ name: "Storage", type: "string", jsonPath: ".spec.storage" }] }),
    crd({ group: "kubevirt.io", version: "v1", kind: "VirtualMachine", plural: "virtualmachines", singular: "virtualmachine",
      scope: "Namespaced", spec: openSpec, shortNames: ["vm", "vms"],
      columns: [{ name: "Status", type: "string", jsonPath: ".status.printableStatus" }] }),
    crd({ group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstance", plural: "virtualmachineinstances",
      singular: "virtualmachineinstance", scope: "Namespaced", spec: openSpec, shortNames: ["vmi", "vmis"],
      columns: [{ name: "Phase", type: "string", jsonPath: ".status.phase" }] }),
    crd({ group: "cdi.kubevirt.io", version: "v1beta1", kind: "DataVolume", plural: "datavolumes", singular: "datavolume",
      scope: "Namespaced", spec: openSpec, shortNames: ["dv", "dvs"],
      columns: [{ name: "Phase", type: "string", jsonPath: ".status.phase" }, { name: "Progress", type: "string", jsonPath: ".status.progress" }] }),
    crd({ group: "instancetype.kubevirt.io", version: "v1beta1", kind: "VirtualMachineClusterInstancetype",
      plural: "virtualmachineclusterinstancetypes", singular: "virtualmachineclusterinstancetype", scope: "Cluster",
      spec: openSpec, shortNames: ["vmclusterinstancetype", "vmcf"] }),
    crd({ group: "instancetype.kubevirt.io", version: "v1beta1", kind: "VirtualMachineClusterPreference",
      plural: "virtualmachineclusterpreferences", singular: "virtualmachineclusterpreference", scope: "Cluster",
      spec: openSpec, shortNames: ["vmcp", "vmcps"] }),
  ];
}

// --- backups.cozystack.io/v1alpha1 -----------------------------------------------------------
// Schemas from cozystack/cozystack api/backups/v1alpha1/{backupclass,plan,backupjob,backup,
// restorejob}_types.go (controller-gen output in packages/system/backup-controller/definitions):
// corev1.TypedLocalObjectReference and LocalObjectReference are atomic maps; BackupJob's
// backupClassName is immutable (CEL); Backup has no status subresource; Plan, BackupJob and Backup
// select on spec.applicationRef.{apiGroup,kind,name}; BackupJob and RestoreJob print their phase.
const str = { type: "string" };
const time = { type: "string", format: "date-time" };
const typedRef = {
  type: "object", required: ["kind", "name"], "x-kubernetes-map-type": "atomic",
  properties: { apiGroup: str, kind: str, name: str },
};
const localRef = { type: "object", "x-kubernetes-map-type": "atomic", properties: { name: { type: "string", default: "" } } };
const conditions = { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true } };
const jobStatus = { type: "object", properties: { phase: str, startedAt: time, completedAt: time, message: str, conditions } };
const applicationSelectable = ["apiGroup", "kind", "name"].map((f) => ({ jsonPath: `.spec.applicationRef.${f}` }));
const phaseColumn = [{ name: "Phase", type: "string", jsonPath: ".status.phase" }];

/** The CustomResourceDefinitions of Cozystack's backup API (backups.cozystack.io/v1alpha1). */
export function backupResourceDefinitions(): KubeObject[] {
  const group = "backups.cozystack.io";
  const version = "v1alpha1";
  return [
    crd({ group, version, kind: "BackupClass", plural: "backupclasses", singular: "backupclass", scope: "Cluster", required: ["spec"],
      spec: { type: "object", required: ["strategies"], properties: { strategies: { type: "array", items: {
        type: "object", required: ["strategyRef", "application"],
        properties: {
          strategyRef: typedRef,
          application: { type: "object", required: ["kind"], properties: { apiGroup: str, kind: str } },
          parameters: { type: "object", additionalProperties: str },
        },
      } } } },
      status: { type: "object", properties: { conditions } } }),
    crd({ group, version, kind: "Plan", plural: "plans", singular: "plan", scope: "Namespaced", required: ["spec"],
      selectableFields: applicationSelectable,
      spec: { type: "object", required: ["applicationRef", "backupClassName", "schedule"], properties: {
        applicationRef: typedRef, backupClassName: str,
        schedule: { type: "object", properties: { type: str, cron: str } },
      } },
      status: { type: "object", properties: { conditions } } }),
    crd({ group, version, kind: "BackupJob", plural: "backupjobs", singular: "backupjob", scope: "Namespaced", required: ["spec"],
      selectableFields: applicationSelectable, columns: phaseColumn,
      spec: { type: "object", required: ["applicationRef", "backupClassName"], properties: {
        planRef: localRef, applicationRef: typedRef,
        backupClassName: { type: "string", minLength: 1, "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "backupClassName is immutable" }] },
      } },
      status: { type: "object", properties: { ...jobStatus.properties, backupRef: localRef } } }),
    crd({ group, version, kind: "Backup", plural: "backups", singular: "backup", scope: "Namespaced", required: ["spec"],
      statusSubresource: false, selectableFields: applicationSelectable,
      spec: { type: "object", required: ["applicationRef", "strategyRef", "takenAt"], properties: {
        applicationRef: typedRef, planRef: localRef, strategyRef: typedRef, takenAt: time,
        driverMetadata: { type: "object", additionalProperties: str },
      } },
      status: { type: "object", properties: {
        phase: str, conditions,
        artifact: { type: "object", required: ["uri"], properties: { uri: str, sizeBytes: { type: "integer", format: "int64" }, checksum: str } },
        underlyingResources: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      } } }),
    crd({ group, version, kind: "RestoreJob", plural: "restorejobs", singular: "restorejob", scope: "Namespaced", required: ["spec"],
      columns: phaseColumn,
      spec: { type: "object", required: ["backupRef"], properties: {
        backupRef: localRef, targetApplicationRef: typedRef,
        options: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      } },
      status: jobStatus }),
  ];
}

/**
 * Cozystack's `cozy-default` BackupClass (packages/system/backupstrategy-controller/templates/
 * backupclass-default.yaml): VMInstance and VMDisk go to the Velero strategies
 * `cozy-default-velero-vminstance` / `-vmdisk` (strategy.backups.cozystack.io; here the stand-in's
 * ./standin/backups.ts plays Velero).
 */
export function backupClasses(): KubeObject[] {
  const strategy = (kind: string, name: string) => ({
    application: { apiGroup: "apps.cozystack.io", kind },
    strategyRef: { apiGroup: "strategy.backups.cozystack.io", kind: "Velero", name },
  });
  return [{
    apiVersion: "backups.cozystack.io/v1alpha1", kind: "BackupClass", metadata: { name: "cozy-default" },
    spec: { strategies: [strategy("VMInstance", "cozy-default-velero-vminstance"), strategy("VMDisk", "cozy-default-velero-vmdisk")] },
  }];
}

/** The instance types and OS preferences of dev-cluster/manifests/*.yaml. */
export function catalogue(): KubeObject[] {
  return ["instancetypes.yaml", "preferences.yaml"].flatMap((file) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(projectRoot, "dev-cluster", "manifests", file), "utf8"))
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null),
  );
}

const readVerbs = ["get", "list", "watch"];
const writeVerbs = ["create", "update", "patch", "delete"];

/** The tenant levels, lowest first (../shared/spec/cluster-contract.md, "Tenancy and access"). */
export const tenantLevels = ["view", "use", "admin", "super-admin"] as const;

/**
 * ClusterRoles for the tenant levels, bound per namespace. Each level includes the one below.
 * Tenant roles deliberately cannot read VirtualMachine, VirtualMachineInstance or DataVolume: the
 * portal reads those with its own identity after its gate checked the user's level.
 */
export function rbac(): KubeObject[] {
  // Cozystack's backup roles (packages/system/backup-controller/templates/tenant-clusterroles.yaml),
  // labelled to aggregate into tenant view and admin. The local cluster runs no
  // kube-controller-manager (whose clusterrole-aggregation controller would fold them in), so their
  // rules are folded into the tenant levels here; the labelled roles exist as upstream.
  const backupResources = ["plans", "backupjobs", "restorejobs"];
  const backupView = [{ apiGroups: ["backups.cozystack.io"], resources: [...backupResources, "backups", "backupclasses"], verbs: readVerbs }];
  const backupAdmin = [{ apiGroups: ["backups.cozystack.io"], resources: backupResources, verbs: writeVerbs }];
  const view = [
    { apiGroups: ["apps.cozystack.io"], resources: ["vminstances", "vmdisks"], verbs: readVerbs },
    { apiGroups: [""], resources: ["events", "resourcequotas", "limitranges"], verbs: readVerbs },
    ...backupView,
  ];
  const use = [
    ...view,
    { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachineinstances/console", "virtualmachineinstances/vnc"], verbs: ["get"] },
    { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart"], verbs: ["update"] },
    // As KubeVirt's kubevirt.io:edit ClusterRole (pkg/virt-operator/resource/generate/rbac/cluster.go).
    { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachineinstances/pause", "virtualmachineinstances/unpause"], verbs: ["update"] },
  ];
  const admin = [
    ...use,
    { apiGroups: ["apps.cozystack.io"], resources: ["vminstances", "vmdisks"], verbs: writeVerbs },
    { apiGroups: ["cdi.kubevirt.io"], resources: ["datavolumes/source", "uploadtokenrequests"], verbs: ["create"] },
    // CDI serves UploadTokenRequests in upload.cdi.kubevirt.io (cdi-apiserver, aggregated).
    { apiGroups: ["upload.cdi.kubevirt.io"], resources: ["uploadtokenrequests"], verbs: ["create"] },
    ...backupAdmin,
  ];
  const superAdmin = [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }];
  const rulesByLevel = { view, use, admin, "super-admin": superAdmin };
  const clusterRole = (name: string, rules: unknown[]): KubeObject =>
    ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules });
  const clusterRoleBinding = (name: string, role: string, subjects: unknown[]): KubeObject => ({
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role }, subjects,
  });
  const labelled = (name: string, label: string, rules: unknown[]): KubeObject =>
    ({ ...clusterRole(name, rules), metadata: { name, labels: { [label]: "true" } } });
  return [
    ...tenantLevels.map((level) => clusterRole(`hikube:tenant:${level}`, rulesByLevel[level])),
    labelled("cozy:backups:view", "rbac.cozystack.io/aggregate-to-tenant-view", backupView),
    labelled("cozy:backups:admin", "rbac.cozystack.io/aggregate-to-tenant-admin", backupAdmin),
    // KubeVirt ships instancetype.kubevirt.io:view bound to system:authenticated: the catalogue is public.
    clusterRole("instancetype.kubevirt.io:view", [{ apiGroups: ["instancetype.kubevirt.io"],
      resources: ["virtualmachineclusterinstancetypes", "virtualmachineclusterpreferences"], verbs: readVerbs }]),
    clusterRoleBinding("instancetype.kubevirt.io:view", "instancetype.kubevirt.io:view",
      [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }]),
    // Platform admins, as in Cozystack.
    clusterRoleBinding("cozystack-cluster-admin", "cluster-admin",
      [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "cozystack-cluster-admin" }]),
    // The portal's own identity: impersonation, read-only access to the status objects that tenant
    // roles cannot read (the portal's gate checks the user's level before such a read), and to the
    // tenant applications for the shared list caches (each user checked by a SubjectAccessReview).
    clusterRole("hikube:portal", [
      { apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] },
      { apiGroups: ["kubevirt.io"], resources: ["virtualmachines", "virtualmachineinstances"], verbs: readVerbs },
      { apiGroups: ["cdi.kubevirt.io"], resources: ["datavolumes"], verbs: readVerbs },
      // The shared list caches (lib/server/k8s/watch-cache.ts): one list+watch per tenant and kind,
      // served to a user only after a SubjectAccessReview for that user (k8s/access-review.ts).
      { apiGroups: ["apps.cozystack.io"], resources: ["vminstances", "vmdisks"], verbs: readVerbs },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
      // The VM page shows an external VM's load-balancer address (Service vm-instance-X status).
      { apiGroups: [""], resources: ["services"], verbs: readVerbs },
      // The create-disk form offers the cluster's StorageClasses (names only; not tenant data).
      { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: readVerbs },
      // Where CDI's upload proxy is (ConfigMap cdi/cdi-uploadproxy; CDIConfig status.uploadProxyURL upstream).
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["cdi-uploadproxy"], verbs: ["get"] },
    ]),
    clusterRoleBinding("hikube:portal", "hikube:portal",
      [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "hikube-portal" }]),
  ];
}

/**
 * StorageClasses of the product documents (000: replicated, local; replicated is Cozystack's
 * default, annotated `storageclass.kubernetes.io/is-default-class`). The local cluster has no
 * volume provisioner: the stand-in only records the class on the DataVolume.
 */
export function storageClasses(): KubeObject[] {
  const storageClass = (name: string, isDefault: boolean, description: string): KubeObject => ({
    apiVersion: "storage.k8s.io/v1", kind: "StorageClass",
    metadata: { name, annotations: { "storageclass.kubernetes.io/is-default-class": String(isDefault), "hikube.io/description": description } },
    provisioner: "hikube.io/standin", reclaimPolicy: "Delete", volumeBindingMode: "Immediate", allowVolumeExpansion: true,
  });
  return [
    storageClass("replicated", true, "Replicated across the three datacenters (high availability)"),
    storageClass("local", false, "Local to the node (high performance, no replication)"),
  ];
}

/** Namespace `tenant-<name>` and one RoleBinding per level to group `tenant-<name>-<level>` (as the portal's admin side makes them). */
export function tenantObjects(name: string): KubeObject[] {
  return [tenantNamespaceObject(name), ...tenantRoleBindings(name)];
}

/** Everything the seeded tenants need. */
export function seededTenantObjects(): KubeObject[] {
  return seedTenants.flatMap((t) => tenantObjects(t.name));
}

/**
 * Golden images, laid out as in Cozystack: DataVolume `vm-image-<name>` in namespace `cozy-public`
 * (a VMDisk with `source.image.name: <name>` clones it). URLs from the API reference (003).
 */
export function goldenImages(): KubeObject[] {
  // Golden image name → the documented image (lib/shared/disk.ts quick picks): its URL, and its
  // minimum size as the DataVolume's size, as an imported image's volume would be.
  const images: Record<string, string> = {
    ubuntu: "ubuntu-24.04",
    "ubuntu-jammy": "ubuntu-22.04",
    "centos-stream9": "centos-stream-9",
    rocky: "rocky-9",
    fedora: "fedora-40",
    alpine: "alpine-3.20",
    cirros: "cirros-0.6.2",
  };
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "cozy-public" } },
    ...Object.entries(images).map(([name, pickId]): KubeObject => {
      const pick = quickPicks.find((p) => p.id === pickId)!;
      return {
        apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume",
        metadata: { name: `vm-image-${name}`, namespace: "cozy-public" },
        spec: { source: { http: { url: pick.url } }, storage: { resources: { requests: { storage: pick.minStorage } } } },
      };
    }),
  ];
}
