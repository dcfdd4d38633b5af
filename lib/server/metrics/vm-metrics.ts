/**
 * A VM's graphs from Prometheus, scoped to the tenant on the server: the browser names a graph and
 * a range ({@link getVmMetricsSchema}), the server fills fixed PromQL templates with the tenant
 * record's namespace and the VirtualMachineInstance name (`vm-instance-<name>`, Cozystack's
 * naming) of a VM name checked as a DNS-1035 label and found in the cluster with the user's own
 * identity. Both values enter the query only as escaped string literals (./prometheus.ts
 * `promString`), so no input can change a query's shape or reach another namespace's series.
 *
 * Series are KubeVirt's virt-handler metrics (kubevirt/kubevirt
 * `pkg/monitoring/metrics/virt-handler/domainstats/`), labelled `namespace` and `name`.
 * Env: `HIKUBE_METRICS_SCRAPE_SECONDS` (how often Prometheus scrapes virt-handler, default 30; the
 * local cluster's scrapes every 5), which bounds the smallest step and rate window.
 */
import { kinds } from "../k8s/kinds";
import { AppError } from "../errors";
import type { TenantAccess } from "../tenancy/tenancy";
import { assertVmUrlName, exists, virtualMachineName } from "../vms/vms";
import { queryRangePoints, prometheusUrl, promString } from "./prometheus";
import {
  maxPointsPerSeries, metricRangeSeconds, type MetricGraph, type MetricRange, type MetricSeries, type MetricSeriesName,
  type MetricUnit, type VmMetrics,
} from "../../shared/metrics";

/** Prometheus's scrape interval of virt-handler in seconds (`HIKUBE_METRICS_SCRAPE_SECONDS`, default 30). */
export function scrapeSeconds(): number {
  const n = Number(process.env.HIKUBE_METRICS_SCRAPE_SECONDS);
  return Number.isFinite(n) && n >= 1 ? n : 30;
}

/**
 * The query window of `range` ending at `now` (unix seconds): step = range / {@link maxPointsPerSeries},
 * at least the scrape interval, whole seconds; start and end aligned on the step (so two refreshes
 * ask Prometheus the same points).
 */
export function queryWindow(range: MetricRange, now: number, scrape = scrapeSeconds()): { start: number; end: number; step: number } {
  const length = metricRangeSeconds[range];
  const step = Math.max(Math.ceil(length / maxPointsPerSeries), scrape);
  const end = Math.floor(now / step) * step;
  return { start: end - length, end, step };
}

/** One series template: `sel` is the label matcher `{namespace="…",name="…"}`, `w` a rate window like `[60s]`. */
interface SeriesTemplate {
  name: MetricSeriesName;
  unit: MetricUnit;
  query: (sel: string, w: string) => string;
}

const rateOf = (metric: string) => (sel: string, w: string) => `sum(rate(${metric}${sel}${w}))`;

/** The fixed templates of each graph. */
export const templates: Record<MetricGraph, SeriesTemplate[]> = {
  cpu: [{ name: "cpu_usage", unit: "cores", query: rateOf("kubevirt_vmi_cpu_usage_seconds_total") }],
  memory: [
    { name: "resident", unit: "bytes", query: (sel) => `sum(kubevirt_vmi_memory_resident_bytes${sel})` },
    // in KubeVirt's own dashboards "used" is available - usable; usable needs the guest's balloon statistics
    { name: "guest_used", unit: "bytes", query: (sel) => `sum(kubevirt_vmi_memory_available_bytes${sel}) - sum(kubevirt_vmi_memory_usable_bytes${sel})` },
    { name: "size", unit: "bytes", query: (sel) => `sum(kubevirt_vmi_memory_available_bytes${sel})` },
  ],
  disk: [
    { name: "read_bytes", unit: "bytes_per_second", query: rateOf("kubevirt_vmi_storage_read_traffic_bytes_total") },
    { name: "write_bytes", unit: "bytes_per_second", query: rateOf("kubevirt_vmi_storage_write_traffic_bytes_total") },
    { name: "read_iops", unit: "operations_per_second", query: rateOf("kubevirt_vmi_storage_iops_read_total") },
    { name: "write_iops", unit: "operations_per_second", query: rateOf("kubevirt_vmi_storage_iops_write_total") },
  ],
  network: [
    { name: "receive_bytes", unit: "bytes_per_second", query: rateOf("kubevirt_vmi_network_receive_bytes_total") },
    { name: "transmit_bytes", unit: "bytes_per_second", query: rateOf("kubevirt_vmi_network_transmit_bytes_total") },
  ],
};

/**
 * The PromQL queries of `graph` for the VMI `vmiName` in `namespace`, with a rate window of two
 * steps and at least four scrapes (so a rate always has two samples).
 */
export function graphQueries(graph: MetricGraph, namespace: string, vmiName: string, step: number, scrape = scrapeSeconds()): { name: MetricSeriesName; unit: MetricUnit; query: string }[] {
  const sel = `{namespace=${promString(namespace)},name=${promString(vmiName)}}`;
  const window = `[${Math.max(2 * step, 4 * scrape)}s]`;
  return templates[graph].map((t) => ({ name: t.name, unit: t.unit, query: t.query(sel, window) }));
}

/**
 * The series of one graph of VM `name` of the tenant over `range`.
 * @param name from the URL path: a malformed name answers not_found, like a missing VM
 * @throws AppError not_found (`vm_not_found`), cluster_unavailable (`metrics_not_configured`
 *   without PROMETHEUS_URL, `metrics_unavailable` when Prometheus fails)
 */
export async function getVmMetrics(access: TenantAccess, name: string, graph: MetricGraph, range: MetricRange, now = Date.now() / 1000): Promise<VmMetrics> {
  assertVmUrlName(name);
  if (!(await exists(access, kinds.VMInstance, name))) throw new AppError("not_found", "vm_not_found", { name });
  if (!prometheusUrl()) throw new AppError("cluster_unavailable", "metrics_not_configured");
  const { start, end, step } = queryWindow(range, now);
  const queries = graphQueries(graph, access.tenant.namespace, virtualMachineName(name), step);
  const series: MetricSeries[] = await Promise.all(
    queries.map(async (q) => ({ name: q.name, unit: q.unit, points: await queryRangePoints(q.query, start, end, step) })),
  );
  return { series, start, end, step };
}
