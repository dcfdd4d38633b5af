/**
 * virt-handler's per-VMI metrics for the stand-in's real QEMU guests (dev and tests only): an HTTP
 * `/metrics` endpoint in Prometheus's text format (version 0.0.4) that Prometheus scrapes like
 * KubeVirt's virt-handler.
 *
 * Names, types and labels follow KubeVirt's domain-stats collector
 * (kubevirt/kubevirt `pkg/monitoring/metrics/virt-handler/domainstats/`: `cpu_metrics.go`,
 * `memory_metrics.go`, `block_metrics.go`, `network_metrics.go`; labels `node`, `namespace`,
 * `name` from `domainstats.go` `metricLabels`, plus `drive` per block device and `interface` per
 * NIC). The values come from the real guest instead of libvirt:
 *
 * - `kubevirt_vmi_cpu_usage_seconds_total` (counter): CPU time of the QEMU process, utime + stime of
 *   `/proc/<pid>/stat` in clock ticks (libvirt's `cpu.time` is the same cgroup-wide CPU time);
 * - `kubevirt_vmi_memory_resident_bytes`: the QEMU process's `VmRSS` (`/proc/<pid>/status`);
 * - `kubevirt_vmi_memory_available_bytes` and `kubevirt_vmi_memory_domain_bytes`: the guest's
 *   memory size (`-m`). `kubevirt_vmi_memory_usable_bytes` (and `unused`, `cached`) come from the
 *   guest's balloon statistics in KubeVirt; the stand-in's guests have no balloon driver, so, as
 *   libvirt does then, they are not exported;
 * - `kubevirt_vmi_storage_{read,write}_traffic_bytes_total` and `kubevirt_vmi_storage_iops_{read,write}_total`
 *   per drive from QMP `query-blockstats` (empty while guests have no disk);
 * - `kubevirt_vmi_network_{receive,transmit}_bytes_total`: only once guests have a NIC (they run
 *   with `-nic none` today, so none is exported).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { qmp, type Guest } from "./qemu";

/** One sample: a metric name, its labels and its value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** HELP and TYPE of every series the stand-in exports (KubeVirt's wording). */
export const metricFamilies: Record<string, { help: string; type: "counter" | "gauge" }> = {
  kubevirt_vmi_cpu_usage_seconds_total: { help: "Total CPU time spent in all modes (sum of both vcpu and hypervisor usage).", type: "counter" },
  kubevirt_vmi_memory_resident_bytes: { help: "Resident set size of the process running the domain.", type: "gauge" },
  kubevirt_vmi_memory_available_bytes: { help: "Amount of usable memory as seen by the domain.", type: "gauge" },
  kubevirt_vmi_memory_domain_bytes: { help: "The amount of memory in bytes allocated to the domain.", type: "gauge" },
  kubevirt_vmi_storage_read_traffic_bytes_total: { help: "Total number of bytes read from storage.", type: "counter" },
  kubevirt_vmi_storage_write_traffic_bytes_total: { help: "Total number of written bytes.", type: "counter" },
  kubevirt_vmi_storage_iops_read_total: { help: "Total number of I/O read operations.", type: "counter" },
  kubevirt_vmi_storage_iops_write_total: { help: "Total number of I/O write operations.", type: "counter" },
  kubevirt_vmi_network_receive_bytes_total: { help: "Total network traffic received in bytes.", type: "counter" },
  kubevirt_vmi_network_transmit_bytes_total: { help: "Total network traffic transmitted in bytes.", type: "counter" },
};

let clockTicks: number | null = null;

/** `getconf CLK_TCK` (the unit of /proc/<pid>/stat's times), 100 when it cannot be read. */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU seconds (user + system) a process has used, from the text of `/proc/<pid>/stat`: fields 14
 * and 15 (utime, stime) in clock ticks, counted after the `)` closing the command name, which may
 * itself hold spaces and parentheses (proc(5)).
 */
export function cpuSecondsFromStat(stat: string, ticks = ticksPerSecond()): number {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("unreadable /proc/<pid>/stat");
  return (utime + stime) / ticks;
}

