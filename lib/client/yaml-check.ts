/**
 * The browser-side checks of an edited VMInstance document, run by the YAML editor as the user
 * types (components/vms/yaml-edit.tsx): YAML syntax, the document's identity (apiVersion, kind,
 * metadata.name, a `spec` mapping), then `spec` against the JSON schema the cluster serves for it
 * (`GET …/yaml` → `schema`). Each problem carries the text range it concerns, for the editor's
 * diagnostics, and the dotted field it names, for the list under the editor.
 *
 * The schema is checked with @cfworker/json-schema, an interpreter: ajv compiles schemas with
 * `new Function`, which the portal's Content-Security-Policy (`script-src` without
 * `'unsafe-eval'` in production, proxy.ts) refuses. The server stays the authority (its dry-run
 * with strict field validation); this only tells earlier.
 *
 * Fields the schema does not list are warnings: a CRD schema seldom sets
 * `additionalProperties: false`, yet the API server's strict field validation refuses them.
 */
import { Validator, type OutputUnit } from "@cfworker/json-schema";
import YAML, { LineCounter, isMap, isPair, isScalar, isSeq, type Node } from "yaml";

/** The kind of a problem; the UI words each one (messages `VmYaml.problem.<code>`). */
export type YamlProblemCode =
  | "syntax" | "notMapping" | "apiVersion" | "kind" | "name" | "spec"
  | "type" | "enum" | "required" | "unknown" | "invalid" | "server";

/** One problem of the edited document. */
export interface YamlProblem {
  code: YamlProblemCode;
  severity: "error" | "warning";
  /** dotted path of the field, e.g. `spec.instanceType`, `spec.disks.0.name`; `yaml` for syntax */
  field: string;
  /** what the message needs: `expected` (type names, apiVersion, kind, name), `allowed` (enum values), `message` (untranslated text) */
  params: Record<string, string>;
  /** the text range it concerns (offsets), and where that starts (1-based line and column) */
  from: number;
  to: number;
  line: number;
  column: number;
}

/** The identity an edited document must keep. */
export const vmInstanceApiVersion = "apps.cozystack.io/v1alpha1";

type Schema = Record<string, unknown>;
type Path = (string | number)[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The schema made checkable as JSON Schema: OpenAPI's `nullable: true` becomes a `"null"` type
 * (JSON Schema has no `nullable`); everything else is kept (unknown `x-kubernetes-*` keywords are
 * ignored by the validator).
 */
export function toJsonSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "properties" && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isObject(v) ? toJsonSchema(v) : v]));
    } else if ((key === "items" || key === "additionalProperties" || key === "not") && isObject(value)) {
      out[key] = toJsonSchema(value);
    } else if ((key === "anyOf" || key === "allOf" || key === "oneOf") && Array.isArray(value)) {
      out[key] = value.map((v) => (isObject(v) ? toJsonSchema(v) : v));
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable === true && typeof schema.type === "string") out.type = [schema.type, "null"];
  return out;
}

/** The sub-schema at an instance path (through `properties`, `additionalProperties` and `items`), or undefined. */
export function schemaAt(schema: Schema | undefined, path: Path): Schema | undefined {
  let s = schema;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === "number") s = isObject(s.items) ? s.items : undefined;
    else s = (isObject(s.properties) && isObject(s.properties[seg]) ? s.properties[seg] : isObject(s.additionalProperties) ? s.additionalProperties : undefined) as Schema | undefined;
  }
  return s;
}

/** Type names a schema accepts, for a message: `string`, `integer or string`. */
function expectedTypes(schema: Schema | undefined): string {
  if (!schema) return "valid";
  if (schema["x-kubernetes-int-or-string"] === true) return "integer or string";
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const alternatives = [...types, ...((schema.anyOf ?? schema.oneOf ?? []) as Schema[]).map((s) => s.type).filter(Boolean)];
  return [...new Set(alternatives.map(String))].join(" or ") || "valid";
}

