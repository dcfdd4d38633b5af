/**
 * The stand-in controller against a real kube-apiserver (its own local cluster), with an
 * in-memory guest runtime: what is checked here is the objects and states KubeVirt and Cozystack
 * would produce. Real QEMU guests are covered by qemu.test.ts and the stand-in's end-to-end test.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGetJson, eventually } from "./test-support";
import type { AdminClient } from "../kube";
import type { Controller, GuestExit, GuestRuntime, GuestSpec } from "./controller";

const dir = path.resolve(".local", `standin-controller-${process.pid}`);
process.env.HIKUBE_CLUSTER_DIR = dir;
// This file runs its own controller with an in-memory runtime: the real stand-in stays off.
process.env.HIKUBE_STANDIN = "off";

let admin: AdminClient;
let controller: Controller;
let kube: typeof import("../kube");
let cluster: typeof import("../cluster");
const started = new Map<string, GuestSpec>();
/** Guests whose vCPUs the controller stopped (QEMU's `stop`). */
const paused = new Set<string>();
let capacity = 2;
const exitListeners: ((key: string, outcome: GuestExit) => void)[] = [];

/** The guest of `key` ends by itself: `Succeeded` is a guest power-off, `Failed` a crash. */
function guestEnds(key: string, outcome: GuestExit): void {
  expect(started.has(key)).toBe(true);
  started.delete(key);
  for (const l of exitListeners) l(key, outcome);
}

const fakeGuests: GuestRuntime = {
  async start(key, spec) {
    if (started.size >= capacity) throw Object.assign(new Error(`no capacity: ${capacity} VMs already run`), { code: "capacity" });
    started.set(key, spec);
  },
  async stop(key) {
    started.delete(key);
  },
  isRunning: (key) => started.has(key),
  async pause(key) {
    paused.add(key);
  },
  async resume(key) {
    paused.delete(key);
  },
  onExit: (l) => exitListeners.push(l),
};

const ns = "tenant-acme";
const base = `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}`;
const kv = `/apis/kubevirt.io/v1/namespaces/${ns}`;

const getJson = (p: string) => adminGetJson(admin, p);


async function createDisk(name: string, spec: Record<string, unknown> = {}) {
  const res = await kube.request(admin, "POST", `${base}/vmdisks`, JSON.stringify({
    apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name }, spec: { source: { image: { name: "ubuntu" } }, storage: "5Gi", ...spec },
  }));
  expect(res.status).toBe(201);
}

