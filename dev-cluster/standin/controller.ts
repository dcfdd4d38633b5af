/**
 * The KubeVirt/Cozystack stand-in's controller (dev and tests only, never product logic).
 *
 * It plays the parts the real platform plays behind the portal:
 * - Cozystack's vm-instance chart: VMInstance `X` → VirtualMachine `vm-instance-X` (instancetype,
 *   preference, disks in boot order, run strategy) and, when external, a LoadBalancer Service
 *   `vm-instance-X` with `port-<n>` ports, which gets a load-balancer address from 192.0.2.0/24
 *   (as a cloud's service controller would; RFC 5737, nothing routes there); the chart's render-time checks become the VMInstance's
 *   `Ready=False` condition with the chart's message (cozystack/cozystack
 *   packages/apps/vm-instance/templates/vm.yaml: "Specified instanceType does not exist in the
 *   cluster: %s", "Specified instanceProfile does not exist in the cluster: %s", "Either
 *   instanceType or resources (cpu, sockets, memory) must be specified"); without an instance
 *   type the VM's `domain.cpu`/`domain.resources` come from `resources` ({@link domainResources});
 * - virt-controller's `RestartRequired` condition when a running VM's size changes
 *   ({@link restartRequiredCondition});
 * - KubeVirt's virt-controller: a VirtualMachine runs or not by `spec.runStrategy`;
 *   `status.printableStatus` moves Provisioning → Starting → Running and Stopping → Stopped; a
 *   VirtualMachineInstance exists while it runs, with `status.interfaces[].ipAddress` and
 *   `status.nodeName`; its guest gets the instance type's vCPUs (at most 4 here), reported in
 *   `status.currentCPUTopology`; a VM that cannot get a guest (the pool is full) is ErrorUnschedulable.
 *   Its VMDisks are attached in boot order (virtio disks, optical ones as CD-ROMs), as
 *   virt-launcher attaches a VMI's volumes (pkg/virt-launcher/virtwrap/converter).
 * - A guest that ends by itself leaves its VMI in a final phase: Succeeded after a guest power-off,
 *   Failed after a crash. Then, as virt-controller's run strategies do (kubevirt/kubevirt
 *   pkg/virt-controller/watch/vm.go, docs "Run Strategies"): Always deletes the final VMI and starts
 *   a new one; RerunOnFailure does so after Failed only and keeps a Succeeded VMI; Manual and Once
 *   keep the final VMI and do not start again. A VM whose VMI is final reads `Stopped`
 *   (`isVirtualMachineStatusStopped`: the VMI is final) and virt-api's console answers 400 `VMI is
 *   not running`; a start request on it deletes the final VMI and creates a new one. A VM stopped
 *   through the API (or its run strategy) has no VMI at all: its console answers 404.
 * - virt-handler's pause and unpause ({@link Controller.setPaused}, called by virt-api): QEMU's
 *   monitor `stop`/`cont` (QMP), so a paused guest really stops answering on its console; the VMI
 *   gets or loses the `Paused` condition (reason `PausedByUser`) and stays phase Running; the VM
 *   reads `Paused` with the same condition, `Running` again afterwards; a `Paused`/`Unpaused` Event
 *   on the VMI. A stop or restart of a paused VM ends its guest as usual.
 *
 * Guests are real QEMU processes behind {@link GuestRuntime}. The VirtualMachine's run strategy
 * follows the VMInstance's only when the VMInstance's changes (remembered in an annotation), so a
 * stop through `subresources.kubevirt.io` (which rewrites the VM's run strategy, as KubeVirt does)
 * is not undone by the next VMInstance event.
 */
import fs from "node:fs";
import { request, type AdminClient } from "../kube";
import { inform, type InformedObject } from "./informer";
import { workQueue } from "./work-queue";

/** What a guest is started with. */
export interface GuestSpec {
  /** the VMI's name, which KubeVirt also uses as the guest's hostname */
  hostname: string;
  userData: string;
  sshKeys: string[];
  /** vCPUs: the instance type's `spec.cpu.guest`, at most {@link maxGuestCpus} here; default 1 */
  cpus?: number;
  /**
   * The VM's disks in boot order (the VMInstance's `spec.disks`): each VMDisk's raw file, `cdrom`
   * for an optical VMDisk (the vm-disk chart's `optical: true` becomes a `cdrom` disk in
   * KubeVirt), `disk` otherwise (bus virtio). Only files that exist are listed.
   */
  disks?: { file: string; kind: "disk" | "cdrom" }[];
}

