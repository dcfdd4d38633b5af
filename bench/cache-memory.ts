/**
 * Benchmark (on demand, not in CI): the memory the shared VM list caches hold per 1,000 VMs, measured
 * in this process with the garbage collector forced (`node --expose-gc`), so that, unlike the
 * portal's RSS in `npm run bench:scale` (which the heap's free space hides), it counts only what is
 * retained: the cached projections of VMInstances and VirtualMachines (lib/server/k8s/watch-cache.ts
 * `cachedKinds`) and the list rows derived from them (lib/server/vms/vms.ts `toVmSummary`), for
 * objects shaped like the ones the API server returns (managedFields, labels, annotations, status).
 *
 * Run: `node --expose-gc --import tsx bench/cache-memory.ts` (BENCH_VMS, default 10000).
 * Target (issue 13): ≤ 20 MiB per 1,000 cached VMs.
 */
import { cachedKinds } from "../lib/server/k8s/watch-cache";
import { toVmSummary } from "../lib/server/vms/vms";
import type { VMInstance, VirtualMachine } from "../lib/server/k8s/objects";

const count = Number(process.env.BENCH_VMS ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

/** A VMInstance as the API server returns it (the fields Cozystack's controllers write included). */
function vmInstance(i: number): VMInstance {
  const name = `bench-${String(i).padStart(5, "0")}`;
  return JSON.parse(JSON.stringify({
    apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance",
    metadata: {
      name, namespace: "tenant-acme", uid: crypto.randomUUID(), resourceVersion: String(100000 + i), generation: 1,
      creationTimestamp: new Date(Date.now() - i * 1000).toISOString(),
      labels: { "apps.cozystack.io/application.kind": "VMInstance", "apps.cozystack.io/application.name": name },
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "x".repeat(600) },
      managedFields: [{ manager: "hikube-portal", operation: "Update", apiVersion: "apps.cozystack.io/v1alpha1", time: new Date().toISOString(), fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:disks": {}, "f:instanceType": {}, "f:runStrategy": {} } } }],
    },
    spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Always", disks: [{ name: `${name}-os` }, { name: `${name}-d1` }],
      sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICwCya3aUe1UjtD3c6DlBrD0jfY1hgXI19BbimEPLGGd alice@laptop"], cloudInit: "#cloud-config\n" + "y".repeat(200), external: false, externalPorts: [22] },
    status: { conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date().toISOString(), reason: "ReconciliationSucceeded", message: "" }] },
  }));
}

/** Its VirtualMachine, with a status as KubeVirt writes it. */
function virtualMachine(i: number): VirtualMachine {
  const name = `vm-instance-bench-${String(i).padStart(5, "0")}`;
  return JSON.parse(JSON.stringify({
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachine",
    metadata: { name, namespace: "tenant-acme", uid: crypto.randomUUID(), resourceVersion: String(200000 + i), creationTimestamp: new Date().toISOString() },
    spec: { runStrategy: "Always", template: { spec: { domain: { devices: {} } } } },
    status: { printableStatus: "Running", ready: true, created: true, conditions: [{ type: "Ready", status: "True" }], volumeSnapshotStatuses: [] },
  }));
}

function heapMiB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const before = heapMiB();
const instances = new Map<string, VMInstance>();
const vms = new Map<string, VirtualMachine>();
for (let i = 0; i < count; i++) {
  const inst = cachedKinds.VMInstance.project(vmInstance(i));
  instances.set(inst.metadata.name, inst);
  const vm = cachedKinds.VirtualMachine.project(virtualMachine(i));
  vms.set(vm.metadata.name, vm);
}
const cached = heapMiB();
const rows = [...instances.values()].map((i) => toVmSummary(i, vms.get(`vm-instance-${i.metadata.name}`)));
const withRows = heapMiB();
const per = (mib: number) => ((mib / count) * 1000).toFixed(2);
console.log(`${count} VMs: cached projections ${per(cached - before)} MiB per 1,000 VMs; with the derived list rows ${per(withRows - before)} MiB per 1,000 (target ≤ 20)`);
console.log(`(kept alive: ${instances.size + vms.size + rows.length} objects)`);
