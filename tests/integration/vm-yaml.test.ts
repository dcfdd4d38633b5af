/**
 * The YAML tab's API (lib/server/vms/yaml.ts, `GET|PUT /api/tenants/{t}/vms/{name}/yaml`) against
 * the real local cluster: the VMInstance as stored and its VirtualMachine as YAML with the spec's
 * schema from the API server's OpenAPI document; an edit goes through the form's write path
 * (update.ts applyVmSpec): unknown fields and wrong types are refused naming the field by the
 * API server's strict dry-run and change nothing, a stale resourceVersion is a 409 with the stored
 * spec, the portal's own checks apply (duplicate ports), metadata and status in the document are
 * ignored, every attempt is audited with what changed; view members read but cannot edit,
 * non-members get 404.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { getObject, paths, sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";

const ns = "tenant-acme";
let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const name = uniqueName("yaml");
const yamlPath = `/api/tenants/acme/vms/${name}/yaml`;
const stored = async () => (await getObject(paths.vmInstance(ns, name)))!;

/** The YAML tab as alice reads it, with the document parsed. */
async function read(client: PortalClient = alice): Promise<{ body: any; doc: any }> {
  const res = await client.call("GET", yamlPath);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { body: res.body, doc: YAML.parse(res.body.instance) };
}

/** The stored document with `change` applied to it, as text. */
async function edited(change: (doc: any) => void): Promise<{ yaml: string; resourceVersion: string }> {
  const { body, doc } = await read();
  change(doc);
  return { yaml: YAML.stringify(doc), resourceVersion: body.resourceVersion };
}

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
  const res = await alice.call("POST", "/api/tenants/acme/vms", {
    name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, externalPorts: [22], runStrategy: "Halted",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});

afterAll(async () => {
  await alice?.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
});

