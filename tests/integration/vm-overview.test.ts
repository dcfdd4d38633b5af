/**
 * The VM page's Overview and Events (lib/server/vms/overview.ts, events.ts) against the real
 * local cluster and the KubeVirt stand-in's QEMU guest: the guest's address from the
 * VirtualMachineInstance, the load-balancer address of an external VM's Service, the SSH command
 * with cloud-init's user, node and start time, the catalogue sizes; the events of the VM's
 * creation; who may read them (view yes, non-members 404).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const name = uniqueName("ovw");

async function detailWhen(check: (body: any) => boolean, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await alice.call("GET", `/api/tenants/acme/vms/${name}`);
    if (res.status === 200 && check(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
  const res = await alice.call("POST", "/api/tenants/acme/vms", {
    name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: true, externalPorts: [22, 443], runStrategy: "Always",
    cloudInit: "#cloud-config\nuser: cirros\n",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});

afterAll(async () => {
  await alice?.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
  await getDb().$disconnect();
});

describe("VM overview", () => {
  it("shows the guest's address, the external IP and ports, an SSH command, node, start time and sizes", async () => {
    const body = await detailWhen((b) => b.vm.powerState === "Running" && b.overview.ipAddresses.length > 0 && b.overview.external?.ip);
    const o = body.overview;
    expect(o.ipAddresses[0]).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(o.external).toMatchObject({ method: "PortList", ports: [22, 443] });
    expect(o.external.ip).toMatch(/^192\.0\.2\.\d+$/);
    expect(o.sshCommand).toBe(`ssh cirros@${o.external.ip}`);
    expect(o.node).toBeTruthy();
    expect(Date.parse(o.startedAt)).toBeLessThanOrEqual(Date.now());
    expect(o.instanceType).toEqual({ name: "u1.medium", cpu: 1, memoryBytes: 4 * 1024 ** 3 });
    expect(o.preference.name).toBe("cirros");
    expect(o.runStrategy).toBe("Always");
    expect(o.restartRequired).toBe(false);
    expect(o.problem).toBeUndefined();
  });

  it("lists the events of the VM's creation newest first, for victor too; bob gets 404", async () => {
    const deadline = Date.now() + 60_000;
    let events: any[] = [];
    while (Date.now() < deadline) {
      const res = await alice.call("GET", `/api/tenants/acme/vms/${name}/events`);
      expect(res.status).toBe(200);
      events = res.body;
      const kinds = new Set(events.map((e) => e.object.kind));
      if (kinds.has("VMInstance") && kinds.has("VirtualMachine") && kinds.has("Service")) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const reasons = events.map((e) => `${e.object.kind}/${e.reason}`);
    expect(reasons).toContain("Service/EnsuredLoadBalancer");
    expect(reasons.some((r) => r.startsWith("VMInstance/"))).toBe(true);
    expect(reasons.some((r) => r.startsWith("VirtualMachine/"))).toBe(true);
    const times = events.map((e) => e.lastSeen);
    expect([...times].sort().reverse()).toEqual(times);
    for (const e of events) expect(e.count).toBeGreaterThanOrEqual(1);

    const viewed = await victor.call("GET", `/api/tenants/acme/vms/${name}/events`);
    expect(viewed.status).toBe(200);
    expect(viewed.body.length).toBeGreaterThan(0);
    expect((await victor.call("GET", `/api/tenants/acme/vms/${name}`)).body.overview.ipAddresses.length).toBeGreaterThan(0);
    expect((await bob.call("GET", `/api/tenants/acme/vms/${name}/events`)).status).toBe(404);
    expect((await alice.call("GET", `/api/tenants/acme/vms/no-such-vm/events`)).status).toBe(404);
    expect((await alice.call("GET", `/api/tenants/acme/vms/Bad..Name/events`)).status).toBe(404);
  });
});
