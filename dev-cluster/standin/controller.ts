/**
 * The KubeVirt/Cozystack stand-in's controller (dev and tests only, never product logic).
 *
 * It plays the parts the real platform plays behind the portal:
 * - Cozystack's vm-instance chart: VMInstance `X` → VirtualMachine `vm-instance-X` (instancetype,
 *   preference, disks in boot order, run strategy) and, when external, a LoadBalancer Service
 *   `vm-instance-X` with `port-<n>` ports; the chart's render-time checks become the VMInstance's
 *   `Ready=False` condition with the chart's message (cozystack/cozystack
 *   packages/apps/vm-instance/templates/vm.yaml: "Specified instanceType does not exist in the
 *   cluster: %s", "Specified instanceProfile does not exist in the cluster: %s");
 * - KubeVirt's virt-controller: a VirtualMachine runs or not by `spec.runStrategy`;
 *   `status.printableStatus` moves Provisioning → Starting → Running and Stopping → Stopped; a
 *   VirtualMachineInstance exists while it runs, with `status.interfaces[].ipAddress` and
 *   `status.nodeName`; a VM that cannot get a guest (the pool is full) is ErrorUnschedulable.
 *
 * Guests are real QEMU processes behind {@link GuestRuntime}. The VirtualMachine's run strategy
 * follows the VMInstance's only when the VMInstance's changes (remembered in an annotation), so a
 * stop through `subresources.kubevirt.io` (which rewrites the VM's run strategy, as KubeVirt does)
 * is not undone by the next VMInstance event.
 */
import { request, type AdminClient } from "../kube";
import { inform, type InformedObject } from "./informer";
import { workQueue } from "./work-queue";

/** What a guest is started with. */
export interface GuestSpec {
  /** the VMI's name, which KubeVirt also uses as the guest's hostname */
  hostname: string;
  userData: string;
  sshKeys: string[];
}

/** The QEMU side, as the controller needs it. `key` is `namespace/vmi-name`. */
export interface GuestRuntime {
  /** @throws an Error with `code === "capacity"` when no more guests may run */
  start(key: string, spec: GuestSpec): Promise<void>;
  stop(key: string): Promise<void>;
  isRunning(key: string): boolean;
  /** called when a guest's process ends by itself (guest poweroff, crash) */
  onExit(listener: (key: string) => void): void;
}

/** A running controller. */
export interface Controller {
  /** virt-api's lifecycle hooks (restart, Manual run strategy) */
  restart(namespace: string, vmName: string): Promise<void>;
  setManualRunning(namespace: string, vmName: string, running: boolean): Promise<void>;
  isRunning(namespace: string, vmName: string): boolean;
  stop(): Promise<void>;
}

/** Objects of several kinds, read as loosely typed JSON (the stand-in reads only a few fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Obj = InformedObject & { spec?: Record<string, Json>; status?: Record<string, Json> };

const runStrategyAnnotation = "hikube.io/instance-run-strategy";
const nodeName = "hikube-dev-node";

/** A stable pod-network-looking address for a VMI, e.g. 10.244.17.42. */
export function ipFor(key: string): string {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `10.244.${(h >>> 8) & 255}.${(h & 253) + 2}`;
}

function paths(ns: string) {
  return {
    vmInstance: (n = "") => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances${n ? `/${n}` : ""}`,
    vmDisk: (n: string) => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vmdisks/${n}`,
    vm: (n = "") => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines${n ? `/${n}` : ""}`,
    vmi: (n = "") => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances${n ? `/${n}` : ""}`,
    service: (n = "") => `/api/v1/namespaces/${ns}/services${n ? `/${n}` : ""}`,
  };
}

/**
 * Starts the controller: informs about VMInstances and VirtualMachines in every namespace and
 * reconciles each object one at a time per key.
 */
