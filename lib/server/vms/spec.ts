/**
 * Readings of a VMInstance spec, pure: the VM's size (the instance type's, or the custom
 * `resources`) and the edit form's view. No imports of other domains, so the quota
 * (quota/quota.ts), the VM page (vm-disks.ts) and the edit path (update.ts) share it.
 */
import type { VMInstance } from "../k8s/objects";
import { parseQuantity } from "../../shared/quantity";
import type { VmEditableSpec } from "../../shared/vm";

type Spec = VMInstance["spec"];

/** A VM's size: vCPUs and memory in bytes. */
export interface VmSize {
  cpu: number;
  memoryBytes: number;
}

/**
 * Reads a whole number from an int-or-string field (`resources.cpu`, `resources.sockets`); a
 * leading zero is refused, as the chart does (YAML reads `010` as octal 8).
 * @returns the number, or NaN when it is not a positive whole number
 */
export function wholeNumber(v: unknown): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^[1-9]\d*$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : NaN;
}

/**
 * The size a spec gives its VM: the instance type's, or `resources` (cores per socket × sockets,
 * memory) when no instance type is named (the chart's `virtual-machine.domainResources`).
 * @param typeSize the named instance type's size, when there is one
 * @returns null when neither tells a size (a type the catalogue lost, incomplete resources)
 */
export function specSize(spec: Spec, typeSize?: VmSize): VmSize | null {
  if (spec.instanceType) return typeSize ?? null;
  const r = spec.resources;
  if (!r) return null;
  const cpu = wholeNumber(r.cpu) * wholeNumber(r.sockets);
  let memoryBytes = NaN;
  try {
    memoryBytes = r.memory === undefined ? NaN : parseQuantity(r.memory);
  } catch {
    /* not a quantity */
  }
  return Number.isFinite(cpu) && Number.isFinite(memoryBytes) ? { cpu, memoryBytes } : null;
}


/** The edit form's view of a VMInstance spec (defaults of the VMInstance schema filled in). */
export function toEditableSpec(spec: Spec): VmEditableSpec {
  const size = spec.instanceType ? null : specSize(spec);
  const r = spec.resources;
  return {
    instanceType: spec.instanceType ?? "",
    ...(size && r ? { resources: { cpu: wholeNumber(r.cpu), sockets: wholeNumber(r.sockets), memory: String(r.memory) } } : {}),
    instanceProfile: spec.instanceProfile ?? "",
    sshKeys: spec.sshKeys ?? [],
    cloudInit: spec.cloudInit ?? "",
    external: Boolean(spec.external),
    externalMethod: spec.externalMethod === "WholeIP" ? "WholeIP" : "PortList",
    externalPorts: spec.externalPorts ?? [22],
    runStrategy: spec.runStrategy ?? (spec.running === false ? "Halted" : "Always"),
  };
}