/** The most vCPUs a stand-in guest gets (the dev machine has few cores; QEMU runs them as threads). */
export const maxGuestCpus = 4;

/** How a guest ended by itself: the VMI's final phase. */
export type GuestExit = "Succeeded" | "Failed";

/** The QEMU side, as the controller needs it. `key` is `namespace/vmi-name`. */
export interface GuestRuntime {
  /** @throws an Error with `code === "capacity"` when no more guests may run */
  start(key: string, spec: GuestSpec): Promise<void>;
  stop(key: string): Promise<void>;
  isRunning(key: string): boolean;
  /** Stops a running guest's vCPUs (QEMU monitor `stop`); its console stops answering. */
  pause(key: string): Promise<void>;
  /** Lets a paused guest run again (QEMU monitor `cont`). */
  resume(key: string): Promise<void>;
  /**
   * Called when a guest's process ends by itself, not through stop(): `Succeeded` when the guest
   * powered off (QEMU exits 0 on an ACPI power-off), `Failed` otherwise (QEMU crashed or was killed:
   * virt-launcher's pod failing in KubeVirt).
   */
  onExit(listener: (key: string, outcome: GuestExit) => void): void;
}

/** A running controller. */
export interface Controller {
  /** virt-api's lifecycle hooks (restart, Manual run strategy) */
  restart(namespace: string, vmName: string): Promise<void>;
  setManualRunning(namespace: string, vmName: string, running: boolean): Promise<void>;
  /** virt-handler's pause/unpause of VMI `vmName` (see {@link pausedCondition}). */
  setPaused(namespace: string, vmName: string, paused: boolean): Promise<void>;
  isRunning(namespace: string, vmName: string): boolean;
  stop(): Promise<void>;
}

/**
 * The VMI condition virt-handler adds while a guest is paused by its user, and virt-controller
 * copies onto the VirtualMachine (printableStatus then reads `Paused`). Source: kubevirt/kubevirt
 * pkg/virt-handler/vm.go (`ReasonPausedUser` → type Paused, status True, reason PausedByUser,
 * message "VMI was paused by user") and pkg/virt-controller/watch/vm.go (the VM's Paused condition).
 */
