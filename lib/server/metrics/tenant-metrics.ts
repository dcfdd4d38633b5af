/**
 * A tenant's overview from Prometheus, scoped on the server like the VM graphs (./vm-metrics.ts):
 * the browser names a range, the server fills fixed PromQL templates with the namespace of the
 * tenant record (an escaped string literal, ./prometheus.ts `promString`), so no input reaches a
 * query and no tenant reaches another namespace's series.
 *
 * Series are KubeVirt's virt-handler metrics (kubevirt/kubevirt
 * `pkg/monitoring/metrics/virt-handler/domainstats/`), labelled `namespace` and `name`
 * (`vm-instance-<VM name>`, Cozystack's VirtualMachine naming).
 */
import { assertCanList } from "../k8s/access-review";
import { kinds } from "../k8s/kinds";
import { getQuotaLimits } from "../quota/quota";
import type { TenantAccess } from "../tenancy/tenancy";
import { queryRangePoints, queryVector, promString, type VectorSample } from "./prometheus";
import { queryWindow, scrapeSeconds } from "./vm-metrics";
import { metricRangeSeconds, topVmCount, type MetricRange, type TenantMetrics, type TopVm } from "../../shared/metrics";

/** The prefix of the VirtualMachine (and VMI) names Cozystack gives a VMInstance's VM. */
const vmiPrefix = "vm-instance-";

/**
 * The fixed queries of a tenant's overview for `namespace`, with `window` the rate window of the
 * totals (seconds) and `rangeSeconds` the range the top lists cover.
 */
export function tenantQueries(namespace: string, window: number, rangeSeconds: number): { cpu: string; memory: string; topCpu: string; topMemory: string } {
  const sel = `{namespace=${promString(namespace)}}`;
  return {
    cpu: `sum(rate(kubevirt_vmi_cpu_usage_seconds_total${sel}[${window}s]))`,
    memory: `sum(kubevirt_vmi_memory_resident_bytes${sel})`,
    // CPU averaged over the range (a counter's rate over the whole range); memory at its peak
    topCpu: `topk(${topVmCount}, sum by (name) (rate(kubevirt_vmi_cpu_usage_seconds_total${sel}[${rangeSeconds}s])))`,
    topMemory: `topk(${topVmCount}, max by (name) (max_over_time(kubevirt_vmi_memory_resident_bytes${sel}[${rangeSeconds}s])))`,
  };
}

/**
 * A top list from an instant query's samples: the VMs' names (label `name` without `vm-instance-`;
 * series of other names are left out), highest value first, then by name.
 */
export function toTopList(samples: VectorSample[]): TopVm[] {
  return samples
    .filter((s) => s.labels.name?.startsWith(vmiPrefix) && s.labels.name.length > vmiPrefix.length)
    .map((s) => ({ name: s.labels.name.slice(vmiPrefix.length), value: s.value }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name))
    .slice(0, topVmCount);
}

/**
 * The tenant's CPU and memory over `range` against its quota, and its top VMs by CPU and memory.
 * @throws AppError forbidden (`cluster_forbidden`: the cluster's RBAC no longer lets the user list
 *   VMInstances), cluster_unavailable (`metrics_not_configured` without PROMETHEUS_URL,
 *   `metrics_unavailable` when Prometheus fails)
 */
export async function getTenantMetrics(access: TenantAccess, range: MetricRange, now = Date.now() / 1000): Promise<TenantMetrics> {
  // The page names the tenant's VMs: only for a user the cluster lets list them (as the VM list;
  // an answer the VM list just got is reused, k8s/access-review.ts).
  await assertCanList(access.identity, kinds.VMInstance, access.tenant.namespace);
  const { start, end, step } = queryWindow(range, now);
  const rangeSeconds = metricRangeSeconds[range];
  const q = tenantQueries(access.tenant.namespace, Math.max(2 * step, 4 * scrapeSeconds()), rangeSeconds);
  const [cpu, memory, topCpu, topMemory, limits] = await Promise.all([
    queryRangePoints(q.cpu, start, end, step),
    queryRangePoints(q.memory, start, end, step),
    queryVector(q.topCpu, end),
    queryVector(q.topMemory, end),
    getQuotaLimits(access.tenant.id),
  ]);
  return {
    cpu: { series: { name: "cpu_usage", unit: "cores", points: cpu }, quota: limits ? limits.cpuMillicores / 1000 : null },
    memory: { series: { name: "resident", unit: "bytes", points: memory }, quota: limits ? limits.memoryBytes : null },
    topCpu: toTopList(topCpu),
    topMemory: toTopList(topMemory),
    start,
    end,
    step,
  };
}
