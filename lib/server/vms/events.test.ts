import { describe, expect, it } from "vitest";
import { eventBelongsTo, toVmEvent, type CoreEvent } from "./events";
import type { VMInstance } from "../k8s/objects";

const instance = (name: string, disks: string[] = [], uid = `uid-${name}`): VMInstance => ({
  apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name, uid },
  spec: { runStrategy: "Always", disks: disks.map((d) => ({ name: d })) },
});
const event = (kind: string, name: string, uid?: string): CoreEvent => ({
  metadata: { name: `${name}.1`, uid: `e-${kind}-${name}` }, involvedObject: { kind, name, ...(uid ? { uid } : {}) }, reason: "R",
});

describe("eventBelongsTo", () => {
  it("takes the VM's own objects: VMInstance X, VirtualMachine/VMI/Service vm-instance-X, DataVolumes of its disks", () => {
    const belongs = eventBelongsTo(instance("web", ["web-os", "data"]));
    expect(belongs(event("VMInstance", "web", "uid-web"))).toBe(true);
    expect(belongs(event("VirtualMachine", "vm-instance-web"))).toBe(true);
    expect(belongs(event("VirtualMachineInstance", "vm-instance-web"))).toBe(true);
    expect(belongs(event("Service", "vm-instance-web"))).toBe(true);
    expect(belongs(event("DataVolume", "vm-disk-web-os"))).toBe(true);
    expect(belongs(event("DataVolume", "vm-disk-data"))).toBe(true);
  });

  it("does not lend a colliding VMInstance's events: VMInstance vm-instance-web is not VM web's VirtualMachine", () => {
    const belongs = eventBelongsTo(instance("web", ["data"]));
    // a tenant may name a VM "vm-instance-web" or "vm-disk-data": same object names, other kinds
    expect(belongs(event("VMInstance", "vm-instance-web", "uid-other"))).toBe(false);
    expect(belongs(event("VMInstance", "vm-disk-data", "uid-other2"))).toBe(false);
    // and the derived objects of VM "vm-instance-web" are named vm-instance-vm-instance-web
    const colliding = eventBelongsTo(instance("vm-instance-web"));
    expect(colliding(event("VirtualMachine", "vm-instance-web"))).toBe(false);
    expect(colliding(event("VirtualMachine", "vm-instance-vm-instance-web"))).toBe(true);
  });

  it("drops a predecessor's VMInstance events (same name, other uid), other kinds and other disks", () => {
    const belongs = eventBelongsTo(instance("web", ["data"], "uid-new"));
    expect(belongs(event("VMInstance", "web", "uid-old"))).toBe(false);
    expect(belongs(event("VMInstance", "web", "uid-new"))).toBe(true);
    expect(belongs(event("Pod", "vm-instance-web"))).toBe(false);
    expect(belongs(event("DataVolume", "vm-disk-other"))).toBe(false);
    expect(belongs(event("PersistentVolumeClaim", "vm-disk-data"))).toBe(false);
  });
});

describe("toVmEvent", () => {
  it("shows the last time seen as kubectl does: series, then lastTimestamp, then eventTime", () => {
    const base = event("VirtualMachine", "vm-instance-web");
    expect(toVmEvent({ ...base, lastTimestamp: "2026-12-01T10:00:00Z", count: 3 })).toMatchObject({ lastSeen: "2026-12-01T10:00:00Z", count: 3 });
    expect(toVmEvent({ ...base, eventTime: "2026-12-01T10:00:00.123456Z", series: { count: 7, lastObservedTime: "2026-12-01T11:00:00.5Z" } }))
      .toMatchObject({ lastSeen: "2026-12-01T11:00:00.5Z", count: 7 });
    expect(toVmEvent({ ...base, type: "Warning" }).type).toBe("Warning");
    expect(toVmEvent({ ...base, type: "Something" }).type).toBe("Normal");
  });
});
