import { sessionRoute } from "@/lib/server/gate";
import { listTenantAccess } from "@/lib/server/tenancy/tenancy";

/** GET /api/tenants → the signed-in user's tenants: `[{ name, displayName, role }]`. */
export const GET = sessionRoute(async ({ principal }) =>
  (await listTenantAccess(principal)).map(({ tenant, role }) => ({ name: tenant.name, displayName: tenant.displayName, role })));
