/**
 * Data a tenant page renders on the server, read with the same checks as the API route the page's
 * client would otherwise call: the signed-in principal, its membership of the tenant, the role's
 * permission, then `read` (which asks the cluster's RBAC itself, e.g. a SubjectAccessReview).
 */
import { getPrincipal } from "../auth/auth";
import { getTenantAccess, type TenantAccess } from "./tenancy";
import { can, type Permission } from "../../shared/permissions";

/**
 * `read(access)` for the signed-in member of `tenant` whose role has `permission`, or undefined
 * when there is no session, no membership, no permission, or `read` throws: the page then renders
 * without it and its client asks the API, whose answer explains why.
 * @param tenant the tenant's name from the URL (looked up, never trusted: getTenantAccess)
 */
export async function readForTenantPage<T>(tenant: string, permission: Permission, read: (access: TenantAccess) => Promise<T>): Promise<T | undefined> {
  const principal = await getPrincipal();
  const access = principal && (await getTenantAccess(principal, tenant));
  if (!access || !can(access.role, permission)) return undefined;
  try {
    return await read(access);
  } catch {
    return undefined;
  }
}
