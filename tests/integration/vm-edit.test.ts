/**
 * Editing a VM (lib/server/vms/update.ts, `PATCH /api/tenants/{t}/vms/{name}`) against the real
 * local cluster and the stand-in's QEMU guest: a resize of a running VM waits for a restart
 * (KubeVirt's RestartRequired, shown in the Overview), a stale resourceVersion is refused with
 * the stored spec, bad input names the field and changes nothing, the quota is checked on the
 * difference, custom resources replace the instance type, every attempt is audited with what
 * changed; view members read but cannot edit, non-members get 404.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getObject, paths, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

const ns = "tenant-acme";
let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const name = uniqueName("edit");

const vmPath = `/api/tenants/acme/vms/${name}`;
const stored = async () => (await getObject(paths.vmInstance(ns, name)))!;

async function detailWhen(check: (body: any) => boolean, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await alice.call("GET", vmPath);
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
    external: true, externalPorts: [22], runStrategy: "Always",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});

afterAll(async () => {
  await alice?.call("DELETE", `${vmPath}?withDisks=true`);
  await getDb().$disconnect();
});

describe("VM edit", () => {
  it("gives the edit form the stored spec", async () => {
    const body = await detailWhen((b) => b.vm.powerState === "Running");
    expect(body.spec).toEqual({
      instanceType: "u1.medium", instanceProfile: "cirros", sshKeys: [], cloudInit: "", external: true,
      externalMethod: "PortList", externalPorts: [22], runStrategy: "Always",
    });
  });

  it("resizes a running VM: the answer and the Overview say a restart is required, which a restart clears", { timeout: 180_000 }, async () => {
    const before = await detailWhen((b) => b.vm.powerState === "Running");
    const res = await alice.call("PATCH", vmPath, { resourceVersion: before.vm.resourceVersion, instanceType: "u1.large" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.changed).toEqual(["instanceType: u1.medium → u1.large"]);
    expect(res.body.restartRequired).toBe(true);
    expect((await stored()).spec.instanceType).toBe("u1.large");
    await detailWhen((b) => b.overview.restartRequired === true && b.vm.powerState === "Running");
    expect((await alice.call("POST", `${vmPath}/restart`)).status).toBe(202);
    const after = await detailWhen((b) => b.overview.restartRequired === false && b.vm.powerState === "Running", 150_000);
    expect(after.overview.instanceType).toMatchObject({ name: "u1.large", cpu: 2 });
    const vmi = await getObject(`/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/vm-instance-${name}`);
    expect(vmi.status.currentCPUTopology.sockets).toBe(2);
  });

  it("refuses a change based on an old resourceVersion with 409 and the stored spec", async () => {
    const current = await stored();
    const old = String(Number(current.metadata.resourceVersion) - 1);
    const res = await alice.call("PATCH", vmPath, { resourceVersion: old, runStrategy: "Manual" });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toMatchObject({ reason: "stale", resourceVersion: current.metadata.resourceVersion, spec: { instanceType: "u1.large" } });
    expect((await stored()).spec.runStrategy).toBe("Always");
  });

  it("names the field of bad input and changes nothing: duplicate ports, unknown type, missing resources, a profile too big", async () => {
    const rv = (await stored()).metadata.resourceVersion;
    const cases: [Record<string, unknown>, string][] = [
      [{ externalPorts: [22, 22] }, "externalPorts"],
      [{ externalPorts: [0] }, "externalPorts.0"],
      [{ instanceType: "u9.huge" }, "instanceType"],
      [{ instanceType: "" }, "resources"],
      [{ instanceType: "", resources: { cpu: 0, sockets: 1, memory: "1Gi" } }, "resources.cpu"],
      [{ runStrategy: "Sometimes" }, "runStrategy"],
      [{ sshKeys: ["ssh-rsa nope"] }, "sshKeys.0"],
      [{ cloudInit: "hello" }, "cloudInit"],
      // windows.11 needs 2 vCPU; u1.medium has 1
      [{ instanceType: "u1.medium", instanceProfile: "windows.11" }, "instanceProfile"],
    ];
    for (const [change, field] of cases) {
      const res = await alice.call("PATCH", vmPath, { resourceVersion: rv, ...change });
      expect(res.status, `${JSON.stringify(change)} → ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.error.field, JSON.stringify(change)).toBe(field);
    }
    expect((await stored()).metadata.resourceVersion).toBe(rv);
  });

  it("sizes the VM by hand with resources instead of an instance type, and back", async () => {
    let rv = (await stored()).metadata.resourceVersion;
    let res = await alice.call("PATCH", vmPath, { resourceVersion: rv, instanceType: "", resources: { cpu: 1, sockets: 2, memory: "2Gi" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.changed).toEqual(["instanceType: u1.large → —", "resources: — → 1 cores × 2 sockets, 2Gi"]);
    let spec = (await stored()).spec;
    expect(spec.instanceType).toBe("");
    expect(spec.resources).toEqual({ cpu: 1, sockets: 2, memory: "2Gi" });
    const detail = await detailWhen((b) => b.spec.resources !== undefined);
    expect(detail.spec.resources).toEqual({ cpu: 1, sockets: 2, memory: "2Gi" });
    rv = res.body.resourceVersion;
    res = await alice.call("PATCH", vmPath, { resourceVersion: rv, instanceType: "u1.medium" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    spec = (await stored()).spec;
    expect(spec.instanceType).toBe("u1.medium");
    expect(spec.resources ?? {}).toEqual({}); // the schema defaults resources to {}
  });

  it("checks the quota on the difference only: a resize past it is 403 quota_exceeded naming vCPU, a same-size edit passes", async () => {
    const tenant = await getDb().tenant.findUniqueOrThrow({ where: { name: "acme" } });
    const saved = await getDb().quota.findUnique({ where: { tenantId: tenant.id } });
    const usage = (await alice.call("GET", "/api/tenants/acme/quota")).body.usage;
    const limits = { cpuMillicores: usage.cpuMillicores, memoryBytes: BigInt(usage.memoryBytes + 2 ** 40), storageBytes: BigInt(usage.storageBytes + 2 ** 40),
      vmCount: usage.vmCount + 10, diskCount: usage.diskCount + 10, loadBalancers: usage.loadBalancers + 10 };
    await getDb().quota.upsert({ where: { tenantId: tenant.id }, create: { tenantId: tenant.id, ...limits }, update: limits });
    try {
      const rv = (await stored()).metadata.resourceVersion;
      const res = await alice.call("PATCH", vmPath, { resourceVersion: rv, instanceType: "u1.xlarge" });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.code).toBe("quota_exceeded");
      expect(res.body.error.message).toMatch(/vCPU/);
      expect((await stored()).spec.instanceType).toBe("u1.medium");
      // Full to the brim, yet a change that does not grow the VM passes.
      const ok = await alice.call("PATCH", vmPath, { resourceVersion: rv, externalPorts: [22, 8080] });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect((await stored()).spec.externalPorts).toEqual([22, 8080]);
    } finally {
      if (saved) {
        const { cpuMillicores, memoryBytes, storageBytes, vmCount, diskCount, loadBalancers } = saved;
        await getDb().quota.update({ where: { tenantId: tenant.id }, data: { cpuMillicores, memoryBytes, storageBytes, vmCount, diskCount, loadBalancers } });
      } else {
        await getDb().quota.delete({ where: { tenantId: tenant.id } });
      }
    }
  });

  it("creates a VM with a custom size instead of an instance type; the quota counts cores × sockets and its memory", async () => {
    const custom = uniqueName("cust");
    const before = (await alice.call("GET", "/api/tenants/acme/quota")).body.usage;
    const base = { name: custom, instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" }, runStrategy: "Halted" };
    const missing = await alice.call("POST", "/api/tenants/acme/vms", { ...base, instanceType: "" });
    expect(missing.status).toBe(422);
    expect(missing.body.error.field).toBe("instanceType");
    const res = await alice.call("POST", "/api/tenants/acme/vms", { ...base, instanceType: "", resources: { cpu: 1, sockets: 2, memory: "512Mi" } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    try {
      const spec = (await getObject(paths.vmInstance(ns, custom)))!.spec;
      expect(spec).toMatchObject({ instanceType: "", resources: { cpu: 1, sockets: 2, memory: "512Mi" } });
      const after = (await alice.call("GET", "/api/tenants/acme/quota")).body.usage;
      expect(after.cpuMillicores - before.cpuMillicores).toBe(2000);
      expect(after.memoryBytes - before.memoryBytes).toBe(512 * 2 ** 20);
    } finally {
      await alice.call("DELETE", `/api/tenants/acme/vms/${custom}?withDisks=true`);
    }
  });

  it("lets a viewer read but not edit (403), and answers 404 to a non-member; nothing changes", async () => {
    const rv = (await stored()).metadata.resourceVersion;
    expect((await victor.call("GET", vmPath)).status).toBe(200);
    const denied = await victor.call("PATCH", vmPath, { resourceVersion: rv, runStrategy: "Halted" });
    expect(denied.status).toBe(403);
    expect((await bob.call("GET", vmPath)).status).toBe(404);
    expect((await bob.call("PATCH", vmPath, { resourceVersion: rv, runStrategy: "Halted" })).status).toBe(404);
    expect((await stored()).metadata.resourceVersion).toBe(rv);
  });

  it("audits every attempt as vm.update (success, failure, denied), a success with what changed", async () => {
    const rows = await getDb().auditLog.findMany({ where: { action: "vm.update", targetName: name }, orderBy: { createdAt: "asc" } });
    const results = rows.map((r) => r.result);
    expect(results).toEqual(expect.arrayContaining(["success", "failure", "denied"]));
    const resize = rows.find((r) => r.requestSummary.includes("u1.medium → u1.large"));
    expect(resize?.result).toBe("success");
    expect(rows.some((r) => r.actor === "victor" && r.result === "denied")).toBe(true);
  });
});
