import { tenantRoute } from "@/lib/server/gate";
import { getTenantMetrics } from "@/lib/server/metrics/tenant-metrics";
import { getTenantMetricsSchema } from "@/lib/shared/metrics";

/**
 * GET /api/tenants/{tenant}/metrics?range=15m|1h|6h|24h|7d → TenantMetrics (lib/shared/metrics.ts):
 * the tenant's CPU and memory against its quota, and its top VMs, from Prometheus, scoped to the
 * tenant's namespace on the server (lib/server/metrics/tenant-metrics.ts). Any member (view level)
 * may read it; 503 `metrics_not_configured` without PROMETHEUS_URL.
 */
export const GET = tenantRoute({ permission: "vm.read", input: getTenantMetricsSchema }, async ({ access, input }) =>
  getTenantMetrics(access, input.range));
