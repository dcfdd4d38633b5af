import { describe, expect, it } from "vitest";
import { cloudInitUser, toVmOverview, type OverviewSources } from "./overview";
import { toVmEvent } from "./events";
import type { VMInstance } from "../k8s/objects";

const instance = (spec: VMInstance["spec"] = {}, conditions: VMInstance["status"] = undefined): VMInstance => ({
  apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: "web" }, spec: { runStrategy: "Always", ...spec }, status: conditions,
});
const runningVmi = { metadata: { name: "vm-instance-web", creationTimestamp: "2026-12-01T10:00:00Z" },
  status: { phase: "Running", nodeName: "node-1", interfaces: [{ ipAddress: "10.244.0.5", ipAddresses: ["10.244.0.5", "fd00::5"] }],
    phaseTransitionTimestamps: [{ phase: "Scheduled", phaseTransitionTimestamp: "2026-12-01T10:00:01Z" }, { phase: "Running", phaseTransitionTimestamp: "2026-12-01T10:00:09Z" }] } };
const base = (over: Partial<OverviewSources> = {}): OverviewSources => ({ instance: instance(), dataVolumes: [], ...over });

describe("toVmOverview", () => {
  it("gives addresses, node and the time the guest reached Running", () => {
    const o = toVmOverview(base({ vmi: runningVmi }));
    expect(o.ipAddresses).toEqual(["10.244.0.5", "fd00::5"]);
    expect(o.node).toBe("node-1");
    expect(o.startedAt).toBe("2026-12-01T10:00:09Z");
    expect(o.sshCommand).toBe("ssh 10.244.0.5");
  });

  it("has no address, node, start or SSH command while stopped", () => {
    const o = toVmOverview(base());
    expect(o).toMatchObject({ ipAddresses: [], restartRequired: false, runStrategy: "Always" });
    expect(o.node ?? o.startedAt ?? o.sshCommand).toBeUndefined();
  });

  it("prefers the load-balancer IP for SSH when port 22 is exposed, with cloud-init's user", () => {
    const o = toVmOverview(base({
      instance: instance({ external: true, externalPorts: [22, 80], cloudInit: "#cloud-config\nusers:\n  - default\n  - name: ops\n" }),
      vmi: runningVmi, service: { metadata: { name: "vm-instance-web" }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.9" }] } } },
    }));
    expect(o.external).toEqual({ method: "PortList", ports: [22, 80], ip: "192.0.2.9" });
    expect(o.sshCommand).toBe("ssh ops@192.0.2.9");
  });

  it("uses the guest's address when 22 is not exposed, and says WholeIP exposes every port", () => {
    const svc = { metadata: { name: "x" }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.9" }] } } };
    expect(toVmOverview(base({ instance: instance({ external: true, externalPorts: [443] }), vmi: runningVmi, service: svc })).sshCommand).toBe("ssh 10.244.0.5");
    expect(toVmOverview(base({ instance: instance({ external: true, externalMethod: "WholeIP" }), vmi: runningVmi, service: svc })).external)
      .toEqual({ method: "WholeIP", ports: [], ip: "192.0.2.9" });
    expect(toVmOverview(base({ instance: instance({ external: true }) })).external).toEqual({ method: "PortList", ports: [22] });
  });

  it("explains the state with the first failing condition: VMInstance, then VirtualMachine, then a DataVolume", () => {
    const vm = { metadata: { name: "vm-instance-web" }, status: { printableStatus: "ErrorUnschedulable",
      conditions: [{ type: "Ready" as const, status: "False" as const, reason: "Unschedulable", message: "0/1 nodes are available" }] } };
    const dv = { metadata: { name: "vm-disk-web-os" }, status: { phase: "ImportInProgress",
      conditions: [{ type: "Running" as const, status: "False" as const, reason: "Error", message: "Unable to connect to http data source: 404 Not Found" }] } };
    expect(toVmOverview(base({ vm, dataVolumes: [dv] })).problem).toEqual({ source: "VirtualMachine", object: "vm-instance-web", reason: "Unschedulable", message: "0/1 nodes are available" });
    expect(toVmOverview(base({ dataVolumes: [dv] })).problem).toMatchObject({ source: "DataVolume", object: "vm-disk-web-os", reason: "Error" });
    const failedInstall = instance({}, { conditions: [{ type: "Ready", status: "False", reason: "InstallFailed", message: "Helm install failed" }] });
    expect(toVmOverview(base({ instance: failedInstall, vm })).problem?.source).toBe("VMInstance");
  });

  it("does not call a stopped VM's Ready=False (VMINotExists) or a pause a problem", () => {
    const vm = { metadata: { name: "vm-instance-web" }, status: { conditions: [
      { type: "Ready" as const, status: "False" as const, reason: "VMINotExists", message: "VMI does not exist" },
      { type: "Ready" as const, status: "False" as const, reason: "PausedByUser", message: "VMI was paused by user" }] } };
    expect(toVmOverview(base({ vm })).problem).toBeUndefined();
  });

  it("reports KubeVirt's RestartRequired condition", () => {
    const vm = { metadata: { name: "vm-instance-web" }, status: { conditions: [{ type: "RestartRequired" as const, status: "True" as const, message: "a non-live-updatable field was changed" }] } };
    expect(toVmOverview(base({ vm })).restartRequired).toBe(true);
  });
});

describe("cloudInitUser", () => {
  it("reads user: and users:, skips default, refuses names unsafe in a shell", () => {
    expect(cloudInitUser("#cloud-config\nuser: ubuntu\n")).toBe("ubuntu");
    expect(cloudInitUser("#cloud-config\nuser:\n  name: admin\n")).toBe("admin");
    expect(cloudInitUser("#cloud-config\nusers: [default, ops]\n")).toBe("ops");
    expect(cloudInitUser("#cloud-config\nusers: [default]\n")).toBeUndefined();
    expect(cloudInitUser("#cloud-config\nuser: \"x; rm -rf /\"\n")).toBeUndefined();
    expect(cloudInitUser("#!/bin/sh\necho hi")).toBeUndefined();
    expect(cloudInitUser("#cloud-config\n: [")).toBeUndefined();
    expect(cloudInitUser(undefined)).toBeUndefined();
  });
});

describe("toVmEvent", () => {
  it("maps core Events and events.k8s.io-style series like kubectl's LAST SEEN and COUNT", () => {
    expect(toVmEvent({ metadata: { name: "e1", uid: "u1" }, involvedObject: { kind: "VirtualMachine", name: "vm-instance-web" },
      type: "Warning", reason: "FailedCreate", message: "m", count: 3, firstTimestamp: "2026-12-01T10:00:00Z", lastTimestamp: "2026-12-01T10:05:00Z" }))
      .toEqual({ id: "u1", type: "Warning", reason: "FailedCreate", message: "m", count: 3, object: { kind: "VirtualMachine", name: "vm-instance-web" },
        firstSeen: "2026-12-01T10:00:00Z", lastSeen: "2026-12-01T10:05:00Z" });
    const series = toVmEvent({ metadata: { name: "e2" }, involvedObject: {}, eventTime: "2026-12-01T10:00:00Z", firstTimestamp: null, lastTimestamp: null,
      series: { count: 7, lastObservedTime: "2026-12-01T11:00:00Z" } });
    expect(series).toMatchObject({ id: "e2", type: "Normal", count: 7, lastSeen: "2026-12-01T11:00:00Z" });
    expect(series.firstSeen).toBeUndefined();
  });
});

describe("toVmOverview on KubeVirt's ordinary transitions", () => {
  it("does not show a booting or stopping VM's Ready=False as a problem", () => {
    for (const [printableStatus, reason] of [["Starting", "GuestNotRunning"], ["Stopping", "PodTerminating"], ["Provisioning", "SomethingNew"]]) {
      const vm = { metadata: { name: "vm-instance-web" }, status: { printableStatus, conditions: [{ type: "Ready" as const, status: "False" as const, reason, message: "Guest VM is not reported as running" }] } };
      expect(toVmOverview(base({ vm })).problem, printableStatus).toBeUndefined();
    }
  });
});
