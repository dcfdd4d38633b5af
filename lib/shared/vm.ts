/**
 * VM shapes shared by the browser and the server: the create form's input schema (zod), the list
 * rows and the catalogue entries. Field names follow the Cozystack VMInstance schema
 * (../shared/spec/cozystack/vm-instance.values.schema.json).
 */
import { z } from "zod";
import YAML from "yaml";
import { parseQuantity, quantityPattern } from "./quantity";
import { problem, type ErrorParams, type ValidationProblem } from "./api-errors";

/** A DNS-1035 label: lowercase letters, digits and '-', starting with a letter, not ending with '-'. */
export const dns1035Pattern = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** VMInstance names: at most 41 characters (53-character Helm release names minus `vm-instance-`). */
export const vmNameMaxLength = 41;

/** VMDisk names: at most 45 characters (53 minus `vm-disk-`). */
export const diskNameMaxLength = 45;

/** Run strategies of the current VMInstance schema. */
export const runStrategies = ["Always", "Halted", "Manual", "RerunOnFailure", "Once"] as const;

/** The VMDisk name of new data disk `index` (0-based) of VM `vm`: `<vm>-d1`… (41 + 3 ≤ 45). */
export const dataDiskName = (vm: string, index: number) => `${vm}-d${index + 1}`;

/** The suffix of the root disk the create form makes for VM `X`: VMDisk `X-os` (41 + 3 ≤ 45). */
export const rootDiskSuffix = "-os";

/**
 * An OpenSSH public key line: `<type> <base64> [comment]`. The server parses it fully (sshpk);
 * this shape check gives the form an early answer.
 */
export const sshKeyPattern =
  /^(ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;

/**
 * Checks cloud-init user-data: empty, a `#!` script, or `#cloud-config` followed by a YAML mapping.
 * @returns the problem (a `Validation` message key and its params: `cloudInitStart`,
 *   `cloudInitMapping`, `cloudInitYamlAt` {line, column, detail} or `cloudInitYaml` {detail}, where
 *   `detail` is the first line of the yaml library's own message), or null when valid
 */
export function checkCloudInit(text: string): { problem: ValidationProblem; params: ErrorParams } | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (trimmed.startsWith("#!")) return null;
  if (!trimmed.startsWith("#cloud-config")) return { problem: "cloudInitStart", params: {} };
  try {
    const doc = YAML.parse(trimmed);
    if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) return { problem: "cloudInitMapping", params: {} };
  } catch (err) {
    const e = err as { message?: string; linePos?: { line: number; col: number }[] };
    const pos = e.linePos?.[0];
    const detail = (e.message ?? "").split("\n")[0];
    return pos ? { problem: "cloudInitYamlAt", params: { line: pos.line, column: pos.col, detail } } : { problem: "cloudInitYaml", params: { detail } };
  }
  return null;
}

const vmName = z
  .string()
  .min(1, problem("required"))
  .max(vmNameMaxLength, problem("maxChars"))
  .regex(dns1035Pattern, problem("dnsLabel"));

const httpUrl = z
  .string()
  .url(problem("url"))
  .refine((u) => /^https?:$/.test(new URL(u).protocol), problem("httpUrl"));

/** The root disk of a new VM: a VMDisk created first from a golden image or an HTTP(S) URL. */
export const rootDiskSchema = z.object({
  source: z.discriminatedUnion("type", [
    z.object({ type: z.literal("image"), name: z.string().min(1, problem("required")).regex(dns1035Pattern, problem("notValidName", { what: "image" })) }),
    z.object({ type: z.literal("http"), url: httpUrl }),
  ]),
  /** A quantity, e.g. "20Gi". */
  storage: z.string().regex(quantityPattern, problem("sizeLike", { example: "20Gi" })).default("20Gi"),
});

/**
 * A VMInstance's custom size, used when no instance type is chosen (the chart's
 * `virtual-machine.domainResources`, cozystack/cozystack packages/apps/vm-instance/templates/_helpers.tpl):
 * `cpu` is cores per socket and `sockets` the socket count, so the guest has `cpu × sockets` vCPUs;
 * `memory` is a quantity such as "4Gi". The chart needs all three when `instanceType` is empty
 * ("Either instanceType or resources (cpu, sockets, memory) must be specified", templates/vm.yaml)
 * and refuses anything but positive whole numbers for `cpu` and `sockets`.
 */
export const vmResourcesSchema = z.object({
  cpu: z.number({ message: problem("number") }).int(problem("integer")).min(1, problem("minValue")).max(64, problem("maxValue")),
  sockets: z.number({ message: problem("number") }).int(problem("integer")).min(1, problem("minValue")).max(16, problem("maxValue")),
  memory: z.string().regex(quantityPattern, problem("sizeLike", { example: "4Gi" }))
    .refine((q) => parseQuantity(q) >= 128 * 1024 * 1024, problem("minValue", { min: "128Mi" })),
});

/** A VM's custom size (see {@link vmResourcesSchema}). */
export type VmResources = z.infer<typeof vmResourcesSchema>;