/** Resident bytes from the text of `/proc/<pid>/status` (`VmRSS:  1234 kB`), null when absent. */
export function residentBytesFromStatus(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

/** QMP `query-blockstats` entry (the fields read here; QEMU's qapi/block-core.json `BlockStats`). */
interface BlockStats {
  device?: string;
  qdev?: string;
  node_name?: string;
  stats?: { rd_bytes?: number; wr_bytes?: number; rd_operations?: number; wr_operations?: number };
}

/** Samples of one drive list from `query-blockstats`; the `drive` label is the device name (KubeVirt: the disk's alias). */
export function blockSamples(stats: BlockStats[], base: Record<string, string>): Sample[] {
  const out: Sample[] = [];
  for (const b of stats) {
    const drive = b.device || b.qdev || b.node_name;
    if (!drive || !b.stats) continue;
    const labels = { ...base, drive };
    const add = (name: string, v: number | undefined) => {
      if (typeof v === "number") out.push({ name, labels, value: v });
    };
    add("kubevirt_vmi_storage_read_traffic_bytes_total", b.stats.rd_bytes);
    add("kubevirt_vmi_storage_write_traffic_bytes_total", b.stats.wr_bytes);
    add("kubevirt_vmi_storage_iops_read_total", b.stats.rd_operations);
    add("kubevirt_vmi_storage_iops_write_total", b.stats.wr_operations);
  }
  return out;
}

/**
 * Samples of one running guest whose key is `namespace/vmi-name`. A guest that exited meanwhile
 * gives none (its /proc entry is gone); a monitor that does not answer gives no block samples.
 */
export async function guestSamples(guest: Pick<Guest, "id" | "pid" | "qmpSocket" | "memoryMiB">, node = "hikube-dev"): Promise<Sample[]> {
  const slash = guest.id.indexOf("/");
  if (slash < 0) return [];
  const labels = { node, namespace: guest.id.slice(0, slash), name: guest.id.slice(slash + 1) };
  let stat: string;
  let status: string;
  try {
    stat = fs.readFileSync(`/proc/${guest.pid}/stat`, "utf8");
    status = fs.readFileSync(`/proc/${guest.pid}/status`, "utf8");
  } catch {
    return [];
  }
  const out: Sample[] = [{ name: "kubevirt_vmi_cpu_usage_seconds_total", labels, value: cpuSecondsFromStat(stat) }];
  const rss = residentBytesFromStatus(status);
  if (rss !== null) out.push({ name: "kubevirt_vmi_memory_resident_bytes", labels, value: rss });
  const memory = guest.memoryMiB * 1024 * 1024;
  out.push({ name: "kubevirt_vmi_memory_available_bytes", labels, value: memory });
  out.push({ name: "kubevirt_vmi_memory_domain_bytes", labels, value: memory });
  try {
    const stats = (await qmp(guest.qmpSocket, "query-blockstats", undefined, 2_000)) as BlockStats[];
    out.push(...blockSamples(stats, labels));
  } catch {
    // the monitor is busy or the guest is going away: the next scrape tries again
  }
  return out;
}

/** A label value escaped for the text format: `\` → `\\`, `"` → `\"`, newline → `\n`. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Renders samples in Prometheus's text exposition format, grouped by family with HELP and TYPE. */
export function renderText(samples: Sample[]): string {
  const lines: string[] = [];
  for (const [name, family] of Object.entries(metricFamilies)) {
    const mine = samples.filter((s) => s.name === name);
    if (!mine.length) continue;
    lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
    for (const s of mine) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
      lines.push(`${name}{${labels}} ${s.value}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** the port it listens on (127.0.0.1) */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` on 127.0.0.1:`port` (0: any free port) with the samples of every guest
 * that `guests()` lists at scrape time; anything else is 404.
 */
export async function startMetricsServer(opts: { port: number; guests: () => Guest[] }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    Promise.all(opts.guests().map((g) => guestSamples(g)))
      .then((all) => {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(renderText(all.flat()));
      })
      .catch((err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(err));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
