import { adminRoute } from "@/lib/server/gate";
import { getTenantQuota, updateTenantQuota } from "@/lib/server/admin/admin";
import { updateQuotaSchema } from "@/lib/shared/admin";

/** GET /api/admin/tenants/{tenant}/quota → QuotaStatus `{ limits, usage }`. */
export const GET = adminRoute({ audit: { action: "quota.read", targetKind: "Quota" } }, async ({ identity, params }) => getTenantQuota(identity, params.tenant));

/**
 * PUT /api/admin/tenants/{tenant}/quota (UpdateQuotaInput) → QuotaStatus; writes the Quota row and
 * ResourceQuota `tenant-quota` together. Below usage: 409 with `details.over` unless
 * `confirmOverUsage` is true.
 */
export const PUT = adminRoute(
  { input: updateQuotaSchema, audit: { action: "quota.update", targetKind: "Quota" } },
  async ({ identity, input, params }) => updateTenantQuota(identity, params.tenant, input),
);