/** The vCPUs a custom size gives: cores per socket × sockets. */
export const resourcesCpu = (r: Pick<VmResources, "cpu" | "sockets">) => r.cpu * r.sockets;

/**
 * Input of `POST /api/tenants/{tenant}/vms`. Errors name the field (zod path). `instanceType: ""`
 * with `resources` sizes the VM by hand (the VMInstance schema's override).
 */
export const createVmSchema = z.object({
  name: vmName,
  instanceType: z.string().max(253),
  resources: vmResourcesSchema.optional(),
  instanceProfile: z.string().min(1, problem("required")),
  rootDisk: rootDiskSchema,
  sshKeys: z.array(z.string().trim().regex(sshKeyPattern, problem("sshKeyShape"))).max(32).default([]),
  cloudInit: z
    .string()
    .max(64 * 1024, problem("maxValue", { max: { bytes: 64 * 1024 } }))
    .default("")
    .superRefine((text, ctx) => {
      const found = checkCloudInit(text);
      if (found) ctx.addIssue({ code: "custom", message: problem(found.problem, found.params) });
    }),
  external: z.boolean().default(false),
  externalPorts: z
    .array(z.number({ message: problem("number") }).int(problem("integer"))
      .min(1, problem("between", { min: 1, max: 65535 })).max(65535, problem("between", { min: 1, max: 65535 })))
    .max(64)
    .superRefine((ports, ctx) => {
      if (new Set(ports).size !== ports.length) ctx.addIssue({ code: "custom", message: problem("portOnce") });
    })
    .default([22]),
  runStrategy: z.enum(runStrategies).default("Always"),
  /** New blank data disks, created as VMDisks `<name>-d1`, `<name>-d2`… after the root disk. */
  dataDisks: z
    .array(z.object({
      storage: z.string().regex(quantityPattern, problem("sizeLike", { example: "20Gi" })),
      storageClass: z.string().min(1, problem("required")).default("replicated"),
    }))
    .max(4, problem("atMostDataDisks"))
    .default([]),
  /** Existing disks of the tenant (data disks, an optical ISO) attached after the others, in this order. */
  disks: z
    .array(z.string().max(diskNameMaxLength, problem("maxChars")).regex(dns1035Pattern, problem("notDiskName")))
    .max(8, problem("atMostDisks"))
    .default([]),
}).superRefine((v, ctx) => {
  if (v.instanceType === "" && !v.resources) ctx.addIssue({ code: "custom", path: ["instanceType"], message: problem("requiredOrResources") });
  if (v.instanceType && v.resources) ctx.addIssue({ code: "custom", path: ["resources"], message: problem("resourcesWithType") });
});

/** External access methods of the VMInstance schema (`externalMethod`). */
export const externalMethods = ["PortList", "WholeIP"] as const;

/**
 * Input of `PATCH /api/tenants/{tenant}/vms/{name}` (the edit form): the fields to change, each
 * optional, and the VMInstance's `resourceVersion` the form was filled from (a concurrent change
 * answers 409 instead of being overwritten). `instanceType: ""` with `resources` sizes the VM by
 * hand; choosing an instance type drops `resources`. Errors name the field.
 */
export const editVmSchema = z.object({
  resourceVersion: z.string().min(1, problem("required")).max(64),
  instanceType: z.string().max(253).optional(),
  resources: vmResourcesSchema.optional(),
  instanceProfile: z.string().min(1, problem("required")).max(253).optional(),
  sshKeys: createVmSchema.shape.sshKeys.unwrap().optional(),
  cloudInit: createVmSchema.shape.cloudInit.unwrap().optional(),
  external: z.boolean().optional(),
  externalMethod: z.enum(externalMethods).optional(),
  externalPorts: createVmSchema.shape.externalPorts.unwrap().optional(),
  runStrategy: z.enum(runStrategies).optional(),
}).superRefine((v, ctx) => {
  if (v.instanceType === "" && !v.resources) ctx.addIssue({ code: "custom", path: ["resources"], message: problem("requiredWithoutType") });
  if (v.instanceType && v.resources) ctx.addIssue({ code: "custom", path: ["resources"], message: problem("resourcesWithType") });
});

/** Parsed input of a VM edit. */
export type EditVmInput = z.infer<typeof editVmSchema>;

/** The editable part of a VM as the edit form shows it (`GET /api/tenants/{tenant}/vms/{name}` → `spec`). */
export interface VmEditableSpec {
  instanceType: string;
  resources?: VmResources;
  instanceProfile: string;
  sshKeys: string[];
  cloudInit: string;
  external: boolean;
  externalMethod: (typeof externalMethods)[number];
  externalPorts: number[];
  runStrategy: string;
}

/**
 * What a VM edit answers: the fields that changed, each as `field: before → after` (also the audit
 * row's summary), and whether the change waits for a restart (a running VM's size changed).
 */
export interface VmEditResult {
  changed: string[];
  restartRequired: boolean;
  resourceVersion: string;
}

