import { tenantRoute } from "@/lib/server/gate";
import { applyVmYaml, getVmYaml, putVmYamlSchema } from "@/lib/server/vms/yaml";

/**
 * GET /api/tenants/{tenant}/vms/{name}/yaml → VmYaml (lib/server/vms/yaml.ts): the VMInstance as
 * stored and its VirtualMachine as YAML (without managedFields), the resourceVersion, the spec's
 * JSON schema from the cluster. Any member (view level) may read it.
 */
export const GET = tenantRoute({ permission: "vm.read" }, async ({ access, params }) => getVmYaml(access, params.name));

/**
 * PUT /api/tenants/{tenant}/vms/{name}/yaml (body `{ yaml, resourceVersion }`) → VmEditResult.
 * Only the document's `spec` is written, through the edit form's path (update.ts applyVmSpec):
 * 422 naming the field, 409 `stale` with the stored spec, quota and tenancy as for the form. The
 * audit row keeps what changed, never the document (it may hold cloud-init user-data).
 */
export const PUT = tenantRoute(
  { permission: "vm.update", input: putVmYamlSchema, audit: { action: "vm.update", targetKind: "VMInstance" },
    summarize: (input) => ({ via: "yaml", bytes: Buffer.byteLength(input.yaml) }) },
  async ({ access, input, params, audit }) => {
    const result = await applyVmYaml(access, params.name, input);
    audit.summary = { changed: result.changed, via: "yaml" };
    return result;
  },
);
