import { adminRoute } from "@/lib/server/gate";
import { deleteTenant, updateTenant } from "@/lib/server/admin/admin";
import { deleteTenantSchema, updateTenantSchema } from "@/lib/shared/admin";

/** PATCH /api/admin/tenants/{tenant} `{ displayName }` → AdminTenant. */
export const PATCH = adminRoute(
  { input: updateTenantSchema, audit: { action: "tenant.update", targetKind: "Tenant" } },
  async ({ input, params }) => updateTenant(params.tenant, input.displayName),
);

/** DELETE /api/admin/tenants/{tenant}?confirm={tenant} → `{ deleted }`; 409 when VMs or disks are left. */
export const DELETE = adminRoute(
  { input: deleteTenantSchema, audit: { action: "tenant.delete", targetKind: "Tenant" } },
  async ({ identity, input, params }) => {
    await deleteTenant(identity, params.tenant, input.confirm);
    return { deleted: params.tenant };
  },
);