/** Where this file's controller finds disk files (the disk controller is not running here). */
const diskFile = (namespace: string, dvName: string) => path.join(dir, "disks", namespace, `${dvName}.img`);
function writeDiskFile(name: string): string {
  const file = diskFile(ns, `vm-disk-${name}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "");
  return file;
}

async function createInstance(name: string, spec: Record<string, unknown>) {
  const res = await kube.request(admin, "POST", `${base}/vminstances`, JSON.stringify({
    apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name },
    spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Always", ...spec },
  }));
  expect(res.status, res.body).toBe(201);
}

beforeAll(async () => {
  cluster = await import("../cluster");
  kube = await import("../kube");
  const { startController } = await import("./controller");
  await cluster.startCluster(() => {});
  const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
  admin = kube.adminClient(path.join(dir, "pki"), state.apiserverPort);
  controller = await startController({ admin, guests: fakeGuests, diskFile });
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  admin?.agent.destroy();
  await cluster?.stopCluster({ purge: true, log: () => {} });
});

describe("stand-in controller", () => {
  it("turns a VMInstance into a running VirtualMachine with a VMI that has an IP and a node", async () => {
    await createDisk("web-os");
    await createDisk("web-iso", { optical: true });
    await createDisk("web-later");
    const osFile = writeDiskFile("web-os");
    const isoFile = writeDiskFile("web-iso");
    await createInstance("web", { disks: [{ name: "web-os" }, { name: "web-later" }, { name: "web-iso" }], cloudInit: "#cloud-config\n", sshKeys: ["ssh-ed25519 AAAA x"], external: true, externalPorts: [22, 443] });
    const vm = await eventually("VM Running", async () => {
      const v = await getJson(`${kv}/virtualmachines/vm-instance-web`);
      return v?.status?.printableStatus === "Running" && v;
    });
    expect(vm.spec.instancetype).toEqual({ kind: "VirtualMachineClusterInstancetype", name: "u1.medium" });
    expect(vm.spec.preference).toEqual({ kind: "VirtualMachineClusterPreference", name: "ubuntu" });
    expect(vm.spec.template.spec.volumes[0]).toEqual({ name: "disk-web-os", dataVolume: { name: "vm-disk-web-os" } });
    const vmi = await getJson(`${kv}/virtualmachineinstances/vm-instance-web`);
    expect(vmi.status.phase).toBe("Running");
    expect(vmi.status.nodeName).toBeTruthy();
    expect(vmi.status.interfaces[0].ipAddress).toMatch(/^10\.244\.\d+\.\d+$/);
    // u1.medium has 1 guest vCPU (dev-cluster/manifests/instancetypes.yaml)
    // Disks in boot order, the optical one as a CD-ROM; web-later has no file yet (import running).
    expect(started.get(`${ns}/vm-instance-web`)).toEqual({ hostname: "vm-instance-web", userData: "#cloud-config\n", sshKeys: ["ssh-ed25519 AAAA x"], cpus: 1,
      disks: [{ file: osFile, kind: "disk" }, { file: isoFile, kind: "cdrom" }] });
    expect(vmi.status.currentCPUTopology).toEqual({ sockets: 1, cores: 1, threads: 1 });
    const svc = await eventually("load-balancer address", async () => {
      const s = await getJson(`/api/v1/namespaces/${ns}/services/vm-instance-web`);
      return s?.status?.loadBalancer?.ingress?.length && s;
    });
    expect(svc.status.loadBalancer.ingress[0].ip).toMatch(/^192\.0\.2\.\d+$/);
    expect(svc.spec.type).toBe("LoadBalancer");
    expect(svc.spec.ports.map((p: { name: string }) => p.name)).toEqual(["port-22", "port-443"]);
    const inst = await getJson(`${base}/vminstances/web`);
    expect(inst.status.conditions[0]).toMatchObject({ type: "Ready", status: "True" });
    const events = await eventually("events", async () => {
      const list = await getJson(`/api/v1/namespaces/${ns}/events`);
      const mine = list.items.filter((e: any) => e.involvedObject.name === "web" || e.involvedObject.name === "vm-instance-web");
      return mine.some((e: any) => e.reason === "Started") && mine;
    });
    expect(events.map((e: any) => `${e.involvedObject.kind}/${e.reason}`)).toEqual(expect.arrayContaining(["VMInstance/InstallSucceeded", "VirtualMachine/Started"]));
  });

  it("stops the VM when the VMInstance's run strategy becomes Halted, and starts it again", async () => {
    await kube.request(admin, "PATCH", `${base}/vminstances/web`, JSON.stringify({ spec: { runStrategy: "Halted" } }), "application/merge-patch+json");
    await eventually("VM Stopped", async () => (await getJson(`${kv}/virtualmachines/vm-instance-web`))?.status?.printableStatus === "Stopped");
    expect(await getJson(`${kv}/virtualmachineinstances/vm-instance-web`)).toBeNull();
    expect(started.has(`${ns}/vm-instance-web`)).toBe(false);
    await kube.request(admin, "PATCH", `${base}/vminstances/web`, JSON.stringify({ spec: { runStrategy: "Always" } }), "application/merge-patch+json");
    await eventually("VM Running again", async () => (await getJson(`${kv}/virtualmachines/vm-instance-web`))?.status?.printableStatus === "Running");
  });

  it("reports the chart's message for an unknown instance type, a missing disk, and an unfit profile", async () => {
    await createInstance("bad-type", { instanceType: "z9.huge" });
    await createInstance("bad-disk", { disks: [{ name: "nope" }] });
    await createInstance("bad-fit", { instanceProfile: "windows.11" });
    const cond = (n: string) => eventually(`${n} Ready=False`, async () => {
      const c = (await getJson(`${base}/vminstances/${n}`))?.status?.conditions?.find((x: { type: string }) => x.type === "Ready");
      return c?.status === "False" && c;
    });
    expect((await cond("bad-type")).message).toContain("Specified instanceType does not exist in the cluster: z9.huge");
    const warnings = (await getJson(`/api/v1/namespaces/${ns}/events`)).items.filter((e: any) => e.involvedObject.name === "bad-type");
    expect(warnings[0]).toMatchObject({ type: "Warning", reason: "InstallFailed" });
    expect((await cond("bad-disk")).message).toContain("Specified disk does not exist in the cluster: nope");
    expect((await cond("bad-fit")).message).toContain("preference requires 2 vCPU");
    expect(await getJson(`${kv}/virtualmachines/vm-instance-bad-type`)).toBeNull();
  });

  it("marks a VM ErrorUnschedulable when no guest can be started, as a full cluster would", async () => {
    capacity = started.size; // full
    await createInstance("overflow", {});
    await eventually("ErrorUnschedulable", async () =>
      (await getJson(`${kv}/virtualmachines/vm-instance-overflow`))?.status?.printableStatus === "ErrorUnschedulable");
    capacity = 10;
    await eventually("Running once there is room", async () =>
      (await getJson(`${kv}/virtualmachines/vm-instance-overflow`))?.status?.printableStatus === "Running", 20_000);
  });

  it("replaces the VMI of an Always VM whose guest powers off or crashes with a new running one", async () => {
    const key = `${ns}/vm-instance-web`;
    for (const outcome of ["Succeeded", "Failed"] as const) {
      const before = await getJson(`${kv}/virtualmachineinstances/vm-instance-web`);
      guestEnds(key, outcome);
      const after = await eventually("a new running VMI", async () => {
        const v = await getJson(`${kv}/virtualmachineinstances/vm-instance-web`);
        return v && v.metadata.uid !== before.metadata.uid && v.status?.phase === "Running" && v;
      });
      expect(after.status.interfaces[0].ipAddress).toBe(before.status.interfaces[0].ipAddress);
      expect(started.has(key)).toBe(true);
    }
  });

  /** Waits until the VM reads Stopped with a VMI in `phase`, then checks the guest stays down. */
  async function expectStoppedWithFinalVmi(vm: string, phase: "Succeeded" | "Failed") {
    await eventually(`${vm} Stopped with a ${phase} VMI`, async () => {
      const [v, i] = [await getJson(`${kv}/virtualmachines/${vm}`), await getJson(`${kv}/virtualmachineinstances/${vm}`)];
      return v?.status?.printableStatus === "Stopped" && i?.status?.phase === phase;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(started.has(`${ns}/${vm}`)).toBe(false);
    expect((await getJson(`${kv}/virtualmachineinstances/${vm}`)).status.phase).toBe(phase);
  }

  it("RerunOnFailure: a crash starts a new VMI, a guest power-off leaves the VMI Succeeded and the VM Stopped", async () => {
    const vm = "vm-instance-rerun";
    const key = `${ns}/${vm}`;
    await createInstance("rerun", { runStrategy: "RerunOnFailure" });
    await eventually("rerun running", async () => started.has(key) && (await getJson(`${kv}/virtualmachineinstances/${vm}`))?.status?.phase === "Running");
    const first = (await getJson(`${kv}/virtualmachineinstances/${vm}`)).metadata.uid;
    guestEnds(key, "Failed");
    await eventually("rerun restarted after the crash", async () => {
      const v = await getJson(`${kv}/virtualmachineinstances/${vm}`);
      return v && v.metadata.uid !== first && v.status?.phase === "Running" && started.has(key);
    });
    guestEnds(key, "Succeeded");
    await expectStoppedWithFinalVmi(vm, "Succeeded");
  });

  it("Manual and Once: the guest's power-off or crash leaves a final VMI and a Stopped VM; a start request brings a new VMI", async () => {
    await createInstance("manual", { runStrategy: "Manual" });
    // Cozystack's chart has no Once; a VirtualMachine made directly can.
    const once = await kube.request(admin, "POST", `${kv}/virtualmachines`, JSON.stringify({
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "vm-instance-once" }, spec: { runStrategy: "Once", template: { spec: {} } },
    }));
    expect(once.status, once.body).toBe(201);
    const manual = "vm-instance-manual";
    await eventually("manual Stopped without a VMI", async () => (await getJson(`${kv}/virtualmachines/${manual}`))?.status?.printableStatus === "Stopped");
    expect(await getJson(`${kv}/virtualmachineinstances/${manual}`)).toBeNull();
    await controller.setManualRunning(ns, manual, true); // virt-api's start request
    await eventually("manual running", async () => started.has(`${ns}/${manual}`) && (await getJson(`${kv}/virtualmachines/${manual}`))?.status?.printableStatus === "Running");
    guestEnds(`${ns}/${manual}`, "Succeeded");
    await expectStoppedWithFinalVmi(manual, "Succeeded");
    expect((await getJson(`${kv}/virtualmachines/${manual}`)).status.created).toBe(true);

    // virt-api answers a start of a Manual VM with a final VMI by a stop+start request.
    const old = (await getJson(`${kv}/virtualmachineinstances/${manual}`)).metadata.uid;
    await controller.restart(ns, manual);
    await eventually("manual running with a new VMI", async () => {
      const v = await getJson(`${kv}/virtualmachineinstances/${manual}`);
      return v && v.metadata.uid !== old && v.status?.phase === "Running" && started.has(`${ns}/${manual}`);
    });

    await eventually("once running", async () => started.has(`${ns}/vm-instance-once`)
      && (await getJson(`${kv}/virtualmachines/vm-instance-once`))?.status?.printableStatus === "Running");
    await new Promise((r) => setTimeout(r, 500));
    expect(started.has(`${ns}/vm-instance-once`)).toBe(true); // Once keeps its first guest running
    guestEnds(`${ns}/vm-instance-once`, "Failed");
    await expectStoppedWithFinalVmi("vm-instance-once", "Failed");
  });

  it("pauses and unpauses a guest: the VMI's Paused condition, the VM's Paused state and events, the VMI kept", async () => {
    const vm = "vm-instance-web";
    const key = `${ns}/${vm}`;
    await eventually("web running", async () => (await getJson(`${kv}/virtualmachines/${vm}`))?.status?.printableStatus === "Running");
    const uid = (await getJson(`${kv}/virtualmachineinstances/${vm}`)).metadata.uid;
    const startedBefore = (await getJson(`/api/v1/namespaces/${ns}/events`)).items.filter((e: any) => e.involvedObject.name === vm && e.reason === "Started").length;
    await controller.setPaused(ns, vm, true); // virt-api's pause
    expect(paused.has(key)).toBe(true);
    const vmi = await getJson(`${kv}/virtualmachineinstances/${vm}`);
    expect(vmi.metadata.uid).toBe(uid);
    expect(vmi.status.phase).toBe("Running");
    expect(vmi.status.conditions).toContainEqual(expect.objectContaining({ type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user" }));
    const pausedVm = await eventually("VM Paused", async () => {
      const v = await getJson(`${kv}/virtualmachines/${vm}`);
      return v?.status?.printableStatus === "Paused" && v;
    });
    expect(pausedVm.status.conditions).toContainEqual(expect.objectContaining({ type: "Paused", status: "True", reason: "PausedByUser" }));
    expect(started.has(key)).toBe(true);

    await controller.setPaused(ns, vm, false);
    expect(paused.has(key)).toBe(false);
    await eventually("VM Running again", async () => (await getJson(`${kv}/virtualmachines/${vm}`))?.status?.printableStatus === "Running");
    expect((await getJson(`${kv}/virtualmachineinstances/${vm}`)).status.conditions.map((c: { type: string }) => c.type)).not.toContain("Paused");
    const events = (await getJson(`/api/v1/namespaces/${ns}/events`)).items.filter((e: any) => e.involvedObject.name === vm);
    expect(events.map((e: any) => `${e.involvedObject.kind}/${e.reason}`)).toEqual(expect.arrayContaining(["VirtualMachineInstance/Paused", "VirtualMachineInstance/Unpaused"]));
    // Back from Paused is no new start.
    expect(events.filter((e: any) => e.reason === "Started").length).toBe(startedBefore);
  });

  it("a resize under a running guest sets RestartRequired (with an event) until a restart gives the guest the new vCPUs", async () => {
    const vm = "vm-instance-web";
    const key = `${ns}/${vm}`;
    await eventually("web running", async () => (await getJson(`${kv}/virtualmachines/${vm}`))?.status?.printableStatus === "Running");
    expect(started.get(key)?.cpus).toBe(1);
    // u1.large has 2 guest vCPUs (dev-cluster/manifests/instancetypes.yaml)
    await kube.request(admin, "PATCH", `${base}/vminstances/web`, JSON.stringify({ spec: { instanceType: "u1.large" } }), "application/merge-patch+json");
    const resized = await eventually("RestartRequired", async () => {
      const v = await getJson(`${kv}/virtualmachines/${vm}`);
      return v?.status?.conditions?.some((c: any) => c.type === "RestartRequired" && c.status === "True") && v;
    });
    expect(resized.status.printableStatus).toBe("Running");
    expect(resized.status.conditions).toContainEqual(expect.objectContaining({ type: "RestartRequired", message: "a non-live-updatable field was changed in the template spec" }));
    expect(started.get(key)?.cpus).toBe(1); // the guest keeps its size until restarted
    const events = (await getJson(`/api/v1/namespaces/${ns}/events`)).items.filter((e: any) => e.involvedObject.name === vm);
    expect(events.map((e: any) => e.reason)).toContain("RestartRequired");

    await controller.restart(ns, vm);
    await eventually("restarted with 2 vCPUs and no RestartRequired", async () => {
      const v = await getJson(`${kv}/virtualmachines/${vm}`);
      return started.get(key)?.cpus === 2 && v?.status?.printableStatus === "Running"
        && !v.status.conditions?.some((c: any) => c.type === "RestartRequired");
    });
    expect((await getJson(`${kv}/virtualmachineinstances/${vm}`)).status.currentCPUTopology).toEqual({ sockets: 2, cores: 1, threads: 1 });
  });

  it("sizes a VM without an instance type from its resources: domain cpu cores × sockets and memory, as the chart renders them", async () => {
    await createInstance("custom", { instanceType: "", instanceProfile: "", resources: { cpu: 1, sockets: 2, memory: "1Gi" }, runStrategy: "Always" });
    const vm = await eventually("custom running", async () => {
      const v = await getJson(`${kv}/virtualmachines/vm-instance-custom`);
      return v?.status?.printableStatus === "Running" && v;
    });
    expect(vm.spec.instancetype).toBeUndefined();
    expect(vm.spec.template.spec.domain.cpu).toEqual({ cores: 1, sockets: 2 });
    expect(vm.spec.template.spec.domain.resources).toEqual({ requests: { memory: "1Gi" } });
    expect(started.get(`${ns}/vm-instance-custom`)?.cpus).toBe(2);
    await kube.request(admin, "DELETE", `${base}/vminstances/custom`);
    await eventually("custom gone", async () => !started.has(`${ns}/vm-instance-custom`));
  });

  it("removes the VirtualMachine, VMI and guest when the VMInstance is deleted", async () => {
    await kube.request(admin, "DELETE", `${base}/vminstances/web`);
    await eventually("VM gone", async () => (await getJson(`${kv}/virtualmachines/vm-instance-web`)) === null);
    await eventually("guest stopped", async () => !started.has(`${ns}/vm-instance-web`));
    await eventually("VMI gone", async () => (await getJson(`${kv}/virtualmachineinstances/vm-instance-web`)) === null);
    expect(await getJson(`/api/v1/namespaces/${ns}/services/vm-instance-web`)).toBeNull();
  });
});
