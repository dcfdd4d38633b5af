/**
 * Turns the metrics API's series (lib/shared/metrics.ts) into what a uPlot chart draws: one shared
 * time axis and one value column per series, `null` where a series has no point (uPlot draws a gap).
 */
import type { MetricSeries } from "@/lib/shared/metrics";

/** uPlot's data: `[times (unix seconds), ...one column per series]`. */
export type ChartData = [number[], ...(number | null)[][]];

/**
 * Aligns `series` on the union of their timestamps, each value multiplied by `scale` (e.g. 100 / vCPUs
 * for a CPU share in percent).
 */
export function alignSeries(series: Pick<MetricSeries, "points">[], scale = 1): ChartData {
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col: (number | null)[] = new Array(times.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t)!] = v * scale;
    return col;
  });
  return [times, ...columns];
}

/** The last value of a series (its newest point), or null when it has none. */
export function latestValue(series: Pick<MetricSeries, "points">, scale = 1): number | null {
  const last = series.points.at(-1);
  return last ? last[1] * scale : null;
}

/** Whether no series of a graph has any point. */
export function isEmptyGraph(series: Pick<MetricSeries, "points">[]): boolean {
  return series.every((s) => s.points.length === 0);
}
