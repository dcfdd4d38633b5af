/**
 * The YAML tab of the VM page: the VMInstance as stored (and its derived VirtualMachine, read-only)
 * as YAML, the JSON schema of its spec as the cluster serves it (for the browser's editor to
 * validate as the user types), and the write of an edited document.
 *
 * A YAML edit is only a new `spec`: it goes through update.ts {@link applyVmSpec} exactly as the
 * edit form does (stale resourceVersion → 409 with the stored spec, server-side dry-run with strict
 * field validation, the portal's checks, the quota, then the PUT). Metadata and status in the
 * edited document are ignored: labels, annotations and owner references of a Cozystack
 * application are the platform's, and the status is written by its controllers.
 */
import YAML, { YAMLParseError } from "yaml";
import { z } from "zod";
import { kinds, apiVersionOf, resourcePath } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import { portalIdentity } from "../k8s/identity";
import type { VMInstance, VirtualMachine } from "../k8s/objects";
import { AppError, invalidField } from "../errors";
import type { TenantAccess } from "../tenancy/tenancy";
import { getVmOrThrow } from "./vm-disks";
import { virtualMachineName } from "./vms";
import { applyVmSpec } from "./update";
import type { VmEditResult } from "../../shared/vm";

/** What `GET /api/tenants/{t}/vms/{name}/yaml` answers. */
export interface VmYaml {
  /** the VMInstance as stored (status included), without `metadata.managedFields` */
  instance: string;
  /** the VirtualMachine `vm-instance-<name>` the platform derived from it, or null when there is none yet */
  virtualMachine: string | null;
  /** the VMInstance's resourceVersion: send it back with an edit */
  resourceVersion: string;
  /** the JSON schema (OpenAPI v3) of `VMInstance.spec` as the cluster serves it; null when it cannot be read */
  schema: Record<string, unknown> | null;
}

/** The body of `PUT /api/tenants/{t}/vms/{name}/yaml`: the edited document and the resourceVersion it was read at. */
export const putVmYamlSchema = z.object({
  yaml: z.string().min(1, "must not be empty").max(512 * 1024, "must be at most 512 KiB"),
  resourceVersion: z.string().min(1, "is required").max(64),
});

/** Parsed body of `PUT /api/tenants/{t}/vms/{name}/yaml`. */
export type PutVmYamlInput = z.infer<typeof putVmYamlSchema>;

type WithMetadata = { metadata?: { managedFields?: unknown; [k: string]: unknown }; [k: string]: unknown };

/**
 * A copy of a Kubernetes object without `metadata.managedFields` (server-side apply's
 * bookkeeping: long, and of no use to a reader). The object itself is not changed.
 */
export function stripManagedFields<T extends WithMetadata>(object: T): T {
  if (!object.metadata || !("managedFields" in object.metadata)) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  void _dropped;
  return { ...object, metadata };
}

/**
 * The YAML text of a Kubernetes object as `kubectl get -o yaml` shows it, without managedFields.
 * Long strings (cloud-init, SSH keys) are not folded, so a copy pastes back unchanged.
 */
export function objectToYaml(object: WithMetadata): string {
  return YAML.stringify(stripManagedFields(object), { lineWidth: 0 });
}

type OpenApiSchema = Record<string, unknown> & {
  "x-kubernetes-group-version-kind"?: { group?: string; version?: string; kind: string }[];
  properties?: { spec?: Record<string, unknown> };
};

/**
 * The schema of `VMInstance.spec` in an OpenAPI v3 document of `apps.cozystack.io/v1alpha1`: the
 * component whose `x-kubernetes-group-version-kind` names kind VMInstance, its `properties.spec`.
 * @returns null when the document has no such component
 */
export function findVmInstanceSpecSchema(doc: { components?: { schemas?: Record<string, OpenApiSchema> } }): Record<string, unknown> | null {
  const schema = Object.values(doc.components?.schemas ?? {}).find((s) =>
    s["x-kubernetes-group-version-kind"]?.some((gvk) => gvk.kind === "VMInstance"));
  return schema?.properties?.spec ?? null;
}

let schemaCache: { at: number; schema: Record<string, unknown> | null } | null = null;

/**
 * The JSON schema of `VMInstance.spec` from the API server's OpenAPI v3 document
 * (`/openapi/v3/apis/apps.cozystack.io/v1alpha1`, readable by every authenticated identity through
 * `system:discovery`; read with the portal's identity, as schema-flavor.ts does), cached for five
 * minutes. On a real Cozystack cluster the aggregated apps API server publishes the vm-instance
 * chart's values.schema.json there; on the local cluster it is the CRD's schema.
 * @returns null when the document cannot be read or has no VMInstance (not cached: tried again next time)
 */
