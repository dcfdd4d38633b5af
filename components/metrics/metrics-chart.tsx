"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartData } from "@/lib/client/metrics-data";
import { dateTimeFormat } from "@/lib/shared/intl-formats";

/** One line of a {@link MetricsChart}. */
export interface ChartLine {
  label: string;
  /** CSS colour of the line */
  color: string;
  /** dashes (uPlot's `dash`, canvas pixels), e.g. [6, 4] for a limit; a solid, filled line without */
  dash?: number[];
}

const darkAxis = { stroke: "#a1a1aa", grid: "#3f3f46" };
const lightAxis = { stroke: "#52525b", grid: "#e4e4e7" };

const isDark = () => document.documentElement.classList.contains("dark");

/**
 * uPlot's axis date formats (`fmtDate` templates such as `{h}:{mm}{aa}` or `{M}/{D}\n{h}:{mm}{aa}`,
 * one part per line) rendered with `Intl` in the page's language instead of uPlot's English names.
 */
function intlDateFormatter(locale: string): (tpl: string) => (date: Date) => string {
  const partFormat = (part: string): Intl.DateTimeFormat => {
    const hasTime = /\{h|\{H|\{mm/.test(part);
    const hasDate = /\{M|\{D|\{Y|\{W/.test(part);
    if (hasTime) return dateTimeFormat(locale, { hour: "numeric", minute: "2-digit", ...(part.includes("{ss}") ? { second: "2-digit" } : {}) });
    if (hasDate && /\{Y/.test(part) && !/\{M|\{D/.test(part)) return dateTimeFormat(locale, { year: "numeric" });
    return dateTimeFormat(locale, { day: "numeric", month: "short" });
  };
  return (tpl) => {
    const parts = tpl.split("\n").map(partFormat);
    return (date) => parts.map((f) => f.format(date)).join("\n");
  };
}

/**
 * A time-series chart drawn by uPlot (a canvas; loaded in the browser only): a shared time axis,
 * one line per {@link ChartLine}, a legend that shows the hovered values through `format`
 * (units included), axes and grid following the light or dark theme, and the container's width.
 * `minMax` keeps the y axis at least that tall (e.g. 100 for a percentage).
 */
export function MetricsChart({ data, lines, format, locale, minMax = 0, height = 200 }: {
  data: ChartData;
  lines: ChartLine[];
  format: (value: number) => string;
  locale: string;
  minMax?: number;
  height?: number;
}) {
  const t = useTranslations("VmMetrics");
  const timeName = t("time");
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef({ data, format });
  const shape = `${lines.map((l) => `${l.label}:${l.color}:${l.dash ?? ""}`).join("|")}|${locale}|${timeName}|${minMax}|${height}`;

  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    let themeObserver: MutationObserver | null = null;
    const create = async () => {
      const { default: UPlot } = await import("uplot");
      if (cancelled || !box.current) return;
      const el = box.current;
      observer?.disconnect();
      themeObserver?.disconnect();
      chart.current?.destroy();
      const axis = isDark() ? darkAxis : lightAxis;
      const fmt = (v: number | null) => (v === null || v === undefined ? "—" : latest.current.format(v));
      const timeLabel = dateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" });
      const opts: uPlot.Options = {
        width: el.clientWidth || 600,
        height,
        fmtDate: intlDateFormatter(locale),
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, minMax) * 1.05 || 1] } },
        series: [
          { label: timeName, value: (_u, ts) => (ts === null ? "—" : timeLabel.format(new Date(ts * 1000))) },
          ...lines.map((l) => ({
            label: l.label, stroke: l.color, width: 2, dash: l.dash, fill: l.dash ? undefined : `${l.color}1a`, spanGaps: false,
            value: (_u: uPlot, v: number | null) => fmt(v),
          })),
        ],
        axes: [
          { stroke: axis.stroke, grid: { stroke: axis.grid, width: 1 }, ticks: { stroke: axis.grid, width: 1 } },
          { stroke: axis.stroke, grid: { stroke: axis.grid, width: 1 }, ticks: { stroke: axis.grid, width: 1 }, size: 80,
            values: (_u, splits) => splits.map((v) => latest.current.format(v)) },
        ],
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
      };
      chart.current = new UPlot(opts, latest.current.data as uPlot.AlignedData, el);
      observer = new ResizeObserver(() => chart.current?.setSize({ width: el.clientWidth, height }));
      observer.observe(el);
      // the theme switch toggles `dark` on <html>: redraw with the other axis colours
      themeObserver = new MutationObserver(() => {
        if ((isDark() ? darkAxis : lightAxis) !== axis) void create();
      });
      themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    };
    void create();
    return () => {
      cancelled = true;
      observer?.disconnect();
      themeObserver?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
    // the chart is rebuilt when its shape changes; new data only goes through setData below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    latest.current = { data, format };
    chart.current?.setData(data as uPlot.AlignedData);
  }, [data, format]);

  return <div ref={box} className="metrics-chart w-full text-zinc-700 dark:text-zinc-300" />;
}
