/**
 * Whose identity a cluster call carries.
 *
 * - `user`: the signed-in user, by impersonation from the portal's credentials: one
 *   `Impersonate-User` header and one `Impersonate-Group` header line per group. A comma-joined
 *   line would be read as a single group named "a, b" (Kubernetes docs, "User impersonation";
 *   k8s.io/apiserver/pkg/endpoints/filters/impersonation.go reads `req.Header[...]` as a list).
 *   Node's http module sends an array header value as separate lines.
 * - `portal`: the portal's own identity, only for read-only status objects after the gate.
 */

/** The identity of one cluster call. */
export type KubeIdentity =
  | { type: "user"; username: string; groups: string[] }
  | { type: "portal" };

/** The portal's own identity (read-only status objects only). */
export const portalIdentity: KubeIdentity = { type: "portal" };

/** The impersonation headers of an identity; none for the portal's own. */
export function impersonationHeaders(identity: KubeIdentity): Record<string, string | string[]> {
  if (identity.type === "portal") return {};
  const headers: Record<string, string | string[]> = { "Impersonate-User": identity.username };
  if (identity.groups.length > 0) headers["Impersonate-Group"] = [...identity.groups];
  return headers;
}