/** `#/disks/0/name` (a URI-fragment JSON pointer) → `["disks", 0, "name"]`, numbers where the value is an array. */
function pointerPath(pointer: string, root: unknown): Path {
  const parts = pointer.replace(/^#/, "").split("/").slice(1)
    .map((p) => decodeURIComponent(p).replace(/~1/g, "/").replace(/~0/g, "~"));
  const path: Path = [];
  let v = root;
  for (const p of parts) {
    if (Array.isArray(v)) {
      path.push(Number(p));
      v = v[Number(p)];
    } else {
      path.push(p);
      v = isObject(v) ? v[p] : undefined;
    }
  }
  return path;
}

const dotted = (path: Path) => path.map(String).join(".");

/** Keywords whose failure is the problem itself (not a wrapper saying "a property failed"). */
const leafKeywords = new Set(["type", "enum", "const", "required", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
  "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
  "anyOf", "oneOf", "not"]);

/**
 * The text range of the field at `path` in a parsed document: a scalar's value, or else the key
 * that names the field (a mapping or list value spans lines; its key is where the eye goes). A
 * path that does not exist ends at the deepest part that does.
 */
export function locate(doc: YAML.Document, path: Path, textLength: number): [number, number] {
  let node: unknown = doc.contents;
  let range: [number, number] = [0, Math.min(textLength, 1)];
  const rangeOf = (n: unknown): [number, number] | undefined => {
    const r = (n as Node | null)?.range;
    return r ? [r[0], Math.max(r[1], r[0] + 1)] : undefined;
  };
  range = rangeOf(node) ?? range;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return range;
      range = rangeOf(pair.key) ?? range;
      node = pair.value;
      if (isScalar(node)) range = rangeOf(node) ?? range;
    } else if (isSeq(node) && typeof seg === "number" && node.items[seg] !== undefined) {
      node = node.items[seg];
      const r = rangeOf(node);
      if (r) range = isScalar(node) ? r : [r[0], Math.min(r[1], r[0] + 1)];
    } else {
      return range;
    }
  }
  return range;
}

/** Problems for object keys the schema does not list (an error where it forbids them, a warning otherwise). */
function unknownFields(value: unknown, schema: Schema | undefined, path: Path, out: { path: Path; forbidden: boolean }[]): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    if (isObject(schema.items)) value.forEach((v, i) => unknownFields(v, schema.items as Schema, [...path, i], out));
    return;
  }
  if (!isObject(value)) return;
  const props = isObject(schema.properties) ? schema.properties : undefined;
  const open = schema["x-kubernetes-preserve-unknown-fields"] === true;
  for (const [key, v] of Object.entries(value)) {
    if (props && key in props) unknownFields(v, props[key] as Schema, [...path, key], out);
    else if (isObject(schema.additionalProperties)) unknownFields(v, schema.additionalProperties, [...path, key], out);
    else if (props && !open && schema.additionalProperties !== true) out.push({ path: [...path, key], forbidden: schema.additionalProperties === false });
  }
}

/**
 * A checker of edited VMInstance documents for one VM.
 * @param specSchema the cluster's JSON schema of `VMInstance.spec` (OpenAPI v3), or null to check only syntax and identity
 * @param name the VM's name: `metadata.name` must stay it
 * @returns a function from the document's text to its problems, errors first, then in text order
 */
