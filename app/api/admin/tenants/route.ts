import { Reply, adminRoute } from "@/lib/server/gate";
import { createTenant, listTenants } from "@/lib/server/admin/admin";
import { createTenantSchema } from "@/lib/shared/admin";

/** GET /api/admin/tenants → AdminTenant[] (platform admins only). */
export const GET = adminRoute({ audit: { action: "tenant.list", targetKind: "Tenant" } }, async () => listTenants());

/**
 * POST /api/admin/tenants (CreateTenantInput) → 201 AdminTenant: namespace, RoleBindings,
 * ResourceQuota and LimitRange in the cluster, then the database rows; rolled back on failure.
 */
export const POST = adminRoute(
  { input: createTenantSchema, audit: { action: "tenant.create", targetKind: "Tenant" } },
  async ({ identity, input, audit }) => {
    audit.tenantName = input.name;
    audit.targetName = input.name;
    return new Reply(201, await createTenant(identity, input));
  },
);
