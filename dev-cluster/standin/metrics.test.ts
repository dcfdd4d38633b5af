/**
 * The stand-in's virt-handler metrics: KubeVirt's series, scraped over HTTP from a real QEMU guest,
 * follow what the guest does (a busy loop in the guest raises its CPU counter).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GuestPool, waitForShell, type SerialShell } from "./qemu";
import { blockSamples, cpuSecondsFromStat, renderText, residentBytesFromStatus, startMetricsServer, type MetricsServer } from "./metrics";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hikube-metrics-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Parses the text format into `name{labels}` → value (enough for these tests). */
function parse(text: string): Map<string, { labels: Record<string, string>; value: number }[]> {
  const out = new Map<string, { labels: Record<string, string>; value: number }[]>();
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of m[2].matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.set(m[1], [...(out.get(m[1]) ?? []), { labels, value: Number(m[3]) }]);
  }
  return out;
}

describe("reading a QEMU process", () => {
  it("takes utime + stime after the command name, even one holding ') '", () => {
    const stat = "4242 (qemu) (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 0 0";
    expect(cpuSecondsFromStat(stat, 100)).toBe(3);
  });
  it("reads VmRSS in bytes", () => {
    expect(residentBytesFromStatus("Name:\tqemu\nVmRSS:\t  2048 kB\nThreads: 3\n")).toBe(2048 * 1024);
    expect(residentBytesFromStatus("Name:\tzombie\n")).toBeNull();
  });
  it("turns query-blockstats into KubeVirt's per-drive counters", () => {
    const samples = blockSamples([{ device: "disk0", stats: { rd_bytes: 10, wr_bytes: 20, rd_operations: 1, wr_operations: 2 } }], { namespace: "n", name: "v" });
    const text = renderText(samples);
    expect(text).toContain('kubevirt_vmi_storage_read_traffic_bytes_total{namespace="n",name="v",drive="disk0"} 10');
    expect(text).toContain('kubevirt_vmi_storage_iops_write_total{namespace="n",name="v",drive="disk0"} 2');
    expect(text).toContain("# TYPE kubevirt_vmi_storage_write_traffic_bytes_total counter");
  });
  it("escapes label values", () => {
    const text = renderText([{ name: "kubevirt_vmi_memory_resident_bytes", labels: { name: 'a"b\\c' }, value: 1 }]);
    expect(text).toContain('{name="a\\"b\\\\c"} 1');
  });
});

describe("the /metrics endpoint of a running guest", () => {
  const pool = new GuestPool({ max: 1 });
  let server: MetricsServer;
  let shell: SerialShell;

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    return parse(await res.text());
  };
  const cpu = async () => (await scrape()).get("kubevirt_vmi_cpu_usage_seconds_total")![0].value;
  /** CPU seconds per second of the guest's QEMU process over `ms`. */
  const cpuRate = async (ms: number) => {
    const a = await cpu();
    const t = Date.now();
    await new Promise((r) => setTimeout(r, ms));
    return ((await cpu()) - a) / ((Date.now() - t) / 1000);
  };

  beforeAll(async () => {
    server = await startMetricsServer({ port: 0, guests: () => pool.list() });
    const guest = await pool.start({ id: "tenant-acme/vm-instance-metrics", hostname: "vm-instance-metrics", userData: "", sshKeys: [], memoryMiB: 128, stateDir: path.join(tmp, "g") });
    shell = await waitForShell(guest.serialSocket, 90_000);
  });
  afterAll(async () => {
    shell?.close();
    await pool.stopAll();
    await server?.close();
  });

  it("exports the guest's CPU, resident memory and memory size with KubeVirt's labels", async () => {
    const series = await scrape();
    const labels = { node: "hikube-dev", namespace: "tenant-acme", name: "vm-instance-metrics" };
    expect(series.get("kubevirt_vmi_cpu_usage_seconds_total")).toEqual([{ labels, value: expect.any(Number) }]);
    expect(series.get("kubevirt_vmi_cpu_usage_seconds_total")![0].value).toBeGreaterThan(0);
    expect(series.get("kubevirt_vmi_memory_available_bytes")).toEqual([{ labels, value: 128 * 1024 * 1024 }]);
    const rss = series.get("kubevirt_vmi_memory_resident_bytes")![0].value;
    expect(rss).toBeGreaterThan(16 * 1024 * 1024);
    // KubeVirt's balloon-fed and deprecated series are absent: the guest has no balloon driver.
    expect(series.has("kubevirt_vmi_memory_usable_bytes")).toBe(false);
    expect(series.has("kubevirt_vmi_memory_used_bytes")).toBe(false);
    expect(series.has("kubevirt_vmi_network_traffic_bytes_total")).toBe(false);
  });

  it("counts the CPU a busy loop in the guest burns, and stops counting it once killed", async () => {
    await shell.run("yes > /dev/null & true"); // run() appends "; echo …": "&;" would be a syntax error
    const busy = await cpuRate(3000);
    await shell.run("kill %1");
    await new Promise((r) => setTimeout(r, 500));
    const idle = await cpuRate(3000);
    // One busy vCPU under emulation costs QEMU close to a core; the machine is shared, so allow slack.
    expect(busy).toBeGreaterThan(0.5);
    expect(idle).toBeLessThan(busy / 2);
  });

  it("forgets a guest once it stops, and answers 404 elsewhere", async () => {
    await pool.stopAll();
    expect((await scrape()).size).toBe(0);
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
  });
});
