import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { AppError } from "../errors";
import { findVmInstanceSpecSchema, objectToYaml, parseVmInstanceYaml, putVmYamlSchema, stripManagedFields } from "./yaml";
import { mergeEdit, summarizeChange } from "./update";

const stored = {
  apiVersion: "apps.cozystack.io/v1alpha1",
  kind: "VMInstance",
  metadata: {
    name: "web",
    namespace: "tenant-acme",
    resourceVersion: "42",
    managedFields: [{ manager: "hikube-portal", operation: "Update", fieldsV1: { "f:spec": {} } }],
  },
  spec: { instanceType: "u1.medium", runStrategy: "Halted", externalPorts: [22], cloudInit: "#cloud-config\nuser: cirros\n" },
  status: { conditions: [{ type: "Ready", status: "True" }] },
};

/** The stored object edited as a user would in the YAML tab. */
function edited(change: (doc: Record<string, any>) => void): string {
  const doc = YAML.parse(objectToYaml(stored));
  change(doc);
  return YAML.stringify(doc);
}

/** The AppError thrown by `fn` (fails the test when none is). */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
}

describe("stripManagedFields / objectToYaml", () => {
  it("drops metadata.managedFields and nothing else, without touching the original", () => {
    const out = stripManagedFields(stored);
    expect(out.metadata).toEqual({ name: "web", namespace: "tenant-acme", resourceVersion: "42" });
    expect(out.spec).toBe(stored.spec);
    expect(stored.metadata.managedFields).toHaveLength(1);
    expect(stripManagedFields({ metadata: { name: "x" } })).toEqual({ metadata: { name: "x" } });
  });

  it("writes kubectl-like YAML whose long strings read back unchanged", () => {
    const long = "ssh-ed25519 " + "A".repeat(200) + " alice@laptop";
    const text = objectToYaml({ ...stored, spec: { ...stored.spec, sshKeys: [long] } });
    expect(text).toContain("kind: VMInstance\n");
    expect(text).toContain('resourceVersion: "42"');
    expect(text).not.toContain("managedFields");
    expect(YAML.parse(text).spec.sshKeys[0]).toBe(long);
    expect(YAML.parse(text).spec.cloudInit).toBe(stored.spec.cloudInit);
  });
});

describe("parseVmInstanceYaml", () => {
  it("takes only the spec: metadata and status changes are ignored", () => {
    const spec = parseVmInstanceYaml(edited((d) => {
      d.spec.runStrategy = "Manual";
      d.metadata.labels = { team: "a" };
      d.status = { ready: true };
    }), "web");
    expect(spec).toEqual({ ...stored.spec, runStrategy: "Manual" });
  });

  it("keeps unknown and wrongly typed spec fields for the API server's dry-run to name", () => {
    expect(parseVmInstanceYaml(edited((d) => { d.spec.foo = 1; d.spec.instanceType = 5; }), "web"))
      .toMatchObject({ foo: 1, instanceType: 5 });
  });

  it("names line and column of a syntax error on field yaml", () => {
    const err = thrown(() => parseVmInstanceYaml("apiVersion: apps.cozystack.io/v1alpha1\nkind: VMInstance\nspec:\n  disks: [a,\n", "web"));
    expect(err).toMatchObject({ code: "invalid", field: "yaml" });
    expect(err.message).toMatch(/^yaml is not valid YAML at line \d+, column \d+: /);
    expect(err.details).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it("refuses duplicate keys and several documents, naming the place", () => {
    const dup = thrown(() => parseVmInstanceYaml("kind: VMInstance\nkind: VMDisk\n", "web"));
    expect(dup).toMatchObject({ field: "yaml", details: { line: 2, column: 1 } });
    expect(dup.message).toContain("Map keys must be unique");
    const two = thrown(() => parseVmInstanceYaml(`${objectToYaml(stored)}---\n${objectToYaml(stored)}`, "web"));
    expect(two.message).toContain("more than one document");
  });

  it("refuses what is not a VMInstance document of this VM, naming the field", () => {
    const cases: [string, string][] = [
      ["- a\n- b\n", "yaml"],
      ["just text\n", "yaml"],
      [edited((d) => { d.apiVersion = "kubevirt.io/v1"; }), "apiVersion"],
      [edited((d) => { d.kind = "VirtualMachine"; }), "kind"],
      [edited((d) => { d.metadata.name = "other"; }), "metadata.name"],
      [edited((d) => { delete d.metadata; }), "metadata.name"],
      [edited((d) => { d.spec = null; }), "spec"],
      [edited((d) => { d.spec = ["a"]; }), "spec"],
      [edited((d) => { delete d.spec; }), "spec"],
    ];
    for (const [text, field] of cases) expect(thrown(() => parseVmInstanceYaml(text, "web")).field, text).toBe(field);
  });
});

describe("putVmYamlSchema", () => {
  it("needs the text and the resourceVersion it was read at", () => {
    expect(putVmYamlSchema.safeParse({ yaml: "a: 1", resourceVersion: "42" }).success).toBe(true);
    expect(putVmYamlSchema.safeParse({ yaml: "", resourceVersion: "42" }).error?.issues[0].path).toEqual(["yaml"]);
    expect(putVmYamlSchema.safeParse({ yaml: "a: 1" }).error?.issues[0].path).toEqual(["resourceVersion"]);
  });
});

describe("findVmInstanceSpecSchema", () => {
  it("finds the spec of the component whose GVK is VMInstance", () => {
    const spec = { type: "object", properties: { instanceType: { type: "string" } } };
    const doc = {
      components: {
        schemas: {
          "io.cozystack.apps.v1alpha1.VMDisk": { "x-kubernetes-group-version-kind": [{ kind: "VMDisk" }], properties: { spec: { type: "object" } } },
          "io.cozystack.apps.v1alpha1.VMInstance": { "x-kubernetes-group-version-kind": [{ group: "apps.cozystack.io", version: "v1alpha1", kind: "VMInstance" }], properties: { spec } },
        },
      },
    };
    expect(findVmInstanceSpecSchema(doc)).toBe(spec);
    expect(findVmInstanceSpecSchema({})).toBeNull();
  });
});

describe("update.ts summarizeChange / mergeEdit", () => {
  it("lists each changed field once, secrets by size only, other fields by name", () => {
    const before = { instanceType: "u1.medium", runStrategy: "Halted", externalPorts: [22], cloudInit: "abc", sshKeys: ["k1"] };
    const after = { instanceType: "u1.large", runStrategy: "Halted", externalPorts: [22, 443], cloudInit: "abcd", sshKeys: ["k1", "k2"], gpus: [{ name: "g" }] };
    expect(summarizeChange(before, after)).toEqual([
      "instanceType: u1.medium → u1.large",
      "externalPorts: 22 → 22, 443",
      "sshKeys: 1 key(s) → 2 key(s)",
      "cloudInit: 3 bytes → 4 bytes",
      "spec.gpus changed",
    ]);
    expect(summarizeChange(before, structuredClone(before))).toEqual([]);
  });

  it("mergeEdit replaces given fields and drops resources when an instance type is chosen", () => {
    const current = { instanceType: "", resources: { cpu: 2, sockets: 1, memory: "2Gi" }, runStrategy: "Always" };
    expect(mergeEdit(current, { resourceVersion: "1", instanceType: "u1.small" } as never)).toEqual({ instanceType: "u1.small", runStrategy: "Always" });
    expect(mergeEdit(current, { resourceVersion: "1", runStrategy: "Halted" } as never)).toEqual({ ...current, runStrategy: "Halted" });
  });
});
