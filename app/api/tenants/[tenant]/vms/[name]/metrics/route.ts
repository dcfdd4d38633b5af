import { tenantRoute } from "@/lib/server/gate";
import { getVmMetrics } from "@/lib/server/metrics/vm-metrics";
import { getVmMetricsSchema } from "@/lib/shared/metrics";

/**
 * GET /api/tenants/{tenant}/vms/{name}/metrics?graph=cpu|memory|disk|network&range=15m|1h|6h|24h|7d
 * → VmMetrics (lib/shared/metrics.ts): the graph's series from Prometheus, scoped to the tenant's
 * namespace and this VM on the server (lib/server/metrics/vm-metrics.ts). Any member (view level)
 * may read it; 503 `metrics_not_configured` without PROMETHEUS_URL.
 */
export const GET = tenantRoute({ permission: "vm.read", input: getVmMetricsSchema }, async ({ access, input, params }) =>
  getVmMetrics(access, params.name, input.graph, input.range));
