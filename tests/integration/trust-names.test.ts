/**
 * Issue 10, defect 3 ("Names become API paths"): `%2F` inside a VM or disk name reached
 * kube-apiserver as extra path segments (`DELETE /disks/x%2F..%2F<d>` was forwarded, a platform
 * admin's `PATCH /disks/<d>%2Fstatus` reached the status subresource), `.` would have addressed a
 * whole collection, and the cluster's RBAC refusal (user, verb, namespace) came back verbatim.
 *
 * Now every name is checked per kind before a path is built (lib/server/k8s/names.ts, kinds.ts
 * `resourcePath`, client.ts `requestUrl`). A malformed name in the URL cannot name an existing
 * object: 404, like any name that does not exist. A malformed name in a body is bad input: 422 on
 * field `name`. Nothing is deleted or changed, the attempt is audited, and no answer carries RBAC
 * internals. Also here: KubeVirt's 409 power refusals are rewritten into plain messages.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getObject, paths, portalUrl, signIn, uniqueName, type ApiAnswer, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

const ns = "tenant-acme";
const disk = uniqueName("tnd");
const vm = uniqueName("tnvm");
const start = new Date(Date.now() - 1000).toISOString();
let alice: PortalClient;
let admin: PortalClient;

/** What no answer may say: RBAC and tenancy internals of the cluster's refusals. */
const internals = [/system:serviceaccount/i, /cannot (delete|patch|get|update|create) resource/i, /User "/, /in the namespace/i, /impersonat/i];

/**
 * Sends one request with `rawPath` exactly as written (fetch would normalize `.`, `..` and `%2E`
 * segments away before they reach the portal).
 */
function rawCall(client: PortalClient, method: string, rawPath: string, body?: unknown):
  Promise<ApiAnswer & { text: string; headers: http.IncomingHttpHeaders }> {
  const { hostname, port } = new URL(portalUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      hostname, port, method, path: rawPath,
      headers: { cookie: client.cookie, origin: portalUrl, ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* keep text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

function expectNoInternals(text: string): void {
  for (const pattern of internals) expect(text).not.toMatch(pattern);
}

async function waitForPowerState(name: string, state: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await alice.call("GET", "/api/tenants/acme/vms");
    if (res.body.find((v: { name: string }) => v.name === name)?.powerState === state) return;
    if (Date.now() > deadline) throw new Error(`${name} not ${state}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  [alice, admin] = await Promise.all([signIn("alice", "alice-password"), signIn("admin", "admin-password")]);
  const created = await alice.call("POST", "/api/tenants/acme/disks", { name: disk, storage: "1Gi" });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const createdVm = await alice.call("POST", "/api/tenants/acme/vms", {
    name: vm, instanceType: "u1.medium", instanceProfile: "ubuntu",
    rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "10Gi" }, runStrategy: "Halted",
  });
  expect(createdVm.status, JSON.stringify(createdVm.body)).toBe(201);
});

afterAll(async () => {
  await alice.call("DELETE", `/api/tenants/acme/vms/${vm}?withDisks=true`);
  await alice.call("DELETE", `/api/tenants/acme/disks/${disk}`);
  await getDb().$disconnect();
});

const who = () => [["alice (tenant admin)", alice], ["admin (platform admin)", admin]] as const;

/**
 * The status of a malformed disk name in a `/disks/{name}` URL. 404 is the aim (a malformed name
 * names no disk, as VM names already answer); lib/server/disks/disks.ts `getDiskOrThrow` still answers
 * 422 on field `name` for it. Either way the name never becomes a path.
 */
function expectDiskUrlNameRefused(res: ApiAnswer & { text: string }, label: string): void {
  expect(res.status, `${label}: ${res.text}`).toBe(404);
  expect(res.body.error.code).toBe("not_found");
  expectNoInternals(res.text);
}

describe("names in the URL path: 404, nothing reaches the object", () => {
  it("DELETE /disks/x%2F..%2F<disk> deletes nothing", async () => {
    for (const [label, client] of who()) {
      expectDiskUrlNameRefused(await rawCall(client, "DELETE", `/api/tenants/acme/disks/x%2F..%2F${disk}`), label);
    }
    expect(await getObject(paths.vmDisk(ns, disk))).not.toBeNull();
    expect((await alice.call("GET", "/api/tenants/acme/disks")).body.map((d: { name: string }) => d.name)).toContain(disk);
  });

  it("PATCH /disks/<disk>%2Fstatus changes nothing (no status subresource reached)", async () => {
    const before = await getObject(paths.vmDisk(ns, disk));
    for (const [label, client] of who()) {
      expectDiskUrlNameRefused(await rawCall(client, "PATCH", `/api/tenants/acme/disks/${disk}%2Fstatus`, { storage: "2Gi" }), label);
    }
    const after = await getObject(paths.vmDisk(ns, disk));
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  // `.`, `..` and `%2E` segments are removed by URL parsing before routing (WHATWG URL): the
  // answer is Next's 308 to the shortened path, where DELETE is no route (404/405). `%2F` keeps
  // them inside one segment: then it is a malformed name.
  it.each([".", "..", "%2E", "%2E%2E"])("DELETE /disks/%s never reaches a disk route", async (name) => {
    for (const [label, client] of who()) {
      const res = await rawCall(client, "DELETE", `/api/tenants/acme/disks/${name}`);
      expect([308, 404, 405], `${label}: ${res.status} ${res.text}`).toContain(res.status);
      expectNoInternals(res.text);
      if (res.status === 308) {
        const location = new URL(res.headers.location ?? "", portalUrl).pathname;
        expect(location).toMatch(/^\/api\/tenants\/acme(\/disks)?$/);
        expect([404, 405], label).toContain((await rawCall(client, "DELETE", location)).status);
      }
    }
    expect(await getObject(paths.vmDisk(ns, disk))).not.toBeNull();
  });

  it.each(["%2e%2e%2F%2e%2e", "..%2F..%2Fvmdisks", "%2E%2E%2Fvmdisks"])("DELETE /disks/%s is a malformed name", async (name) => {
    for (const [label, client] of who()) expectDiskUrlNameRefused(await rawCall(client, "DELETE", `/api/tenants/acme/disks/${name}`), label);
    expect(await getObject(paths.vmDisk(ns, disk))).not.toBeNull();
  });

  it("DELETE /vms/<vm>%2F..%2F<vm> and GET /vms/<vm>%2Fx answer 404, the VM stays", async () => {
    for (const [label, client] of who()) {
      const del = await rawCall(client, "DELETE", `/api/tenants/acme/vms/${vm}%2F..%2F${vm}`);
      expect(del.status, `${label}: ${del.text}`).toBe(404);
      expect(del.body.error.code).toBe("not_found");
      expectNoInternals(del.text);
      const get = await rawCall(client, "GET", `/api/tenants/acme/vms/${vm}%2Fx`);
      expect(get.status, `${label}: ${get.text}`).toBe(404);
      const dotted = await rawCall(client, "DELETE", "/api/tenants/acme/vms/a.b");
      expect(dotted.status, `${label}: ${dotted.text}`).toBe(404);
      const detach = await rawCall(client, "DELETE", `/api/tenants/acme/vms/${vm}/disks/x%2F..%2F${disk}`);
      expect(detach.status, `${label}: ${detach.text}`).toBe(404);
      expectNoInternals(detach.text);
    }
    expect(await getObject(paths.vmInstance(ns, vm))).not.toBeNull();
  });

  it("power actions on vm%2Fx answer 404", async () => {
    for (const [label, client] of who()) {
      for (const action of ["start", "stop", "restart"]) {
        const res = await rawCall(client, "POST", `/api/tenants/acme/vms/vm%2F${vm}/${action}`);
        expect(res.status, `${label} ${action}: ${res.text}`).toBe(404);
        expectNoInternals(res.text);
      }
    }
  });

  it("audits every refused mutation as denied or failed, readable by the platform admin", async () => {
    const since = encodeURIComponent(start);
    const rows = async (actor: string, action: string) =>
      ((await admin.call("GET", `/api/audit?tenant=acme&actor=${actor}&action=${action}&from=${since}&limit=200`)).body.items as
        { result: string; targetName: string | null }[]).filter((r) => r.result !== "success");
    for (const actor of ["alice", "admin"]) {
      const diskDeletes = await rows(actor, "disk.delete");
      expect(diskDeletes.map((r) => r.targetName)).toContain(`x/../${disk}`);
      expect(diskDeletes.every((r) => r.result === "denied" || r.result === "failure")).toBe(true);
      expect((await rows(actor, "disk.grow")).map((r) => r.targetName)).toContain(`${disk}/status`);
      expect((await rows(actor, "vm.delete")).map((r) => r.targetName)).toContain(`${vm}/../${vm}`);
      expect((await rows(actor, "vm.start")).map((r) => r.targetName)).toContain(`vm/${vm}`);
    }
  });
});

describe("names in a body: 422 on field name, nothing created", () => {
  it.each(["a/b", ".", "..", "x%2Fy", `../${disk}`])("refuses disk name %j", async (name) => {
    const res = await alice.call("POST", "/api/tenants/acme/disks", { name, storage: "1Gi" });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.field).toBe("name");
  });

  it.each(["a/b", ".", "..", `x/../${vm}`])("refuses VM name %j", async (name) => {
    const res = await admin.call("POST", "/api/tenants/acme/vms", {
      name, instanceType: "u1.medium", instanceProfile: "ubuntu", rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "10Gi" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.field).toBe("name");
  });

  it("refuses attaching a disk named ../<disk> (422 on name) and leaves the VM's disks alone", async () => {
    const before = (await getObject(paths.vmInstance(ns, vm))).spec.disks;
    const res = await alice.call("POST", `/api/tenants/acme/vms/${vm}/disks`, { name: `../${disk}` });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.field).toBe("name");
    expect((await getObject(paths.vmInstance(ns, vm))).spec.disks).toEqual(before);
  });

  it("refuses a tenant name with '/' (422 on field name)", async () => {
    const res = await admin.call("POST", "/api/admin/tenants", {
      name: "a/b", displayName: "Slash", quota: { cpuMillicores: 1000, memoryBytes: 2 ** 30, storageBytes: 2 ** 30, vmCount: 1, diskCount: 1, loadBalancers: 0 },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.field).toBe("name");
  });
});

describe("KubeVirt's power refusals in plain words", () => {
  it("says a stopped VM is already stopped, and that a stopped VM cannot be restarted", async () => {
    await waitForPowerState(vm, "Stopped");
    const stop = await alice.call("POST", `/api/tenants/acme/vms/${vm}/stop`);
    expect(stop.status).toBe(409);
    expect(stop.body.error.message).toBe("The VM is already stopped.");
    const restart = await alice.call("POST", `/api/tenants/acme/vms/${vm}/restart`);
    expect(restart.status).toBe(409);
    expect(restart.body.error.message).toMatch(/^The VM is stopped/);
    for (const res of [stop, restart]) {
      expect(JSON.stringify(res.body)).not.toMatch(/Operation cannot be fulfilled|kubevirt\.io|RunSt?ategy/);
    }
  });
});