export function createYamlChecker(specSchema: Schema | null, name: string): (text: string) => YamlProblem[] {
  let validator: Validator | null = null;
  const schema = specSchema ? toJsonSchema(specSchema) : undefined;
  if (schema) {
    try {
      validator = new Validator(schema as never, "2019-09", false);
    } catch {
      validator = null; // a schema the validator cannot read: the server's dry-run still checks
    }
  }
  return (text) => {
    const lineCounter = new LineCounter();
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter });
    const problems: YamlProblem[] = [];
    const add = (code: YamlProblemCode, field: string, [from, to]: [number, number], params: Record<string, string> = {}, severity: YamlProblem["severity"] = "error") => {
      const pos = lineCounter.linePos(from);
      problems.push({ code, severity, field, params, from, to: Math.min(Math.max(to, from + 1), Math.max(text.length, from + 1)), line: pos.line, column: pos.col });
    };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const message = e.code === "MULTIPLE_DOCS" ? "more than one document" : e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        add("syntax", "yaml", [e.pos[0], e.pos[1]], { message });
      }
      return problems;
    }
    const at = (path: Path) => locate(doc, path, text.length);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      add("syntax", "yaml", [0, 1], { message: err instanceof Error ? err.message : String(err) });
      return problems;
    }
    if (!isObject(value)) {
      add("notMapping", "yaml", [0, Math.max(1, text.length)]);
      return problems;
    }
    if (value.apiVersion !== vmInstanceApiVersion) add("apiVersion", "apiVersion", at(["apiVersion"]), { expected: vmInstanceApiVersion });
    if (value.kind !== "VMInstance") add("kind", "kind", at(["kind"]), { expected: "VMInstance" });
    if (!isObject(value.metadata) || value.metadata.name !== name) add("name", "metadata.name", at(["metadata", "name"]), { expected: name });
    const spec = value.spec;
    if (!isObject(spec)) {
      add("spec", "spec", at(["spec"]));
      return sorted(problems);
    }
    if (validator) {
      const errors = validator.validate(spec).errors;
      const reported = new Set<string>();
      for (const e of errors as OutputUnit[]) {
        if (!leafKeywords.has(e.keyword)) continue;
        // a branch of anyOf/oneOf failing is not a problem by itself: the anyOf's own error says it
        if (/\/(anyOf|oneOf)\/\d+\//.test(e.keywordLocation)) continue;
        let path = pointerPath(e.instanceLocation, spec);
        let code: YamlProblemCode = "invalid";
        const params: Record<string, string> = {};
        const sub = schemaAt(schema, path);
        if (e.keyword === "type" || e.keyword === "anyOf" || e.keyword === "oneOf") {
          code = "type";
          params.expected = expectedTypes(sub);
        } else if (e.keyword === "enum") {
          code = "enum";
          params.allowed = ((sub?.enum as unknown[]) ?? []).map(String).join(", ");
        } else if (e.keyword === "required") {
          const missing = /"([^"]+)"/.exec(e.error)?.[1];
          if (missing) path = [...path, missing];
          code = "required";
        } else {
          params.message = e.error;
        }
        const field = dotted(["spec", ...path]);
        const key = `${code} ${field}`;
        if (reported.has(key)) continue;
        reported.add(key);
        add(code, field, code === "required" ? at(["spec", ...path.slice(0, -1)]) : at(["spec", ...path]), params);
      }
      const unknown: { path: Path; forbidden: boolean }[] = [];
      unknownFields(spec, schema, [], unknown);
      for (const u of unknown) {
        const field = dotted(["spec", ...u.path]);
        if (!problems.some((p) => p.field === field)) {
          const [from] = at(["spec", ...u.path]);
          const keyRange = keyRangeOf(doc, ["spec", ...u.path]) ?? [from, from + 1];
          add("unknown", field, keyRange, {}, u.forbidden ? "error" : "warning");
        }
      }
    }
    return sorted(problems);
  };
}

/** The range of the key naming the field at `path` (the last segment must be a mapping key). */
function keyRangeOf(doc: YAML.Document, path: Path): [number, number] | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]));
  const r = (pair?.key as Node | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

function sorted(problems: YamlProblem[]): YamlProblem[] {
  return problems.sort((a, b) => (a.severity === b.severity ? a.from - b.from : a.severity === "error" ? -1 : 1));
}

/** Whether any problem is an error (a warning does not stop a save: the server has the last word). */
export const hasErrors = (problems: YamlProblem[]) => problems.some((p) => p.severity === "error");

/**
 * The problem a server refusal (422) names, placed in the text it refused: `yaml` at the line and
 * column of `details`, `apiVersion`/`kind`/`metadata.name`/`spec` at those fields, any other field
 * as a spec path (`externalPorts.1` → `spec.externalPorts.1`).
 */
export function serverProblem(text: string, field: string | undefined, message: string, details?: unknown): YamlProblem {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter });
  let range: [number, number] = [0, Math.min(1, text.length)];
  let dottedField = field ?? "yaml";
  const where = details as { line?: number; column?: number } | undefined;
  if (dottedField === "yaml" && where?.line) {
    const lines = text.split("\n");
    const from = lines.slice(0, where.line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (where.column ?? 1) - 1);
    range = [from, from + 1];
  } else if (dottedField !== "yaml" && doc.errors.length === 0) {
    const top = ["apiVersion", "kind", "metadata.name", "spec"].includes(dottedField);
    const path: Path = (top ? dottedField : `spec.${dottedField}`).split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    dottedField = dotted(path);
    // the whole `key: value` line when the value is a scalar (a wrong type and an unknown field
    // alike), else the key; a list item or a missing field where locate() finds it
    const key = keyRangeOf(doc, path);
    const value = doc.getIn(path, true) as Node | undefined;
    range = key ? [key[0], isScalar(value) && value.range ? value.range[1] : key[1]] : locate(doc, path, text.length);
  }
  const pos = lineCounter.linePos(range[0]);
  return { code: "server", severity: "error", field: dottedField, params: { message }, from: range[0], to: Math.max(range[1], range[0] + 1), line: pos.line, column: pos.col };
}