describe("VM YAML", () => {
  it("shows the VMInstance as stored (no managedFields), its VirtualMachine and the spec's schema", { timeout: 120_000 }, async () => {
    // The stand-in keeps writing the VMInstance's status while the VM settles: compare the answer
    // with a read of the cluster made right after it, retried until both saw the same version.
    let answer: any;
    let object: any;
    const deadline = Date.now() + 60_000;
    do {
      answer = (await read()).body;
      object = await stored();
      if (answer.virtualMachine && answer.resourceVersion === object.metadata.resourceVersion) break;
      await new Promise((r) => setTimeout(r, 500));
    } while (Date.now() < deadline);
    expect(answer.instance).toContain("kind: VMInstance\n");
    expect(answer.instance).toContain(`name: ${name}\n`);
    expect(answer.resourceVersion).toBe(object.metadata.resourceVersion);
    expect(answer.instance).toContain(`resourceVersion: "${object.metadata.resourceVersion}"`);
    expect(answer.instance).not.toContain("managedFields");
    expect(YAML.parse(answer.instance).spec).toEqual(object.spec);
    expect(answer.virtualMachine).toContain("kind: VirtualMachine\n");
    expect(answer.virtualMachine).toContain(`name: vm-instance-${name}\n`);
    expect(answer.virtualMachine).not.toContain("managedFields");
    expect(answer.schema.properties.instanceType.type).toBe("string");
    expect(answer.schema.properties.runStrategy.enum).toContain("Halted");
  });

  it("refuses an unknown field and a wrong type naming the field, changing nothing", async () => {
    const before = await stored();
    const unknown = await alice.call("PUT", yamlPath, await edited((d) => { d.spec.foo = 1; }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: "invalid", field: "foo", message: "spec.foo is not a field of a VMInstance" });

    const wrongType = await alice.call("PUT", yamlPath, await edited((d) => { d.spec.instanceType = 5; }));
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.error.field).toBe("instanceType");
    expect(wrongType.body.error.message).toContain("spec.instanceType");

    const badEnum = await alice.call("PUT", yamlPath, await edited((d) => { d.spec.runStrategy = "Sometimes"; }));
    expect(badEnum.status).toBe(422);
    expect(badEnum.body.error.field).toBe("runStrategy");

    const after = await stored();
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec).toEqual(before.spec);
  });

  it("refuses what is not this VM's VMInstance document, naming the field (syntax errors by line and column)", async () => {
    const { resourceVersion } = await edited(() => {});
    const syntax = await alice.call("PUT", yamlPath, { yaml: "apiVersion: apps.cozystack.io/v1alpha1\nkind: VMInstance\nspec:\n  disks: [a,\n", resourceVersion });
    expect(syntax.status).toBe(422);
    expect(syntax.body.error.field).toBe("yaml");
    expect(syntax.body.error.message).toMatch(/line \d+, column \d+/);
    for (const [change, field] of [
      [(d: any) => { d.kind = "VMDisk"; }, "kind"],
      [(d: any) => { d.apiVersion = "kubevirt.io/v1"; }, "apiVersion"],
      [(d: any) => { d.metadata.name = "someone-else"; }, "metadata.name"],
      [(d: any) => { d.spec = "nothing"; }, "spec"],
    ] as const) {
      const res = await alice.call("PUT", yamlPath, await edited(change));
      expect(res.status, field).toBe(422);
      expect(res.body.error.field).toBe(field);
    }
    expect((await alice.call("PUT", yamlPath, { yaml: "a: 1" })).body.error.field).toBe("resourceVersion");
  });

  it("applies the portal's own checks to a YAML edit: duplicate external ports are refused", async () => {
    const before = await stored();
    const res = await alice.call("PUT", yamlPath, await edited((d) => { d.spec.externalPorts = [22, 80, 22]; }));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ field: "externalPorts.2" });
    expect((await stored()).spec).toEqual(before.spec);
  });

  it("refuses a stale resourceVersion with 409 carrying the stored spec", async () => {
    const { yaml } = await edited((d) => { d.spec.runStrategy = "Manual"; });
    const res = await alice.call("PUT", yamlPath, { yaml, resourceVersion: "1" });
    expect(res.status).toBe(409);
    const object = await stored();
    expect(res.body.error).toMatchObject({ code: "conflict", field: "resourceVersion" });
    expect(res.body.error.details).toEqual({ reason: "stale", resourceVersion: object.metadata.resourceVersion, spec: object.spec });
    expect(object.spec.runStrategy).toBe("Halted");
  });

  it("writes a good change (spec only: metadata and status in the document are ignored) and says what changed", async () => {
    const before = await stored();
    const res = await alice.call("PUT", yamlPath, await edited((d) => {
      d.spec.runStrategy = "Manual";
      d.spec.externalPorts = [22, 8080];
      d.metadata.labels = { ...(d.metadata.labels ?? {}), "yaml-test": "ignored" };
      d.status = { conditions: [] };
    }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // a VM created without external access stores no ports ("—")
    const ports = `externalPorts: ${before.spec.externalPorts?.length ? before.spec.externalPorts.join(", ") : "—"} → 22, 8080`;
    expect(res.body.changed).toEqual(["runStrategy: Halted → Manual", ports]);
    expect(res.body.restartRequired).toBe(false);
    const object = await stored();
    expect(object.spec.runStrategy).toBe("Manual");
    expect(object.spec.externalPorts).toEqual([22, 8080]);
    expect(object.metadata.labels?.["yaml-test"]).toBeUndefined();
    expect(res.body.resourceVersion).toBe(object.metadata.resourceVersion);

    const again = await alice.call("PUT", yamlPath, await edited(() => {}));
    expect(again.status).toBe(200);
    expect(again.body.changed).toEqual([]);
  });

  it("lets victor (view) read the YAML but refuses his edit with 403, changing nothing; bob gets 404", async () => {
    const before = await stored();
    const viewed = await read(victor);
    expect(viewed.body.instance).toContain("kind: VMInstance");
    expect(viewed.body.virtualMachine).toContain("kind: VirtualMachine");
    const put = await victor.call("PUT", yamlPath, await edited((d) => { d.spec.runStrategy = "Always"; }));
    expect(put.status).toBe(403);
    expect((await stored()).metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    expect((await bob.call("GET", yamlPath)).status).toBe(404);
    expect((await bob.call("PUT", yamlPath, await edited((d) => { d.spec.runStrategy = "Always"; }))).status).toBe(404);
    expect((await alice.call("GET", "/api/tenants/acme/vms/no-such-vm/yaml")).status).toBe(404);
    expect((await alice.call("GET", "/api/tenants/acme/vms/Bad..Name/yaml")).status).toBe(404);
    expect((await alice.call("PUT", "/api/tenants/acme/vms/no-such-vm/yaml", await edited(() => {}))).status).toBe(404);
  });

  it("audits every attempt as vm.update with what changed, never the document", async () => {
    const res = await alice.call("GET", "/api/audit?tenant=acme&action=vm.update&limit=200");
    expect(res.status).toBe(200);
    const rows = (res.body.items as any[]).filter((r) => r.targetName === name);
    const success = rows.find((r) => r.result === "success" && r.requestSummary.includes("8080"));
    expect(JSON.parse(success.requestSummary)).toEqual({ changed: ["runStrategy: Halted → Manual", expect.stringMatching(/^externalPorts: .* → 22, 8080$/)], via: "yaml" });
    expect(rows.some((r) => r.result === "failure" && r.errorMessage === "spec.foo is not a field of a VMInstance")).toBe(true);
    expect(rows.some((r) => r.actor === "victor" && r.result === "denied")).toBe(true);
    for (const r of rows.filter((x) => x.actor === "alice")) expect(r.requestSummary).not.toContain(sampleSshKey.slice(0, 40));
  });
});
