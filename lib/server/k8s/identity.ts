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

/**
 * The impersonation headers of an identity; none for the portal's own.
 * @throws Error when the username or a group fails {@link identityValueProblem} (a backstop: the
 *   sign-in already refuses such identities, lib/server/auth/auth.ts)
 */
export function impersonationHeaders(identity: KubeIdentity): Record<string, string | string[]> {
  if (identity.type === "portal") return {};
  for (const value of [identity.username, ...identity.groups]) {
    if (identityValueProblem(value)) throw new Error("refusing to impersonate an identity the sign-in should have refused");
  }
  const headers: Record<string, string | string[]> = { "Impersonate-User": identity.username };
  if (identity.groups.length > 0) headers["Impersonate-Group"] = [...identity.groups];
  return headers;
}

/**
 * Why a username or group must not reach the cluster, or null when it may. Kubernetes reserves the
 * `system:` prefix for its own users and groups (`system:masters` is cluster-admin,
 * k8s.io/apiserver/pkg/authentication/user/user.go); a comma or a control character would be
 * ambiguous in headers and audit logs.
 * @param value an OIDC `preferred_username`/`sub` or a group name
 */
export function identityValueProblem(value: string): string | null {
  if (value.length === 0) return "is empty";
  if (value.length > 253) return "is longer than 253 characters";
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return "contains a control character";
  if (value.includes(",")) return "contains a comma";
  if (value.toLowerCase().startsWith("system:")) return 'starts with "system:", which Kubernetes reserves';
  return null;
}

/** Groups the portal forwards to the cluster: `tenant-<name>-<level>` and the platform-admin group. */
export function isForwardableGroup(group: string, platformAdminGroup: string): boolean {
  return group === platformAdminGroup || /^tenant-[a-z][a-z0-9]*-(view|use|admin|super-admin)$/.test(group);
}
