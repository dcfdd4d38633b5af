"use client";

import Link from "next/link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useMemo } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { fetchTenantMetrics, isApiError } from "@/lib/client/api";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { useFormat } from "@/lib/client/format";
import { alignSeries, isEmptyGraph, latestValue } from "@/lib/client/metrics-data";
import { tenantMetricsKeys } from "@/lib/client/query-keys";
import type { MetricRange, MetricSeries, TopVm } from "@/lib/shared/metrics";
import { ChartCard, EmptyChart } from "./chart-card";
import { MetricsChart } from "./metrics-chart";
import { RangePicker, refreshMs, useMetricRange } from "./range-picker";

const usageColor = "#2563eb";
const quotaColor = "#dc2626";

/** `series`' timestamps with the constant `value` (a quota drawn as a flat, dashed line). */
function flatLine(series: MetricSeries, value: number): Pick<MetricSeries, "points"> {
  return { points: series.points.map(([t]) => [t, value]) };
}

/** One usage graph (CPU or memory) with its quota as a dashed line when the tenant has one. */
function UsageCard({ title, series, quota, format }: {
  title: string;
  series: MetricSeries;
  quota: number | null;
  format: (v: number) => string;
}) {
  const t = useTranslations("TenantMetrics");
  const f = useFormat();
  const data = useMemo(() => alignSeries(quota === null ? [series] : [series, flatLine(series, quota)]), [series, quota]);
  const latest = latestValue(series);
  const lines = [{ label: t("inUse"), color: usageColor }, ...(quota === null ? [] : [{ label: t("quota"), color: quotaColor, dash: [6, 4] }])];
  return (
    <ChartCard title={title} latestValue={latest}
      latest={latest === null ? undefined : quota === null ? format(latest) : t("ofQuota", { value: format(latest), quota: format(quota) })}>
      {isEmptyGraph([series]) ? (
        <EmptyChart>{t("noData")}</EmptyChart>
      ) : (
        <MetricsChart data={data} lines={lines} format={format} locale={f.locale} minMax={quota ?? 0} />
      )}
    </ChartCard>
  );
}

/** A ranked list of VMs (name linking to the VM's Metrics tab, value, a bar relative to the first). */
function TopList({ title, vms, range, format }: { title: string; vms: TopVm[]; range: MetricRange; format: (v: number) => string }) {
  const t = useTranslations("TenantMetrics");
  const tenant = useTenant();
  const headingId = useId();
  const max = vms[0]?.value || 1;
  return (
    <section aria-labelledby={headingId} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={headingId} className="mb-3 text-sm font-semibold">{title}</h2>
      {vms.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("noVms")}</p>
      ) : (
        <ol className="space-y-2">
          {vms.map((vm) => (
            <li key={vm.name} className="text-sm">
              <div className="flex items-baseline justify-between gap-3">
                <Link href={`/t/${tenant.name}/vms/${encodeURIComponent(vm.name)}?tab=metrics&range=${range}`}
                  className="min-w-0 truncate font-medium text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-blue-400">
                  {vm.name}
                </Link>
                <span className="shrink-0 tabular-nums text-zinc-700 dark:text-zinc-300">{format(vm.value)}</span>
              </div>
              <div aria-hidden="true" className="mt-1 h-1.5 rounded-full bg-zinc-100 dark:bg-zinc-800">
                <div className="h-1.5 rounded-full bg-blue-600 dark:bg-blue-500" style={{ width: `${Math.max(2, (vm.value / max) * 100)}%` }} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * `/t/{tenant}/metrics`: the tenant's CPU (in vCPUs) and memory over a range kept in the URL, each
 * against the tenant's quota, and its ten busiest VMs by average CPU and by peak memory over that
 * range, linking to their Metrics tab. Refreshes by itself; says so when Prometheus is not configured.
 */
export function TenantMetricsPage() {
  const t = useTranslations("TenantMetrics");
  const tVm = useTranslations("VmMetrics");
  const tenant = useTenant();
  const f = useFormat();
  const errorMessage = useApiErrorMessage();
  const range = useMetricRange();
  const query = useQuery({
    queryKey: tenantMetricsKeys.range(tenant.name, range),
    queryFn: ({ signal }) => fetchTenantMetrics(tenant.name, range, signal),
    refetchInterval: refreshMs[range],
    placeholderData: keepPreviousData,
    retry: (count, err) => count < 1 && !isApiError(err, 404, 422, 503),
  });
  const vcpus = (v: number) => t("vcpus", { value: f.number(v, { maximumFractionDigits: v < 10 ? 2 : 1 }) });
  const bytes = (v: number) => f.bytes(v);
  const data = query.data;

  let body;
  if (isApiError(query.error, 503) && query.error.reason === "metrics_not_configured") {
    body = <Alert tone="info" title={tVm("notConfiguredTitle")}>{errorMessage(query.error)}</Alert>;
  } else if (query.error && !data) {
    body = <Alert tone="error">{errorMessage(query.error)}</Alert>;
  } else if (!data) {
    body = (
      <div className="grid gap-4 lg:grid-cols-2">
        <Skeleton className="h-[260px]" />
        <Skeleton className="h-[260px]" />
      </div>
    );
  } else {
    body = (
      <>
        {query.error && <Alert tone="error">{errorMessage(query.error)}</Alert>}
        <div className="grid gap-4 lg:grid-cols-2">
          <UsageCard title={t("cpuTitle")} series={data.cpu.series} quota={data.cpu.quota} format={vcpus} />
          <UsageCard title={t("memoryTitle")} series={data.memory.series} quota={data.memory.quota} format={bytes} />
          <TopList title={t("topCpu")} vms={data.topCpu} range={range} format={vcpus} />
          <TopList title={t("topMemory")} vms={data.topMemory} range={range} format={bytes} />
        </div>
      </>
    );
  }

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("subtitle", { tenant: tenant.displayName })}</p>
      </div>
      <RangePicker range={range} />
      {body}
    </div>
  );
}