export async function startController(opts: { admin: AdminClient; guests: GuestRuntime; log?: (line: string) => void }): Promise<Controller> {
  const { admin, guests } = opts;
  const log = opts.log ?? (() => {});
  const abort = new AbortController();
  const manualRunning = new Set<string>();
  const onceDone = new Set<string>();

  const get = async (path: string): Promise<Obj | null> => {
    const res = await request(admin, "GET", path);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.slice(0, 200)}`);
    return JSON.parse(res.body);
  };
  const send = async (method: string, path: string, body: unknown, contentType = "application/json"): Promise<Obj | null> => {
    const res = await request(admin, method, path, JSON.stringify(body), contentType);
    if (res.status === 404 && method === "DELETE") return null;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    return res.body ? JSON.parse(res.body) : null;
  };
  const apply = (path: string, obj: unknown) =>
    send("PATCH", `${path}?fieldManager=hikube-standin&force=true`, obj, "application/apply-patch+yaml");
  const mergeStatus = (path: string, status: unknown) => send("PATCH", `${path}/status`, { status }, "application/merge-patch+json");
  const remove = async (path: string) => {
    await request(admin, "DELETE", path);
  };
  /** A core/v1 Event about `obj`, as the real controllers record them (best effort). */
  const recordEvent = async (obj: Obj, kind: string, apiVersion: string, type: "Normal" | "Warning", reason: string, message: string) => {
    const ns = obj.metadata.namespace!;
    const now = new Date().toISOString();
    await request(admin, "POST", `/api/v1/namespaces/${ns}/events`, JSON.stringify({
      apiVersion: "v1", kind: "Event",
      metadata: { generateName: `${obj.metadata.name}.`, namespace: ns },
      involvedObject: { apiVersion, kind, name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid },
      type, reason, message, source: { component: "hikube-kubevirt-standin" },
      firstTimestamp: now, lastTimestamp: now, count: 1,
    })).catch(() => {});
  };

  // One reconcile at a time per key (instances: `ns/name`; VMs: `ns/vm-instance-name`).
  const instances = workQueue((key) => reconcileInstance(key), { signal: abort.signal, log, label: "reconcile VMInstance" });
  const vms = workQueue((key) => reconcileVm(key), { signal: abort.signal, log, label: "reconcile VirtualMachine" });

  /** Cozystack's chart for one VMInstance. */
  const reconcileInstance = async (key: string) => {
    const [ns, name] = key.split("/");
    const p = paths(ns);
    const vmName = `vm-instance-${name}`;
    const inst = await get(p.vmInstance(name));
    if (!inst || inst.metadata.deletionTimestamp) {
      await remove(p.vm(vmName));
      await remove(p.service(vmName));
      return;
    }
    const spec = inst.spec ?? {};
    const problem = await renderProblem(spec, ns, get);
    const setReady = async (ready: boolean, reason: string, message: string) => {
      const current = (inst.status?.conditions ?? []).find((c: { type: string }) => c.type === "Ready");
      if (current && current.status === (ready ? "True" : "False") && current.message === message) return;
      await recordEvent(inst, "VMInstance", "apps.cozystack.io/v1alpha1", ready ? "Normal" : "Warning", reason, message);
      await mergeStatus(p.vmInstance(name), {
        conditions: [{ type: "Ready", status: ready ? "True" : "False", reason, message, lastTransitionTime: new Date().toISOString() }],
      });
    };
    if (problem) {
      await setReady(false, "InstallFailed",
        `Helm install failed for release ${ns}/${vmName} with chart vm-instance: execution error at (vm-instance/templates/vm.yaml): ${problem}`);
      return;
    }
    const runStrategy: string = spec.runStrategy ?? (spec.running === false ? "Halted" : "Always");
    const existing = await get(p.vm(vmName));
    const ownedRunStrategy = existing?.metadata && (existing.metadata as { annotations?: Record<string, string> }).annotations?.[runStrategyAnnotation];
    // Follow the VMInstance's run strategy only when it changed (see the header comment).
    const vmRunStrategy = !existing || ownedRunStrategy !== runStrategy ? runStrategy : existing.spec?.runStrategy ?? runStrategy;
    const disks: { name: string; bus?: string }[] = spec.disks ?? [];
    const vm = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: {
        name: vmName,
        namespace: ns,
        labels: { "apps.cozystack.io/application.kind": "VMInstance", "apps.cozystack.io/application.name": name },
        annotations: { [runStrategyAnnotation]: runStrategy },
        ownerReferences: [{ apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", name, uid: inst.metadata.uid, controller: true }],
      },
      spec: {
        runStrategy: vmRunStrategy,
        ...(spec.instanceType ? { instancetype: { kind: "VirtualMachineClusterInstancetype", name: spec.instanceType } } : {}),
        ...(spec.instanceProfile ? { preference: { kind: "VirtualMachineClusterPreference", name: spec.instanceProfile } } : {}),
        template: {
          metadata: { labels: { "kubevirt.io/vm": vmName } },
          spec: {
            domain: {
              devices: {
                disks: [
                  ...disks.map((d, i) => ({ name: `disk-${d.name}`, bootOrder: i + 1, disk: { bus: d.bus ?? "virtio" } })),
                  { name: "cloudinitdisk", disk: { bus: "virtio" } },
                ],
              },
            },
            volumes: [
              ...disks.map((d) => ({ name: `disk-${d.name}`, dataVolume: { name: `vm-disk-${d.name}` } })),
              { name: "cloudinitdisk", cloudInitNoCloud: { userData: spec.cloudInit ?? "" } },
            ],
          },
        },
      },
    };
    await apply(p.vm(vmName), vm);
    if (spec.external) {
      await apply(p.service(vmName), {
        apiVersion: "v1", kind: "Service",
        metadata: { name: vmName, namespace: ns, ownerReferences: vm.metadata.ownerReferences },
        spec: {
          type: "LoadBalancer",
          selector: { "kubevirt.io/vm": vmName },
          ports: (spec.externalMethod === "WholeIP" ? [] : (spec.externalPorts ?? [22])).map((port: number) => ({ name: `port-${port}`, port, targetPort: port })),
        },
      });
    } else {
      await remove(p.service(vmName));
    }
    await setReady(true, "InstallSucceeded", "Helm install succeeded");
    vms.enqueue(`${ns}/${vmName}`);
  };

  /** KubeVirt's virt-controller for one VirtualMachine. */
  const reconcileVm = async (key: string) => {
    const [ns, vmName] = key.split("/");
    const p = paths(ns);
    const vm = await get(p.vm(vmName));
    if (!vm || vm.metadata.deletionTimestamp) {
      if (guests.isRunning(key)) await guests.stop(key);
      await remove(p.vmi(vmName));
      manualRunning.delete(key);
      onceDone.delete(key);
      return;
    }
    const status = (vm.status ?? {}) as { printableStatus?: string };
    const setStatus = async (printableStatus: string, extra: Record<string, unknown> = {}) => {
      if (status.printableStatus === printableStatus && Object.keys(extra).length === 0) return;
      if (status.printableStatus !== printableStatus && (printableStatus === "Running" || printableStatus === "Stopped" || printableStatus === "ErrorUnschedulable")) {
        const [type, reason] = printableStatus === "ErrorUnschedulable" ? ["Warning", "FailedScheduling"] as const
          : printableStatus === "Running" ? ["Normal", "Started"] as const : ["Normal", "Stopped"] as const;
        await recordEvent(vm, "VirtualMachine", "kubevirt.io/v1", type, reason,
          printableStatus === "Running" ? `Started the virtual machine on ${nodeName}` : printableStatus === "Stopped" ? "Stopped the virtual machine"
            : String((extra.conditions as { message?: string }[] | undefined)?.[0]?.message ?? "no node can run this virtual machine"));
      }
      status.printableStatus = printableStatus;
      await mergeStatus(p.vm(vmName), { printableStatus, ready: printableStatus === "Running", created: printableStatus !== "Stopped", ...extra });
    };
    const strategy: string = vm.spec?.runStrategy ?? "Always";
    const wantRunning = strategy === "Always" || strategy === "RerunOnFailure" || (strategy === "Manual" && manualRunning.has(key))
      || (strategy === "Once" && !onceDone.has(key));
    const running = guests.isRunning(key);

    if (wantRunning && !running) {
      if (!status.printableStatus || status.printableStatus === "Stopped") await setStatus("Provisioning");
      await setStatus("Starting");
      const instName = vmName.replace(/^vm-instance-/, "");
      const inst = await get(p.vmInstance(instName));
      try {
        await guests.start(key, { hostname: vmName, userData: inst?.spec?.cloudInit ?? "", sshKeys: inst?.spec?.sshKeys ?? [] });
      } catch (err) {
        if ((err as { code?: string }).code === "capacity") {
          await setStatus("ErrorUnschedulable", {
            conditions: [{ type: "Ready", status: "False", reason: "Unschedulable", message: (err as Error).message }],
          });
          setTimeout(() => vms.enqueue(key), 5000).unref();
          return;
        }
        throw err;
      }
      if (strategy === "Once") onceDone.add(key);
      const ip = ipFor(key);
      const vmi = await apply(p.vmi(vmName), {
        apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
        metadata: {
          name: vmName, namespace: ns, labels: { "kubevirt.io/vm": vmName },
          ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: vmName, uid: vm.metadata.uid, controller: true }],
        },
        spec: vm.spec?.template?.spec ?? {},
      });
      if (vmi) {
        await mergeStatus(p.vmi(vmName), {
          phase: "Running", nodeName,
          interfaces: [{ name: "default", ipAddress: ip, ipAddresses: [ip], interfaceName: "eth0" }],
          conditions: [{ type: "Ready", status: "True" }],
        });
      }
      await setStatus("Running", { conditions: [{ type: "Ready", status: "True" }] });
      return;
    }
    if (!wantRunning && running) {
      await setStatus("Stopping");
      await guests.stop(key);
      await remove(p.vmi(vmName));
      await setStatus("Stopped", { conditions: [] });
      return;
    }
    if (!wantRunning) {
      await remove(p.vmi(vmName));
      await setStatus("Stopped");
      return;
    }
    await setStatus("Running");
  };

  guests.onExit((key) => {
    // The guest went away by itself: Always/RerunOnFailure start it again, others stop.
    vms.enqueue(key);
  });

  await Promise.all([
    inform<Obj>(admin, "/apis/apps.cozystack.io/v1alpha1/vminstances", {
      upsert: (key) => instances.enqueue(key),
      remove: (key) => instances.enqueue(key),
    }, abort.signal),
    inform<Obj>(admin, "/apis/kubevirt.io/v1/virtualmachines", {
      upsert: (key) => vms.enqueue(key),
      remove: (key) => vms.enqueue(key),
    }, abort.signal),
  ]);
  log("controller watching VMInstances and VirtualMachines");

  return {
    async restart(ns, vmName) {
      const key = `${ns}/${vmName}`;
      if (guests.isRunning(key)) await guests.stop(key);
      vms.enqueue(key);
    },
    async setManualRunning(ns, vmName, isRunning) {
      const key = `${ns}/${vmName}`;
      if (isRunning) manualRunning.add(key);
      else manualRunning.delete(key);
      vms.enqueue(key);
    },
    isRunning: (ns, vmName) => guests.isRunning(`${ns}/${vmName}`),
    async stop() {
      abort.abort();
      await Promise.allSettled([...instances.inFlight(), ...vms.inFlight()]);
    },
  };
}

/** The chart's render-time checks; the first problem's message, or null. */
async function renderProblem(spec: Record<string, Json>, ns: string, get: (path: string) => Promise<Obj | null>): Promise<string | null> {
  const base = "/apis/instancetype.kubevirt.io/v1beta1";
  const type = spec.instanceType ? await get(`${base}/virtualmachineclusterinstancetypes/${spec.instanceType}`) : null;
  if (spec.instanceType && !type) return `Specified instanceType does not exist in the cluster: ${spec.instanceType}`;
  const pref = spec.instanceProfile ? await get(`${base}/virtualmachineclusterpreferences/${spec.instanceProfile}`) : null;
  if (spec.instanceProfile && !pref) return `Specified instanceProfile does not exist in the cluster: ${spec.instanceProfile}`;
  if (type && pref) {
    const needCpu = Number(pref.spec?.requirements?.cpu?.guest ?? 0);
    const haveCpu = Number(type.spec?.cpu?.guest ?? 0);
    if (needCpu > haveCpu) {
      return `failure checking preference requirements: insufficient CPU resources of ${haveCpu} vCPU provided by instance type, preference requires ${needCpu} vCPU`;
    }
  }
  for (const d of (spec.disks ?? []) as { name: string }[]) {
    if (!(await get(paths(ns).vmDisk(d.name)))) return `Specified disk does not exist in the cluster: ${d.name}`;
  }
  return null;
}