/** Parsed input of a VM create. */
export type CreateVmInput = z.infer<typeof createVmSchema>;
/** Raw input of a VM create, as the form sends it. */
export type CreateVmRequest = z.input<typeof createVmSchema>;

/** One row of the VM list. */
export interface VmSummary {
  name: string;
  instanceType: string;
  instanceProfile: string;
  runStrategy: string;
  /** VirtualMachine `status.printableStatus` when present, else derived from the VMInstance conditions. */
  powerState: string;
  /** The message of a failing VMInstance condition, if any. */
  message?: string;
  disks: string[];
  external: boolean;
  /** ISO 8601 */
  createdAt: string;
  /** The VMInstance's resourceVersion, to drop stale watch events. */
  resourceVersion: string;
}

/** An instance type of the cluster catalogue (VirtualMachineClusterInstancetype). */
export interface InstanceTypeInfo {
  name: string;
  /** Series, e.g. "U": the `hikube.io/series` label, else the name's prefix (`u1.` → U), else "Other". */
  series: string;
  seriesDisplayName: string;
  cpu: number;
  /** bytes */
  memoryBytes: number;
  /** e.g. "1:4" (vCPU : GiB) */
  ratio: string;
}

/** An OS profile of the cluster catalogue (VirtualMachineClusterPreference). */
export interface PreferenceInfo {
  name: string;
  displayName: string;
  osType: string;
  /** vCPU the OS requires, 0 when unspecified */
  requiredCpu: number;
  /** bytes the OS requires, 0 when unspecified */
  requiredMemoryBytes: number;
}

/** The catalogue the create form offers. */
export interface Catalogue {
  instanceTypes: InstanceTypeInfo[];
  preferences: PreferenceInfo[];
  /** golden image names offered for root disks */
  images: string[];
  /** each golden image's size in bytes: a disk made from it cannot be smaller */
  imageBytes?: Record<string, number>;
}

/**
 * Why `preference` cannot run on `instanceType`, or null when it fits
 * (KubeVirt rejects a VM whose preference requirements exceed its instance type).
 */
export function preferenceMismatch(instanceType: InstanceTypeInfo, preference: PreferenceInfo): { resource: "cpu" | "memory"; required: number; offered: number } | null {
  if (preference.requiredCpu > instanceType.cpu) return { resource: "cpu", required: preference.requiredCpu, offered: instanceType.cpu };
  if (preference.requiredMemoryBytes > instanceType.memoryBytes) {
    return { resource: "memory", required: preference.requiredMemoryBytes, offered: instanceType.memoryBytes };
  }
  return null;
}

/**
 * The Overview tab of the VM page (part of `GET /api/tenants/{tenant}/vms/{name}`). Built by
 * lib/server/vms/overview.ts from the VMInstance, its VirtualMachine, VirtualMachineInstance,
 * Service and DataVolumes.
 */
export interface VmOverview {
  /**
   * Why the VM is not (yet) running as asked: the first failing condition of the VMInstance, the
   * VirtualMachine or one of its DataVolumes, or a DataVolume's Failed phase. Absent when all is well.
   */
  problem?: { source: "VMInstance" | "VirtualMachine" | "DataVolume"; object: string; reason: string; message: string };
  /** KubeVirt's `RestartRequired` condition on the VirtualMachine: a change waits for a restart. */
  restartRequired: boolean;
  /** the guest's addresses from the VirtualMachineInstance's interfaces (empty while stopped) */
  ipAddresses: string[];
  /** external access when `spec.external`; `ip` is the Service's load-balancer address once assigned */
  external?: { method: "PortList" | "WholeIP"; ports: number[]; ip?: string };
  /** a command to copy, e.g. `ssh ubuntu@192.0.2.7` (external IP first, else the guest's address) */
  sshCommand?: string;
  /** the node running the guest */
  node?: string;
  /** ISO 8601: when the VirtualMachineInstance reached Running */
  startedAt?: string;
  /** the instance type and its sizes (cpu in vCPUs, memory in bytes), when the catalogue has it */
  instanceType?: { name: string; cpu: number; memoryBytes: number };
  /** the OS profile (preference) and its display name */
  preference?: { name: string; displayName: string };
  runStrategy: string;
}

/** One row of the VM page's Events tab (`GET /api/tenants/{tenant}/vms/{name}/events`). */
export interface VmEvent {
  /** the Event's uid */
  id: string;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** how many times it happened */
  count: number;
  /** the object it is about, e.g. `{ kind: "VirtualMachine", name: "vm-instance-web" }` */
  object: { kind: string; name: string };
  /** ISO 8601, when first seen (absent for events.k8s.io-style events) */
  firstSeen?: string;
  /** ISO 8601, when last seen */
  lastSeen: string;
}

/** Orders VM events newest first (by parsed time: the producers' precisions differ), then by id. */
export function compareVmEvents(a: VmEvent, b: VmEvent): number {
  const time = (iso: string) => Date.parse(iso) || 0;
  return time(b.lastSeen) - time(a.lastSeen) || a.id.localeCompare(b.id);
}
