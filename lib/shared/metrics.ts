/**
 * The VM metrics API's vocabulary, shared by the server (lib/server/metrics/) and the Metrics tab:
 * the browser chooses one of {@link metricGraphs} and one of {@link metricRanges}, never a query.
 */
import { z } from "zod";

/** The graphs of the Metrics tab. */
export const metricGraphs = ["cpu", "memory", "disk", "network"] as const;
/** One graph. */
export type MetricGraph = (typeof metricGraphs)[number];

/** The time ranges a graph covers, with their length in seconds. */
export const metricRangeSeconds = { "15m": 900, "1h": 3600, "6h": 21_600, "24h": 86_400, "7d": 604_800 } as const;
/** The ranges, shortest first. */
export const metricRanges = Object.keys(metricRangeSeconds) as (keyof typeof metricRangeSeconds)[];
/** One range. */
export type MetricRange = keyof typeof metricRangeSeconds;

/** The most points one series of an answer holds (the step is the range divided by this, at least the scrape interval). */
export const maxPointsPerSeries = 300;

/** Query of `GET /api/tenants/{tenant}/vms/{name}/metrics`. */
export const getVmMetricsSchema = z.object({
  graph: z.enum(metricGraphs),
  range: z.enum(metricRanges as [MetricRange, ...MetricRange[]]).default("1h"),
});

/**
 * Units of a series: `cores` (CPU seconds per second: 1 is one vCPU busy), `bytes`,
 * `bytes_per_second`, `operations_per_second`.
 */
export type MetricUnit = "cores" | "bytes" | "bytes_per_second" | "operations_per_second";

/**
 * The names of the series, per graph. `memory.guest_used` (memory the guest's OS uses, KubeVirt's
 * `available - usable`) needs the guest's balloon statistics / guest agent: it is often empty.
 */
export const metricSeriesNames = {
  cpu: ["cpu_usage"],
  memory: ["resident", "guest_used", "size"],
  disk: ["read_bytes", "write_bytes", "read_iops", "write_iops"],
  network: ["receive_bytes", "transmit_bytes"],
} as const satisfies Record<MetricGraph, readonly string[]>;

/** A series name of any graph. */
export type MetricSeriesName = (typeof metricSeriesNames)[MetricGraph][number];

/** One series: its name, unit and points `[unix seconds, value]`, oldest first (empty: no data). */
export interface MetricSeries {
  name: MetricSeriesName;
  unit: MetricUnit;
  points: [number, number][];
}

/** The answer of the metrics API: the graph's series in {@link metricSeriesNames} order, and the query window. */
export interface VmMetrics {
  series: MetricSeries[];
  /** unix seconds */
  start: number;
  end: number;
  /** seconds between points */
  step: number;
}

/** Query of `GET /api/tenants/{tenant}/metrics`: the range only (the queries are the server's); any other parameter is refused (422). */
export const getTenantMetricsSchema = z.object({
  range: z.enum(metricRanges as [MetricRange, ...MetricRange[]]).default("1h"),
}).strict();

/** How many VMs each top list of the tenant's metrics holds at most. */
export const topVmCount = 10;

/**
 * One VM of a top list: its VM name (the VMInstance's, without KubeVirt's `vm-instance-` prefix)
 * and its value in the list's unit.
 */
export interface TopVm {
  name: string;
  value: number;
}

/**
 * The answer of the tenant metrics API over one range.
 * - `cpu`: the tenant's VMs' CPU time per second (unit `cores`), and its vCPU quota in cores (`quota`,
 *   null without a Quota row), constant over the range: the quota's history is not kept;
 * - `memory`: the VM processes' resident memory summed (bytes), and the memory quota (bytes);
 * - `topCpu`: the {@link topVmCount} VMs with the most CPU, averaged over the range (cores);
 * - `topMemory`: the {@link topVmCount} VMs with the highest resident memory over the range (bytes).
 */
export interface TenantMetrics {
  cpu: { series: MetricSeries; quota: number | null };
  memory: { series: MetricSeries; quota: number | null };
  topCpu: TopVm[];
  topMemory: TopVm[];
  /** unix seconds */
  start: number;
  end: number;
  /** seconds between points */
  step: number;
}
