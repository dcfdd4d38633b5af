/**
 * The VM slice through the portal's API against the real local cluster: alice (admin of acme)
 * creates, lists and deletes; victor (view) is refused; globex stays invisible to alice; bad input
 * is refused before anything reaches the cluster; every mutation leaves an audit row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { anonymous, getObject, paths, sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const ns = "tenant-acme";

const schemaDir = fs.existsSync(path.resolve("../shared/spec/cozystack")) ? path.resolve("../shared/spec/cozystack") : path.resolve("dev-cluster/cozystack-schemas");
const ajv = new Ajv({ strict: false, allErrors: true });
const validateVmInstanceSpec = ajv.compile(JSON.parse(fs.readFileSync(path.join(schemaDir, "vm-instance.values.schema.json"), "utf8")));
const validateVmDiskSpec = ajv.compile(JSON.parse(fs.readFileSync(path.join(schemaDir, "vm-disk.values.schema.json"), "utf8")));

function createRequest(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    instanceType: "u1.medium",
    instanceProfile: "ubuntu",
    rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "20Gi" },
    sshKeys: [sampleSshKey],
    cloudInit: "#cloud-config\npackages: [nginx]\n",
    external: true,
    externalPorts: [22, 443],
    runStrategy: "Always",
    ...extra,
  };
}

async function auditRows(action: string, targetName: string) {
  return getDb().auditLog.findMany({ where: { action, targetName }, orderBy: { createdAt: "asc" } });
}

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
});

afterAll(async () => {
  await getDb().$disconnect();
});

describe("sign-in and tenants", () => {
  it("refuses a wrong password", async () => {
    await expect(signIn("alice", "nope")).rejects.toThrow(/refused/);
  });

  it("lists only the user's own tenants", async () => {
    const res = await alice.call("GET", "/api/tenants");
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ name: "acme", displayName: "ACME Corporation", role: "admin" }]);
  });

  it("answers 401 without a session", async () => {
    expect((await anonymous.call("GET", "/api/tenants/acme/vms")).status).toBe(401);
    expect((await anonymous.call("GET", "/api/tenants")).status).toBe(401);
  });
});

describe("catalogue", () => {
  it("offers the cluster's instance types grouped by series, the OS profiles and golden images", async () => {
    const res = await alice.call("GET", "/api/tenants/acme/catalogue");
    expect(res.status).toBe(200);
    const u1 = res.body.instanceTypes.find((t: { name: string }) => t.name === "u1.medium");
    expect(u1).toMatchObject({ series: "U", cpu: 1, memoryBytes: 4 * 2 ** 30, ratio: "1:4" });
    expect(res.body.instanceTypes[0].series).toBe("S");
    expect(res.body.preferences.map((p: { name: string }) => p.name)).toContain("windows.11");
    expect(res.body.images).toContain("ubuntu");
  });
});

describe("alice creates, lists and deletes a VM in acme", () => {
  const name = uniqueName("web");

  it("creates the VMInstance and its root VMDisk, both valid against the Cozystack schemas", async () => {
    const res = await alice.call("POST", "/api/tenants/acme/vms", createRequest(name));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name, instanceType: "u1.medium", instanceProfile: "ubuntu", disks: [`${name}-os`] });

    const instance = await getObject(paths.vmInstance(ns, name));
    const disk = await getObject(paths.vmDisk(ns, `${name}-os`));
    expect(instance.spec).toMatchObject({ instanceType: "u1.medium", runStrategy: "Always", disks: [{ name: `${name}-os` }], externalPorts: [22, 443], sshKeys: [sampleSshKey] });
    expect(disk.spec).toMatchObject({ source: { image: { name: "ubuntu" } }, storage: "20Gi" });
    expect(validateVmInstanceSpec(instance.spec), JSON.stringify(validateVmInstanceSpec.errors)).toBe(true);
    expect(validateVmDiskSpec(disk.spec), JSON.stringify(validateVmDiskSpec.errors)).toBe(true);
  });

  it("lists it, for alice and for victor (view)", async () => {
    for (const who of [alice, victor]) {
      const res = await who.call("GET", "/api/tenants/acme/vms");
      expect(res.status).toBe(200);
      const row = res.body.find((v: { name: string }) => v.name === name);
      expect(row).toMatchObject({ name, instanceType: "u1.medium", powerState: expect.any(String) });
    }
  });

  it("refuses a second VM with the same name with 409 and leaves the first untouched", async () => {
    const res = await alice.call("POST", "/api/tenants/acme/vms", createRequest(name, { instanceType: "u1.large" }));
    expect(res.status).toBe(409);
    expect(res.body.error.field).toBe("name");
    expect((await getObject(paths.vmInstance(ns, name))).spec.instanceType).toBe("u1.medium");
  });

  it("refuses victor's delete with 403", async () => {
    const res = await victor.call("DELETE", `/api/tenants/acme/vms/${name}`);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/view/);
    expect(await getObject(paths.vmInstance(ns, name))).not.toBeNull();
  });

  it("deletes it with its disks", async () => {
    const res = await alice.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deletedDisks: [`${name}-os`] });
    expect(await getObject(paths.vmInstance(ns, name))).toBeNull();
    expect(await getObject(paths.vmDisk(ns, `${name}-os`))).toBeNull();
  });

  it("left one audit row per mutation with the right result", async () => {
    const creates = await auditRows("vm.create", name);
    expect(creates.map((r) => [r.actor, r.result])).toEqual([["alice", "success"], ["alice", "failure"]]);
    expect(creates[0].tenantName).toBe("acme");
    expect(creates[0].requestSummary).not.toContain("packages: [nginx]"); // cloud-init is summarised, not stored
    expect(creates[0].ip).toBeTruthy();
    const deletes = await auditRows("vm.delete", name);
    expect(deletes.map((r) => [r.actor, r.result])).toEqual([["victor", "denied"], ["alice", "success"]]);
  });
});

describe("victor (view) and tenant isolation", () => {
  it("refuses victor's create with 403, creates nothing, and audits the denial", async () => {
    const name = uniqueName("denied");
    const res = await victor.call("POST", "/api/tenants/acme/vms", createRequest(name));
    expect(res.status).toBe(403);
    expect(await getObject(paths.vmInstance(ns, name))).toBeNull();
    expect(await getObject(paths.vmDisk(ns, `${name}-os`))).toBeNull();
    expect((await auditRows("vm.create", name)).map((r) => r.result)).toEqual(["denied"]);
  });

  it("answers 404 to alice for everything in globex, and to bob for acme", async () => {
    const name = uniqueName("intruder");
    expect((await alice.call("GET", "/api/tenants/globex/vms")).status).toBe(404);
    expect((await alice.call("GET", "/api/tenants/globex/catalogue")).status).toBe(404);
    expect((await alice.call("POST", "/api/tenants/globex/vms", createRequest(name))).status).toBe(404);
    expect((await alice.call("DELETE", `/api/tenants/globex/vms/${name}`)).status).toBe(404);
    expect((await bob.call("GET", "/api/tenants/acme/vms")).status).toBe(404);
    expect(await getObject(paths.vmInstance("tenant-globex", name))).toBeNull();
  });

  it("answers the same 404 for a tenant that does not exist", async () => {
    const res = await alice.call("GET", "/api/tenants/nosuchtenant/vms");
    expect(res.status).toBe(404);
  });

  it("refuses a cross-site mutation even with a valid session", async () => {
    const name = uniqueName("csrf");
    const res = await alice.call("POST", "/api/tenants/acme/vms", createRequest(name), { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(await getObject(paths.vmInstance(ns, name))).toBeNull();
  });
});

describe("bad input: 422 naming the field, nothing created", () => {
  const cases: [string, (n: string) => Record<string, unknown>, string][] = [
    ["an invalid name", () => ({ name: "Bad_Name" }), "name"],
    ["a name over 41 characters", () => ({ name: "a".repeat(42) }), "name"],
    ["an unknown instance type", () => ({ instanceType: "z9.huge" }), "instanceType"],
    ["an unknown OS profile", () => ({ instanceProfile: "beos" }), "instanceProfile"],
    ["a profile needing more than the type offers", () => ({ instanceProfile: "windows.11" }), "instanceProfile"],
    ["a malformed SSH key", () => ({ sshKeys: [sampleSshKey, "ssh-rsa AAAA not-a-key"] }), "sshKeys.1"],
    ["an SSH key that only looks right", () => ({ sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x"] }), "sshKeys.0"],
    ["invalid cloud-init YAML", () => ({ cloudInit: "#cloud-config\npackages: [nginx\n" }), "cloudInit"],
    ["a port outside 1-65535", () => ({ externalPorts: [22, 65536] }), "externalPorts.1"],
    ["an ftp root-disk URL", () => ({ rootDisk: { source: { type: "http", url: "ftp://example.org/disk.img" } } }), "rootDisk.source.url"],
  ];

  it.each(cases)("refuses %s", async (_label, patch, field) => {
    const name = uniqueName("bad");
    const body = { ...createRequest(name), ...patch(name) };
    const res = await alice.call("POST", "/api/tenants/acme/vms", body);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toContain(field.split(".")[0]);
    const createdName = typeof body.name === "string" ? body.name : name;
    if (/^[a-z][-a-z0-9]{0,40}$/.test(createdName)) {
      expect(await getObject(paths.vmInstance(ns, createdName))).toBeNull();
      expect(await getObject(paths.vmDisk(ns, `${createdName}-os`))).toBeNull();
      expect((await auditRows("vm.create", createdName)).map((r) => r.result)).toEqual(["failure"]);
    }
  });

  it("leaves the tenant's VM list unchanged after all of them", async () => {
    const res = await alice.call("GET", "/api/tenants/acme/vms");
    expect(res.body.filter((v: { name: string }) => v.name.startsWith("bad-"))).toEqual([]);
  });
});
