import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { readCozystackSchema, toStructuralSchema } from "../../dev-cluster/manifests";
import { createYamlChecker, hasErrors, locate, serverProblem, toJsonSchema } from "./yaml-check";

/** The VMInstance spec schema as the local cluster's CRD serves it. */
const schema = toStructuralSchema(readCozystackSchema("vm-instance.values.schema.json"));
const check = createYamlChecker(schema, "web");

const good = `apiVersion: apps.cozystack.io/v1alpha1
kind: VMInstance
metadata:
  name: web
  namespace: tenant-acme
  resourceVersion: "42"
spec:
  instanceType: u1.medium
  runStrategy: Halted
  externalPorts:
    - 22
  disks:
    - name: web-root
  resources: {}
status:
  conditions: []
`;

/** The text with one line replaced. */
const withLine = (from: string, to: string) => {
  expect(good).toContain(from);
  return good.replace(from, to);
};

describe("createYamlChecker", () => {
  it("finds nothing wrong in a stored document", () => {
    expect(check(good)).toEqual([]);
  });

  it("names a wrong type at its value, with line and column", () => {
    const text = withLine("  instanceType: u1.medium\n", "  instanceType: 5\n");
    const [p] = check(text);
    expect(p).toMatchObject({ code: "type", severity: "error", field: "spec.instanceType", params: { expected: "string" }, line: 8, column: 17 });
    expect(text.slice(p.from, p.to)).toBe("5");
    expect(hasErrors([p])).toBe(true);
  });

  it("names values outside an enum with the allowed ones", () => {
    const [p] = check(withLine("  runStrategy: Halted\n", "  runStrategy: Sometimes\n"));
    expect(p).toMatchObject({ code: "enum", field: "spec.runStrategy" });
    expect(p.params.allowed).toBe("Always, Halted, Manual, RerunOnFailure, Once");
  });

  it("names wrong items in lists and missing required fields", () => {
    const ports = check(withLine("    - 22\n", "    - 22\n    - ssh\n"));
    expect(ports).toEqual([expect.objectContaining({ code: "type", field: "spec.externalPorts.1", params: { expected: "integer" }, line: 12 })]);
    const disks = check(withLine("    - name: web-root\n", "    - bus: sata\n"));
    expect(disks).toEqual([expect.objectContaining({ code: "required", field: "spec.disks.0.name" })]);
  });

  it("names an int-or-string of another type once, as integer or string", () => {
    const found = check(withLine("  resources: {}\n", "  resources:\n    cpu: true\n"));
    expect(found).toEqual([expect.objectContaining({ code: "type", field: "spec.resources.cpu", params: { expected: "integer or string" } })]);
  });

  it("warns on fields the schema does not list (the key is marked), without blocking", () => {
    const text = withLine("  runStrategy: Halted\n", "  foo: 1\n  runStrategy: Halted\n");
    const found = check(text);
    expect(found).toEqual([expect.objectContaining({ code: "unknown", severity: "warning", field: "spec.foo", line: 9, column: 3 })]);
    expect(text.slice(found[0].from, found[0].to)).toBe("foo");
    expect(hasErrors(found)).toBe(false);
    const nested = check(withLine("    - name: web-root\n", "    - name: web-root\n      size: 5Gi\n"));
    expect(nested).toEqual([expect.objectContaining({ code: "unknown", field: "spec.disks.0.size" })]);
  });

  it("makes an unknown field an error where the schema forbids others", () => {
    const closed = createYamlChecker({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false }, "web");
    const found = closed(withLine("spec:\n  instanceType: u1.medium\n  runStrategy: Halted\n  externalPorts:\n    - 22\n  disks:\n    - name: web-root\n  resources: {}\n", "spec:\n  a: x\n  b: y\n"));
    expect(found).toEqual([expect.objectContaining({ code: "unknown", severity: "error", field: "spec.b" })]);
  });

  it("reports YAML syntax errors with their place, and nothing else", () => {
    const found = check(withLine("  runStrategy: Halted\n", "  runStrategy: [Halted\n"));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => p.code === "syntax" && p.field === "yaml")).toBe(true);
    expect(found[0].line).toBeGreaterThan(1);
    const dup = check(withLine("  runStrategy: Halted\n", "  runStrategy: Halted\n  runStrategy: Always\n"));
    expect(dup[0]).toMatchObject({ code: "syntax", line: 10, params: { message: "Map keys must be unique" } });
  });

  it("checks the document's identity: apiVersion, kind, the VM's name, a spec mapping", () => {
    const fields = (text: string) => check(text).map((p) => `${p.code} ${p.field}`);
    expect(fields(withLine("kind: VMInstance\n", "kind: VMDisk\n"))).toEqual(["kind kind"]);
    expect(fields(withLine("apiVersion: apps.cozystack.io/v1alpha1\n", "apiVersion: v1\n"))).toEqual(["apiVersion apiVersion"]);
    expect(fields(withLine("  name: web\n", "  name: other\n"))).toEqual(["name metadata.name"]);
    expect(fields("apiVersion: apps.cozystack.io/v1alpha1\nkind: VMInstance\nmetadata:\n  name: web\nspec: 3\n")).toEqual(["spec spec"]);
    expect(fields("- a\n")).toEqual(["notMapping yaml"]);
  });

  it("checks only syntax and identity without a schema", () => {
    const bare = createYamlChecker(null, "web");
    expect(bare(withLine("  instanceType: u1.medium\n", "  instanceType: 5\n  foo: 1\n"))).toEqual([]);
    expect(bare(withLine("kind: VMInstance\n", "kind: X\n"))).toHaveLength(1);
  });
});

describe("toJsonSchema", () => {
  it("turns OpenAPI's nullable into a null type, deeply", () => {
    expect(toJsonSchema({ type: "object", properties: { a: { type: "string", nullable: true } } }))
      .toEqual({ type: "object", properties: { a: { type: ["string", "null"], nullable: true } } });
  });
});

describe("locate / serverProblem", () => {
  it("places a field at its value, a missing field at the deepest part that exists", () => {
    const doc = YAML.parseDocument(good);
    const [from, to] = locate(doc, ["spec", "externalPorts", 0], good.length);
    expect(good.slice(from, to)).toBe("22");
    const [f2, t2] = locate(doc, ["spec", "gpus", 0], good.length);
    expect(good.slice(f2, t2)).toBe("spec");
  });

  it("places a server refusal at the field it names, or at the line and column of a syntax error", () => {
    const foo = withLine("  runStrategy: Halted\n", "  foo: 1\n  runStrategy: Halted\n");
    const p = serverProblem(foo, "foo", "spec.foo is not a field of a VMInstance");
    expect(p).toMatchObject({ code: "server", field: "spec.foo", line: 9, params: { message: "spec.foo is not a field of a VMInstance" } });
    expect(foo.slice(p.from, p.to)).toBe("foo: 1");
    const port = serverProblem(good, "externalPorts.0", "dup");
    expect(good.slice(port.from, port.to)).toBe("22");
    expect(serverProblem(good, "metadata.name", "x").field).toBe("metadata.name");
    expect(serverProblem("a: [\n", "yaml", "bad", { line: 1, column: 4 })).toMatchObject({ field: "yaml", from: 3, line: 1, column: 4 });
  });
});
