/**
 * Benchmark (on demand, not in CI): how long a 7-day CPU chart takes to draw in Chromium once its
 * data has arrived. Target (issue "Metrics"): under 300 ms.
 *
 * What is timed, per run, in a fresh page: the metrics API's answer (JSON text, as fetch hands it
 * over) parsed, aligned on one time axis (lib/client/metrics-data.ts `alignSeries`, the same code
 * the Metrics tab runs) and drawn by uPlot with the tab's options shape, until the next animation
 * frame (the canvas painted). Two sizes: the API's cap (300 points, what the tab receives) and the
 * raw 5 s scrapes of 7 days (120,960 points), to show the headroom the cap buys.
 * The React shell around the chart is not timed (it does not depend on the data's size).
 *
 * Run: `npx tsx bench/metrics-chart.ts` (needs Debian's chromium). Env: BENCH_RUNS (20), CHROMIUM_PATH.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { chromium } from "@playwright/test";
import { build } from "esbuild";

const runs = Number(process.env.BENCH_RUNS ?? 20);
const root = path.resolve(import.meta.dirname, "..");

/** A 7-day CPU series of `points` points: a busy VM's noisy share of one vCPU. */
function sevenDays(points: number): string {
  const end = 1_765_000_000;
  const step = Math.round(604_800 / points);
  const values: [number, string][] = [];
  for (let i = 0; i < points; i++) values.push([end - 604_800 + i * step, String(0.2 + 0.6 * Math.abs(Math.sin(i / 50)) + Math.random() * 0.1)]);
  return JSON.stringify({ series: [{ name: "cpu_usage", unit: "cores", points: values.map(([t, v]) => [t, Number(v)]) }], start: end - 604_800, end, step });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  // The page's script: alignSeries + uPlot, bundled once.
  const entry = `
    import uPlot from "uplot";
    import { alignSeries } from "${path.join(root, "lib/client/metrics-data.ts")}";
    window.drawChart = async (text) => {
      const t0 = performance.now();
      const body = JSON.parse(text);
      const data = alignSeries(body.series, 100);
      const el = document.getElementById("chart");
      const u = new uPlot({ width: 600, height: 200, scales: { x: { time: true } },
        series: [{}, { label: "CPU", stroke: "#2563eb", width: 2, fill: "#2563eb1a" }],
        axes: [{}, { values: (_u, splits) => splits.map((v) => v.toFixed(1) + "%") }] }, data, el);
      await new Promise((r) => requestAnimationFrame(() => r()));
      const ms = performance.now() - t0;
      u.destroy();
      return ms;
    };`;
  const bundle = await build({ stdin: { contents: entry, resolveDir: root, loader: "ts" }, bundle: true, write: false, format: "iife", alias: { "@": root } });
  const css = fs.readFileSync(path.join(root, "node_modules/uplot/dist/uPlot.min.css"), "utf8");
  const html = `<!doctype html><html><head><style>${css}</style></head><body><div id="chart"></div><script>${bundle.outputFiles[0].text}</script></body></html>`;
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    for (const points of [300, 120_960]) {
      const text = sevenDays(points);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const page = await browser.newPage();
        await page.goto(url);
        times.push(await page.evaluate((t) => (window as unknown as { drawChart: (t: string) => Promise<number> }).drawChart(t), text));
        await page.close();
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      console.log(`[bench] 7-day CPU chart, ${points} points (${(text.length / 1024).toFixed(0)} KiB): p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${runs} runs — target < 300 ms: ${p95 < 300 ? "met" : "NOT met"}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
