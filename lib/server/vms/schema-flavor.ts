/**
 * Which VMInstance schema the cluster serves: current Cozystack has `runStrategy`, v0.38 and
 * older have `running: bool` (../shared/spec/cluster-contract.md). Read from the live OpenAPI v3
 * document of `apps.cozystack.io/v1alpha1` (readable by every authenticated identity through
 * `system:discovery`), cached for five minutes.
 */
import { kubeRequest } from "../k8s/client";
import { portalIdentity } from "../k8s/identity";

/** `runStrategy` (current) or `running` (v0.38). */
export type VmInstanceSchemaFlavor = "runStrategy" | "running";

let cache: { at: number; flavor: VmInstanceSchemaFlavor } | null = null;

interface OpenApiDoc {
  components?: { schemas?: Record<string, { "x-kubernetes-group-version-kind"?: { kind: string }[]; properties?: { spec?: { properties?: Record<string, unknown> } } }> };
}

/** The flavor of the live schema; `runStrategy` when the document cannot be read. */
export async function getVmInstanceSchemaFlavor(): Promise<VmInstanceSchemaFlavor> {
  if (cache && Date.now() - cache.at < 5 * 60_000) return cache.flavor;
  let flavor: VmInstanceSchemaFlavor = "runStrategy";
  try {
    const doc = await kubeRequest<OpenApiDoc>(portalIdentity, { path: "/openapi/v3/apis/apps.cozystack.io/v1alpha1" });
    const schema = Object.values(doc.components?.schemas ?? {}).find((s) =>
      s["x-kubernetes-group-version-kind"]?.some((gvk) => gvk.kind === "VMInstance"));
    const props = schema?.properties?.spec?.properties ?? {};
    if (!("runStrategy" in props) && "running" in props) flavor = "running";
  } catch {
    return flavor; // not cached: try again next time
  }
  cache = { at: Date.now(), flavor };
  return flavor;
}
