"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useMemo, type ReactNode } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { fetchVmMetrics, isApiError } from "@/lib/client/api";
import { vmKeys } from "@/lib/client/query-keys";
import { useFormat } from "@/lib/client/format";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { alignSeries, isEmptyGraph, latestValue } from "@/lib/client/metrics-data";
import { type MetricGraph, type MetricRange, type MetricSeries, type MetricSeriesName } from "@/lib/shared/metrics";
import { resourcesCpu } from "@/lib/shared/vm";
import type { VmDetail } from "@/lib/shared/disk";
import { MetricsChart } from "@/components/metrics/metrics-chart";
import { RangePicker, refreshMs, useMetricRange } from "@/components/metrics/range-picker";
import { ChartCard, EmptyChart } from "@/components/metrics/chart-card";

const colors: Record<MetricSeriesName, string> = {
  cpu_usage: "#2563eb",
  resident: "#2563eb",
  guest_used: "#059669",
  size: "#d97706",
  read_bytes: "#2563eb",
  write_bytes: "#d97706",
  read_iops: "#2563eb",
  write_iops: "#d97706",
  receive_bytes: "#2563eb",
  transmit_bytes: "#d97706",
};

/** The VM's vCPUs: its instance type's, or its custom size's; 1 when neither is known. */
function vcpusOf(detail: VmDetail): number {
  return detail.overview.instanceType?.cpu ?? (detail.spec.resources ? resourcesCpu(detail.spec.resources) : 1);
}

function useGraph(name: string, graph: MetricGraph, range: MetricRange) {
  const tenant = useTenant();
  return useQuery({
    queryKey: vmKeys.metrics(tenant.name, name, graph, range),
    queryFn: ({ signal }) => fetchVmMetrics(tenant.name, name, graph, range, signal),
    refetchInterval: refreshMs[range],
    placeholderData: keepPreviousData,
    retry: (count, err) => count < 1 && !isApiError(err, 404, 422, 503),
  });
}

/**
 * One graph of the Metrics tab: the query of `graph`, the `series` it draws (by name), the value
 * scale and format, and what to say when nothing came yet.
 */
function GraphCard({ name, graph, range, title, series, scale = 1, format, minMax, running, note, emptyRunning }: {
  name: string;
  graph: MetricGraph;
  range: MetricRange;
  title: string;
  series: MetricSeriesName[];
  scale?: number;
  format: (v: number) => string;
  minMax?: number;
  running: boolean;
  note?: (all: MetricSeries[]) => ReactNode;
  /** what an empty graph of a running VM says (default: points are on their way) */
  emptyRunning?: string;
}) {
  const t = useTranslations("VmMetrics");
  const f = useFormat();
  const errorMessage = useApiErrorMessage();
  const query = useGraph(name, graph, range);
  const shown = useMemo(() => (query.data?.series ?? []).filter((s) => series.includes(s.name) && (s.points.length > 0 || s.name !== "guest_used")), [query.data, series]);
  const data = useMemo(() => alignSeries(shown, scale), [shown, scale]);

  if (query.error) return <ChartCard title={title}><Alert tone="error">{errorMessage(query.error)}</Alert></ChartCard>;
  if (!query.data) return <ChartCard title={title}><Skeleton className="h-[200px]" /></ChartCard>;
  const first = shown[0];
  const latest = first ? latestValue(first, scale) : null;
  return (
    <ChartCard title={title} latest={latest === null ? undefined : format(latest)} latestValue={latest}>
      {isEmptyGraph(shown) ? (
        <EmptyChart>{running ? (emptyRunning ?? t("noDataYet")) : t("noDataStopped")}</EmptyChart>
      ) : (
        <MetricsChart data={data} format={format} locale={f.locale} minMax={minMax}
          lines={shown.map((s) => ({ label: t(`series.${s.name}`), color: colors[s.name] }))} />
      )}
      {note?.(query.data.series)}
    </ChartCard>
  );
}

/**
 * The VM page's Metrics tab: CPU (as a share of the VM's vCPUs), memory, disk throughput and
 * operations, network, over a range kept in the URL (`?range=`, 15 min to 7 days), refreshed by
 * itself; values under the pointer with their units. Without Prometheus the tab says metrics are not
 * configured; series that need the guest agent say so.
 */
export function VmMetricsPanel({ detail }: { detail: VmDetail }) {
  const t = useTranslations("VmMetrics");
  const f = useFormat();
  const errorMessage = useApiErrorMessage();
  const range = useMetricRange();
  const name = detail.vm.name;
  const vcpus = vcpusOf(detail);
  const running = detail.vm.powerState === "Running";
  const cpu = useGraph(name, "cpu", range);

  const rate = (v: number) => t("perSecond", { value: f.bytes(v) });
  const ops = (v: number) => t("opsPerSecond", { value: f.number(v, { maximumFractionDigits: v < 10 ? 1 : 0 }) });

  if (isApiError(cpu.error, 503) && cpu.error.reason === "metrics_not_configured") {
    return <Alert tone="info" title={t("notConfiguredTitle")}>{errorMessage(cpu.error)}</Alert>;
  }

  return (
    <div className="space-y-4">
      <RangePicker range={range} />
      <div className="grid gap-4 lg:grid-cols-2">
        <GraphCard name={name} graph="cpu" range={range} running={running} title={t("cpuTitle", { vcpus })} series={["cpu_usage"]}
          scale={100 / vcpus} minMax={100} format={(v) => f.percent(v)} />
        <GraphCard name={name} graph="memory" range={range} running={running} title={t("memoryTitle")} series={["resident", "guest_used", "size"]}
          format={(v) => f.bytes(v)}
          note={(all) => (all.find((s) => s.name === "guest_used")?.points.length ? null
            : <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">{t("guestAgentNeeded")}</p>)} />
        <GraphCard name={name} graph="disk" range={range} running={running} title={t("diskThroughputTitle")} series={["read_bytes", "write_bytes"]} format={rate}
          emptyRunning={t("noDiskData")} />
        <GraphCard name={name} graph="disk" range={range} running={running} title={t("diskIopsTitle")} series={["read_iops", "write_iops"]} format={ops}
          emptyRunning={t("noDiskData")} />
        <GraphCard name={name} graph="network" range={range} running={running} title={t("networkTitle")} series={["receive_bytes", "transmit_bytes"]} format={rate}
          emptyRunning={t("noNetworkData")} />
      </div>
    </div>
  );
}
