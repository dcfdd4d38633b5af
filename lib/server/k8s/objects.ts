/**
 * TypeScript shapes of the Kubernetes objects the portal reads, reduced to the fields it uses.
 * Sources: ../shared/spec/cluster-contract.md and the Cozystack/KubeVirt/CDI types it names.
 */

/** Standard object metadata (subset). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Kubernetes condition. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
}

/** A list answer. */
export interface KubeList<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

/** `apps.cozystack.io/v1alpha1` VMInstance (spec = the chart's values). */
export interface VMInstance {
  apiVersion: "apps.cozystack.io/v1alpha1";
  kind: "VMInstance";
  metadata: ObjectMeta;
  spec: {
    instanceType?: string;
    instanceProfile?: string;
    disks?: { name: string; bus?: string }[];
    runStrategy?: string;
    /** v0.38 schema only */
    running?: boolean;
    external?: boolean;
    externalMethod?: string;
    externalPorts?: number[];
    sshKeys?: string[];
    cloudInit?: string;
    /** the VM's size when `instanceType` is empty: cores per socket, sockets, memory (int-or-string) */
    resources?: { cpu?: number | string; sockets?: number | string; memory?: number | string };
    /** other fields of the schema (networks, gpus, cpuModel…), kept as they are */
    [field: string]: unknown;
  };
  status?: { conditions?: Condition[] };
}

/** `apps.cozystack.io/v1alpha1` VMDisk. */
export interface VMDisk {
  apiVersion: "apps.cozystack.io/v1alpha1";
  kind: "VMDisk";
  metadata: ObjectMeta;
  spec: {
    source?: { http?: { url: string }; image?: { name: string }; upload?: Record<string, never>; disk?: { name: string } };
    optical?: boolean;
    storage?: string;
    storageClass?: string;
  };
  status?: { conditions?: Condition[] };
}

/** `kubevirt.io/v1` VirtualMachine (status subset). */
export interface VirtualMachine {
  metadata: ObjectMeta;
  spec?: { runStrategy?: string };
  status?: { printableStatus?: string; ready?: boolean; conditions?: Condition[] };
}

/** `instancetype.kubevirt.io/v1beta1` VirtualMachineClusterInstancetype (subset). */
export interface VirtualMachineClusterInstancetype {
  metadata: ObjectMeta;
  spec: { cpu: { guest: number }; memory: { guest: string } };
}

/** `instancetype.kubevirt.io/v1beta1` VirtualMachineClusterPreference (subset). */
export interface VirtualMachineClusterPreference {
  metadata: ObjectMeta;
  spec: { requirements?: { cpu?: { guest?: number }; memory?: { guest?: string } } };
}

/** `cdi.kubevirt.io/v1beta1` DataVolume (subset). */
export interface DataVolume {
  metadata: ObjectMeta;
  spec?: { storage?: { resources?: { requests?: { storage?: string } }; storageClassName?: string }; pvc?: { resources?: { requests?: { storage?: string } } } };
  /** `progress` is "N/A" or e.g. "45.23%"; `restartCount` counts importer pod restarts */
  status?: { phase?: string; progress?: string; restartCount?: number; conditions?: Condition[] };
}

/** `storage.k8s.io/v1` StorageClass (subset). */
export interface StorageClass {
  metadata: ObjectMeta;
  provisioner?: string;
}

/** core/v1 ConfigMap (subset). */
export interface ConfigMap {
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

/** One event of a watch stream. */
export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}