export async function getVmInstanceSpecSchema(): Promise<Record<string, unknown> | null> {
  if (schemaCache && Date.now() - schemaCache.at < 5 * 60_000) return schemaCache.schema;
  try {
    const doc = await kubeRequest<{ components?: { schemas?: Record<string, OpenApiSchema> } }>(portalIdentity, {
      path: `/openapi/v3/apis/${apiVersionOf(kinds.VMInstance)}`,
    });
    const schema = findVmInstanceSpecSchema(doc);
    if (schema) schemaCache = { at: Date.now(), schema };
    return schema;
  } catch {
    return null;
  }
}

/**
 * The YAML tab's content for VM `name`: the VMInstance read as the user, the VirtualMachine read
 * with the portal's identity (tenant roles cannot read VirtualMachines; the gate checked `vm.read`
 * before this runs), the spec's schema.
 * @throws AppError not_found (also for a malformed name), forbidden, cluster_unavailable
 */
export async function getVmYaml(access: TenantAccess, name: string): Promise<VmYaml> {
  const instance = await getVmOrThrow(access, name);
  const [vm, schema] = await Promise.all([
    kubeRequest<VirtualMachine>(portalIdentity, {
      path: resourcePath(kinds.VirtualMachine, { namespace: access.tenant.namespace, name: virtualMachineName(name) }),
    }).catch((err) => {
      if (err instanceof AppError && err.code === "not_found") return null;
      throw err;
    }),
    getVmInstanceSpecSchema(),
  ]);
  return {
    instance: objectToYaml(instance as unknown as WithMetadata),
    virtualMachine: vm ? objectToYaml(vm as unknown as WithMetadata) : null,
    resourceVersion: instance.metadata.resourceVersion ?? "",
    schema,
  };
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The spec of an edited VMInstance document, after the checks that do not need the cluster:
 * valid YAML, a single document, a mapping, `apiVersion: apps.cozystack.io/v1alpha1`,
 * `kind: VMInstance`, `metadata.name` equal to the VM's name (a rename would be another VM), and
 * `spec` a mapping. Everything but `spec` is ignored.
 * @param text the edited YAML
 * @param name the VM's name, from the URL
 * @returns the document's `spec`
 * @throws AppError invalid on field `yaml` (a syntax error, naming its line and column), `apiVersion`,
 *   `kind`, `metadata.name` or `spec`
 */
export function parseVmInstanceYaml(text: string, name: string): VMInstance["spec"] {
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const details = at ? { line: at.line, column: at.col } : undefined;
    if (error.code === "MULTIPLE_DOCS") throw invalidField("yaml", at ? "yamlSeveralDocsAt" : "yamlSeveralDocs", details ?? {}, { details });
    // the first line of yaml's message (the rest is a pretty-printed excerpt of the source)
    const detail = (error instanceof YAMLParseError ? error.message : String(error)).split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw invalidField("yaml", at ? "yamlSyntaxAt" : "yamlSyntax", { ...details, detail }, { details });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw invalidField("yaml", "yamlUnreadable", { detail: err instanceof Error ? err.message : String(err) });
  }
  if (!isMapping(value)) throw invalidField("yaml", "yamlNotDocument");
  const apiVersion = apiVersionOf(kinds.VMInstance);
  if (value.apiVersion !== apiVersion) throw invalidField("apiVersion", "mustBe", { value: apiVersion });
  if (value.kind !== kinds.VMInstance.kind) throw invalidField("kind", "mustBe", { value: kinds.VMInstance.kind });
  const metadata = value.metadata;
  if (!isMapping(metadata) || metadata.name !== name) {
    throw invalidField("metadata.name", "noRename", { name });
  }
  if (!isMapping(value.spec)) throw invalidField("spec", "specMapping");
  return value.spec as VMInstance["spec"];
}

/**
 * Writes the spec of an edited VMInstance document to VM `name` ({@link parseVmInstanceYaml},
 * then {@link applyVmSpec}, which replaces the stored spec with it).
 * @returns what changed, whether a restart is needed, the new resourceVersion
 * @throws AppError as {@link parseVmInstanceYaml} and {@link applyVmSpec} (not_found, conflict
 *   `stale` with the stored spec, invalid naming the spec field, quota_exceeded, forbidden)
 */
export async function applyVmYaml(access: TenantAccess, name: string, input: PutVmYamlInput): Promise<VmEditResult> {
  // The VM must exist (and be the user's) before the document is judged: 404 before 422.
  await getVmOrThrow(access, name);
  const spec = parseVmInstanceYaml(input.yaml, name);
  return applyVmSpec(access, name, input.resourceVersion, () => spec);
}
