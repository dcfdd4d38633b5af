/**
 * The local cluster's Prometheus (dev and tests only): Debian's `prometheus` package (2.42), started
 * by `cluster:up` when installed, scraping every 5 s the KubeVirt stand-in's virt-handler metrics
 * (dev-cluster/standin/metrics.ts) and, once a portal registered its address
 * ({@link setPortalScrapeTarget}), the portal's `/metrics`. Configuration and data live in
 * `<cluster state>/prometheus/`; its URL is written to `<cluster state>/prometheus.url`
 * ({@link readPrometheusUrl}), which scripts/dev.ts and scripts/stack.ts hand to the portal as
 * `PROMETHEUS_URL`. Without the binary the cluster starts without it (and says so).
 *
 * Env: `HIKUBE_PROMETHEUS` (binary, default `prometheus` on PATH), `HIKUBE_PROMETHEUS=off` leaves it out.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { stateDir } from "./paths";

/** Files of the local Prometheus inside the cluster's state folder. */
export const prometheusFiles = {
  dir: path.join(stateDir, "prometheus"),
  config: path.join(stateDir, "prometheus", "prometheus.yml"),
  data: path.join(stateDir, "prometheus", "data"),
  portalTargets: path.join(stateDir, "prometheus", "portal-targets.json"),
  log: path.join(stateDir, "prometheus.log"),
  url: path.join(stateDir, "prometheus.url"),
};

/** How often Prometheus scrapes (the issue asks for 5 s, so a busy guest shows within seconds). */
export const scrapeIntervalSeconds = 5;

/** The Prometheus binary, or null when it is not installed or switched off. */
export function prometheusBinary(): string | null {
  const configured = process.env.HIKUBE_PROMETHEUS;
  if (configured === "off") return null;
  const bin = configured || "prometheus";
  try {
    execFileSync(bin, ["--version"], { stdio: "ignore" });
    return bin;
  } catch {
    return null;
  }
}

/**
 * prometheus.yml: job `kubevirt` scrapes the stand-in's virt-handler endpoint (`honor_labels`, so
 * the VMI's `namespace` and `name` are kept as KubeVirt's ServiceMonitor keeps them); job
 * `hikube-portal` reads its targets from a file the portal's start script writes.
 */
export function prometheusConfig(standinMetricsPort: number): string {
  return [
    "global:",
    `  scrape_interval: ${scrapeIntervalSeconds}s`,
    `  evaluation_interval: ${scrapeIntervalSeconds}s`,
    "scrape_configs:",
    "  - job_name: kubevirt",
    "    honor_labels: true",
    "    static_configs:",
    `      - targets: ["127.0.0.1:${standinMetricsPort}"]`,
    "  - job_name: hikube-portal",
    "    file_sd_configs:",
    `      - files: [${JSON.stringify(prometheusFiles.portalTargets)}]`,
    `        refresh_interval: ${scrapeIntervalSeconds}s`,
    "",
  ].join("\n");
}

/** Writes the configuration; keeps an existing portal target file. */
export function writePrometheusConfig(standinMetricsPort: number): void {
  fs.mkdirSync(prometheusFiles.data, { recursive: true });
  fs.writeFileSync(prometheusFiles.config, prometheusConfig(standinMetricsPort));
  if (!fs.existsSync(prometheusFiles.portalTargets)) fs.writeFileSync(prometheusFiles.portalTargets, "[]\n");
}

/** Command-line arguments of the local Prometheus listening on 127.0.0.1:`port`. */
export function prometheusArgs(port: number): string[] {
  return [
    `--config.file=${prometheusFiles.config}`,
    `--storage.tsdb.path=${prometheusFiles.data}`,
    // the portal's longest range is 7 days
    "--storage.tsdb.retention.time=8d",
    `--web.listen-address=127.0.0.1:${port}`,
  ];
}

/**
 * Registers (or with null removes) the portal Prometheus should scrape at `http://<hostPort>/metrics`,
 * e.g. `127.0.0.1:3000`. Prometheus rereads the file by itself. No-op when the cluster has no
 * Prometheus folder.
 */
export function setPortalScrapeTarget(hostPort: string | null): void {
  if (!fs.existsSync(prometheusFiles.dir)) return;
  const targets = hostPort ? [{ targets: [hostPort], labels: { job: "hikube-portal" } }] : [];
  fs.writeFileSync(prometheusFiles.portalTargets, JSON.stringify(targets) + "\n");
}

/**
 * Registers the portal at `portalUrl` (e.g. `http://127.0.0.1:3000`) as a scrape target when it
 * serves `GET /metrics` (200); otherwise removes any target, so Prometheus does not ask a portal
 * without metrics for a 404 page every 5 s. Never throws.
 */
export async function registerPortalIfItServesMetrics(portalUrl: string): Promise<boolean> {
  const serves = await fetch(`${portalUrl}/metrics`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.ok, () => false);
  try {
    setPortalScrapeTarget(serves ? new URL(portalUrl).host : null);
  } catch {
    return false;
  }
  return serves;
}

/** The local Prometheus's URL (`http://127.0.0.1:<port>`), or null when the cluster has none. */
export function readPrometheusUrl(): string | null {
  try {
    return fs.readFileSync(prometheusFiles.url, "utf8").trim() || null;
  } catch {
    return null;
  }
}