export const pausedCondition = { type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user" } as const;

/** Whether a VMI carries the {@link pausedCondition}. */
export function isPausedVmi(vmi: { status?: { conditions?: { type: string; status?: string }[] } } | null | undefined): boolean {
  return Boolean(vmi?.status?.conditions?.some((c) => c.type === "Paused" && c.status === "True"));
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

/** The load-balancer address of VM `key` ("namespace/name"): stable, in 192.0.2.0/24 (RFC 5737). */
export function loadBalancerIpFor(key: string): string {
  let h = 7;
  for (const c of key) h = (h * 33 + c.charCodeAt(0)) >>> 0;
  return `192.0.2.${(h % 253) + 1}`;
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
export async function startController(opts: {
  admin: AdminClient;
  guests: GuestRuntime;
  log?: (line: string) => void;
  /** The raw file of DataVolume `dvName` in namespace `ns` (./datavolumes.ts diskFile); without it guests get no disks. */
  diskFile?: (ns: string, dvName: string) => string;
}): Promise<Controller> {
  const { admin, guests } = opts;
  const log = opts.log ?? (() => {});
  const abort = new AbortController();
  /** vCPUs each running guest was started with, for the VMI status */
  const guestCpus = new Map<string, number>();
  const manualRunning = new Set<string>();
  const onceDone = new Set<string>();
  /** VMs whose next reconcile stops the guest, drops the VMI and starts anew (restart, start of a final VMI). */
  const restartRequested = new Set<string>();
  /** How guests that ended by themselves ended, until reconcile writes it into their VMI. */
  const exits = new Map<string, GuestExit>();

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

  /**
   * virt-launcher's view of the VM's volumes: each VMDisk's DataVolume file in boot order, optical
   * ones as CD-ROMs. A file not there yet (an import still running) is left out; KubeVirt would
   * wait for the DataVolume instead, the stand-in starts without it.
   */
  const guestDisks = async (ns: string, disks: { name: string }[]): Promise<{ file: string; kind: "disk" | "cdrom" }[]> => {
    if (!opts.diskFile) return [];
    const out: { file: string; kind: "disk" | "cdrom" }[] = [];
    for (const d of disks) {
      const file = opts.diskFile(ns, `vm-disk-${d.name}`);
      if (!fs.existsSync(file)) {
        log(`disk ${ns}/${d.name} has no file yet (${file}): the guest starts without it`);
        continue;
      }
      const disk = await get(paths(ns).vmDisk(d.name));
      out.push({ file, kind: disk?.spec?.optical ? "cdrom" : "disk" });
    }
    return out;
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
              ...domainResources(spec),
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
      // A cloud's service controller gives the LoadBalancer its address and records it
      // (k8s.io/cloud-provider controllers/service/controller.go: EnsuringLoadBalancer, then
      // EnsuredLoadBalancer). Here the address comes from the documentation range 192.0.2.0/24
      // (RFC 5737): nothing routes there, it only has to be shown.
      const service = await get(p.service(vmName));
      if (service && !(service.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress?.length) {
        await mergeStatus(p.service(vmName), { loadBalancer: { ingress: [{ ip: loadBalancerIpFor(`${ns}/${vmName}`) }] } });
        await recordEvent(service, "Service", "v1", "Normal", "EnsuredLoadBalancer", "Ensured load balancer");
      }
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
      restartRequested.delete(key);
      exits.delete(key);
      return;
    }
    const status = (vm.status ?? {}) as { printableStatus?: string };
    const setStatus = async (printableStatus: string, extra: Record<string, unknown> = {}) => {
      if (status.printableStatus === printableStatus && Object.keys(extra).length === 0) return;
      // Back from Paused is no new start: its event is the VMI's Unpaused (see setPaused).
      const resumed = status.printableStatus === "Paused" && printableStatus === "Running";
      if (!resumed && status.printableStatus !== printableStatus && (printableStatus === "Running" || printableStatus === "Stopped" || printableStatus === "ErrorUnschedulable")) {
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
    let running = guests.isRunning(key);
    let vmi = await get(p.vmi(vmName));
    let phase: string = vmi?.status?.phase ?? "";

    if (restartRequested.delete(key)) {
      // A restart, or a start of a VM whose VMI is final: a new VMI (virt-api's stop+start request).
      if (running) {
        await setStatus("Stopping");
        await guests.stop(key);
        running = false;
      }
      if (vmi) await remove(p.vmi(vmName));
      vmi = null;
      phase = "";
      exits.delete(key);
    } else if (vmi && !running && !isFinal(phase) && phase !== "") {
      // The guest ended by itself (or this process restarted without it): the VMI becomes final.
      phase = exits.get(key) ?? "Failed";
      exits.delete(key);
      await mergeStatus(p.vmi(vmName), {
        phase,
        conditions: [{ type: "Ready", status: "False", reason: phase === "Succeeded" ? "PodCompleted" : "PodFailed", lastTransitionTime: new Date().toISOString() }],
      });
      log(`VMI ${key} ended by itself: ${phase}`);
      manualRunning.delete(key);
      if (strategy === "Once") onceDone.add(key);
    }
    const final = vmi !== null && isFinal(phase);
    const wantRunning = strategy === "Always"
      || (strategy === "RerunOnFailure" && !(final && phase === "Succeeded"))
      || (strategy === "Manual" && manualRunning.has(key) && !final)
      || (strategy === "Once" && (running || !onceDone.has(key)));

    if (wantRunning && !running) {
      // Always after any end, RerunOnFailure after a failure: the final VMI gives way to a new one.
      if (vmi) await remove(p.vmi(vmName));
      if (!status.printableStatus || status.printableStatus === "Stopped") await setStatus("Provisioning");
      await setStatus("Starting");
      const instName = vmName.replace(/^vm-instance-/, "");
      const inst = await get(p.vmInstance(instName));
      try {
        // virt-launcher gives the domain the instance type's guest vCPUs (pkg/instancetype/apply:
        // spec.cpu.guest becomes sockets), and the VMI reports them in status.currentCPUTopology.
        const cpus = Math.min(maxGuestCpus, Math.max(1, await wantedCpus(vm, get)));
        guestCpus.set(key, cpus);
        const disks = await guestDisks(ns, (inst?.spec?.disks ?? []) as { name: string }[]);
        await guests.start(key, { hostname: vmName, userData: inst?.spec?.cloudInit ?? "", sshKeys: inst?.spec?.sshKeys ?? [], cpus, disks });
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
      const created = await apply(p.vmi(vmName), {
        apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
        metadata: {
          name: vmName, namespace: ns, labels: { "kubevirt.io/vm": vmName },
          // pkg/instancetype (KubeVirt): the VMI names the cluster instancetype it was expanded from
          annotations: { [instancetypeAnnotation]: (vm.spec?.instancetype as { name?: string } | undefined)?.name ?? "" },
          ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: vmName, uid: vm.metadata.uid, controller: true }],
        },
        spec: vm.spec?.template?.spec ?? {},
      });
      if (created) {
        await mergeStatus(p.vmi(vmName), {
          phase: "Running", nodeName,
          currentCPUTopology: { sockets: guestCpus.get(key) ?? 1, cores: 1, threads: 1 },
          // KubeVirt records when each phase began (pkg/virt-controller/watch/vmi.go)
          phaseTransitionTimestamps: [{ phase: "Running", phaseTransitionTimestamp: new Date().toISOString() }],
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
      // A final VMI stays (what the guest did is visible) unless the VM is Halted.
      if (final && strategy !== "Halted") {
        await setStatus("Stopped", status.printableStatus === "Stopped" ? {} : { created: true, conditions: [] });
        return;
      }
      if (vmi) await remove(p.vmi(vmName));
      await setStatus("Stopped");
      return;
    }
    // A paused guest still runs (its VMI stays Running); the VM reads Paused, as virt-controller's
    // printableStatus does while the VMI has the Paused condition.
    const paused = isPausedVmi(vmi);
    const wanted = paused ? "Paused" : "Running";
    // A size change under a running guest waits for a restart (see restartRequiredCondition).
    const conditions = (vm.status?.conditions ?? []) as { type: string; status?: string; lastTransitionTime?: string }[];
    const hadRestartRequired = conditions.some((c) => c.type === "RestartRequired" && c.status === "True");
    const restartRequired = vmi !== null && sizeChanged(vm, vmi);
    if (restartRequired && !hadRestartRequired) {
      await recordEvent(vm, "VirtualMachine", "kubevirt.io/v1", "Normal", "RestartRequired", restartRequiredCondition.message);
    }
    if (status.printableStatus === wanted && restartRequired === hadRestartRequired) return;
    const since = conditions.find((c) => c.type === "RestartRequired")?.lastTransitionTime ?? new Date().toISOString();
    await setStatus(wanted, {
      ready: !paused,
      conditions: [
        ...(paused ? [{ type: "Ready", status: "False", reason: "Paused" }, { ...pausedCondition, lastTransitionTime: new Date().toISOString() }]
          : [{ type: "Ready", status: "True" }]),
        ...(restartRequired ? [{ ...restartRequiredCondition, lastTransitionTime: since }] : []),
      ],
    });
  };

  guests.onExit((key, outcome) => {
    // The guest went away by itself: reconcile makes its VMI final and applies the run strategy.
    exits.set(key, outcome);
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
      // virt-api's Stop+Start request: a new VMI; a Manual VM runs afterwards.
      const key = `${ns}/${vmName}`;
      restartRequested.add(key);
      manualRunning.add(key);
      vms.enqueue(key);
    },
    async setManualRunning(ns, vmName, isRunning) {
      const key = `${ns}/${vmName}`;
      if (isRunning) manualRunning.add(key);
      else manualRunning.delete(key);
      vms.enqueue(key);
    },
    async setPaused(ns, vmName, paused) {
      // As virt-handler: the QEMU monitor first, then the VMI's Paused condition; then the VM's status.
      const key = `${ns}/${vmName}`;
      const p = paths(ns);
      if (paused) await guests.pause(key);
      else await guests.resume(key);
      const vmi = await get(p.vmi(vmName));
      if (vmi) {
        const others = ((vmi.status?.conditions ?? []) as { type: string }[]).filter((c) => c.type !== "Paused");
        await mergeStatus(p.vmi(vmName), {
          conditions: paused ? [...others, { ...pausedCondition, lastTransitionTime: new Date().toISOString() }] : others,
        });
        await recordEvent(vmi, "VirtualMachineInstance", "kubevirt.io/v1", "Normal", paused ? "Paused" : "Unpaused",
          paused ? "VMI was paused by user" : "VMI was unpaused by user");
      }
      log(`VMI ${key} ${paused ? "paused" : "unpaused"}`);
      vms.enqueue(key);
    },
    isRunning: (ns, vmName) => guests.isRunning(`${ns}/${vmName}`),
    async stop() {
      abort.abort();
      await Promise.allSettled([...instances.inFlight(), ...vms.inFlight()]);
    },
  };
}

/** The VMI annotation naming the cluster instancetype it was expanded from (KubeVirt pkg/instancetype). */
export const instancetypeAnnotation = "kubevirt.io/cluster-instancetype-name";

/**
 * The VirtualMachine condition virt-controller sets when its spec changed in a way a running VMI
 * cannot take live (kubevirt/kubevirt pkg/virt-controller/watch/vm.go `setRestartRequired`: type
 * RestartRequired, status True, no reason, this message); a new VMI (restart, stop + start) clears it.
 */
export const restartRequiredCondition = {
  type: "RestartRequired", status: "True", message: "a non-live-updatable field was changed in the template spec",
} as const;

/**
 * The chart's `virtual-machine.domainResources` (cozystack/cozystack packages/apps/vm-instance/
 * templates/_helpers.tpl): with `resources.cpu` and `resources.sockets`, `domain.cpu` gets
 * `cores` and `sockets`; with `resources.memory`, `domain.resources.requests.memory`.
 */
export function domainResources(spec: Record<string, Json>): Record<string, Json> {
  const r = (spec.resources ?? {}) as { cpu?: number | string; sockets?: number | string; memory?: string };
  const out: Record<string, Json> = {};
  if (r.cpu !== undefined && r.sockets !== undefined) out.cpu = { cores: Number(r.cpu), sockets: Number(r.sockets) };
  if (r.memory !== undefined) out.resources = { requests: { memory: String(r.memory) } };
  return out;
}

/**
 * The vCPUs virt-launcher gives a VM's guest: its instance type's `spec.cpu.guest` (pkg/instancetype
 * applies it as sockets), else the template's `cores × sockets × threads` (pkg/util/hardware
 * `GetNumberOfVCPUs`), else 1.
 */
async function wantedCpus(vm: Obj, get: (path: string) => Promise<Obj | null>): Promise<number> {
  const typeName = (vm.spec?.instancetype as { name?: string } | undefined)?.name;
  if (typeName) {
    const type = await get(`/apis/instancetype.kubevirt.io/v1beta1/virtualmachineclusterinstancetypes/${typeName}`);
    return Math.floor(Number((type?.spec?.cpu as { guest?: number } | undefined)?.guest ?? 1)) || 1;
  }
  const cpu = (vm.spec?.template?.spec?.domain?.cpu ?? {}) as { cores?: number; sockets?: number; threads?: number };
  return (cpu.cores ?? 1) * (cpu.sockets ?? 1) * (cpu.threads ?? 1) || 1;
}

/** Whether the VM's size (instance type, domain cpu or memory) differs from what its running VMI started with. */
function sizeChanged(vm: Obj, vmi: Obj): boolean {
  const vmType = (vm.spec?.instancetype as { name?: string } | undefined)?.name ?? "";
  const vmiType = (vmi.metadata as { annotations?: Record<string, string> }).annotations?.[instancetypeAnnotation] ?? "";
  const sizeOf = (domain: Json) => JSON.stringify({ cpu: domain?.cpu ?? null, memory: domain?.resources?.requests?.memory ?? null });
  return vmType !== vmiType || sizeOf(vm.spec?.template?.spec?.domain) !== sizeOf(vmi.spec?.domain);
}

/** Whether a VMI phase is final (Succeeded or Failed), as `vmi.IsFinal()`. */
function isFinal(phase: string): boolean {
  return phase === "Succeeded" || phase === "Failed";
}

/** The chart's render-time checks; the first problem's message, or null. */
async function renderProblem(spec: Record<string, Json>, ns: string, get: (path: string) => Promise<Obj | null>): Promise<string | null> {
  const base = "/apis/instancetype.kubevirt.io/v1beta1";
  const type = spec.instanceType ? await get(`${base}/virtualmachineclusterinstancetypes/${spec.instanceType}`) : null;
  if (spec.instanceType && !type) return `Specified instanceType does not exist in the cluster: ${spec.instanceType}`;
  const r = (spec.resources ?? {}) as Record<string, unknown>;
  if (!spec.instanceType && !(r.cpu && r.sockets && r.memory)) return "Either instanceType or resources (cpu, sockets, memory) must be specified";
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
