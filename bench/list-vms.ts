/**
 * Benchmark (on demand, not in CI): list VMInstances through the portal's API vs. directly from
 * the API server with the same identity (alice, impersonated with the portal's credentials, as
 * the portal does), at one or more sizes of a tenant.
 *
 * Targets (issue 13): portal p50 ≤ 1.0 × direct p50 at 100 VMs, ≤ 0.25 × at 1,000; RSS growth
 * ≤ 20 MiB per 1,000 cached VMs; 200 open streams → 1 upstream watch per kind.
 *
 * Run: `npm run bench` (100 VMs) or `npm run bench:scale` (1,000 then 10,000); each starts its own
 * cluster, database and production portal in .local/bench-*. Prints, per size, portal and direct
 * p50/p99 and their ratio, the portal's RSS and its growth per 1,000 cached VMs, then the upstream
 * watches of 200 open VM list streams and 200 open disk list streams (kube-apiserver's own
 * `apiserver_longrunning_requests` metric), the VM list page in Chromium at each size of 1,000 or
 * more (bench/list-page.ts: navigation to visible rows, rows in the DOM, one filter keystroke;
 * targets < 1 s at 1,000, < 2 s at 10,000, a keystroke < 100 ms at 10,000), and the machine's core count.
 * Options (env): BENCH_VMS (a size or a comma-separated list, "100"), BENCH_ITERATIONS (300 at
 * ≤ 100 VMs, 20 above), BENCH_WARMUP (30, 3 above), BENCH_STREAMS (200), BENCH_BROWSER (`off`
 * skips the page), BENCH_PAGE_RUNS (3), CHROMIUM_PATH.
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { startStack } from "../scripts/stack";
import { adminClient, request as adminRequest } from "../dev-cluster/kube";
import { measureListPage } from "./list-page";

const sizes = (process.env.BENCH_VMS ?? "100").split(",").map(Number).sort((a, b) => a - b);
const streamCount = Number(process.env.BENCH_STREAMS ?? 200);
const iterationsFor = (n: number) => Number(process.env.BENCH_ITERATIONS ?? (n <= 100 ? 300 : 20));
const warmupFor = (n: number) => Number(process.env.BENCH_WARMUP ?? (n <= 100 ? 30 : 3));

/** The resident memory of process `pid`, in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  // The benchmark writes VirtualMachines itself; the stand-in's controller must not fight it.
  process.env.HIKUBE_STANDIN = "off";
  // 200 VM list and 200 disk list streams of one user (the default cap is 8 per user and process).
  process.env.HIKUBE_MAX_STREAMS_PER_USER = String(2 * streamCount + 10);
  const stack = await startStack({ name: "bench", log: (l) => console.log(`[bench] ${l}`) });
  const results: string[] = [];
  try {
    process.env.PORTAL_URL = stack.url;
    const { signIn } = await import("../tests/integration/helpers");
    const dir = stack.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");
    const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
    const admin = adminClient(path.join(dir, "pki"), state.apiserverPort);
    const ns = "tenant-acme";
    const alice = await signIn("alice", "alice-password");
    const pki = (f: string) => fs.readFileSync(path.join(dir, "pki", f));
    const agent = new https.Agent({ ca: pki("ca.crt"), cert: pki("portal.crt"), key: pki("portal.key"), keepAlive: true });
    const directUrl = `https://127.0.0.1:${state.apiserverPort}/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances`;
    const portalAgent = new http.Agent({ keepAlive: true });
    let created = 0;

    const createUpTo = async (n: number) => {
      console.log(`[bench] creating VMInstances and their VirtualMachines in ${ns} up to ${n}`);
      const width = 5;
      for (let i = created; i < n; i += 20) {
        await Promise.all(Array.from({ length: Math.min(20, n - i) }, async (_, k) => {
          const name = `bench-${String(i + k).padStart(width, "0")}`;
          const vmi = { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name },
            spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Always", disks: [{ name: `${name}-os` }],
              sshKeys: [], cloudInit: "#cloud-config\n", external: false, externalPorts: [22] } };
          const r1 = await adminRequest(admin, "POST", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances`, JSON.stringify(vmi));
          if (r1.status !== 201) throw new Error(`create VMInstance ${name}: ${r1.status} ${r1.body}`);
          const vm = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: `vm-instance-${name}` }, spec: { runStrategy: "Always" } };
          const r2 = await adminRequest(admin, "POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, JSON.stringify(vm));
          if (r2.status !== 201) throw new Error(`create VirtualMachine ${name}: ${r2.status} ${r2.body}`);
          const made = JSON.parse(r2.body);
          made.status = { printableStatus: "Running", ready: true };
          await adminRequest(admin, "PUT", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/vm-instance-${name}/status`, JSON.stringify(made));
        }));
      }
      created = n;
    };

    const direct = (n: number) => new Promise<number>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      https.get(directUrl, { agent, headers: { Accept: "application/json", "Impersonate-User": "alice", "Impersonate-Group": ["tenant-acme-admin"] } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          if (res.statusCode !== 200 || (JSON.parse(text) as { items: unknown[] }).items.length < n) {
            return reject(new Error(`direct list: ${res.statusCode}`));
          }
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
        });
      }).on("error", reject);
    });
    const phases: Record<string, number[]> = {};
    // The same client for both sides (node's http module, keep-alive), so only the servers differ.
    const viaPortal = (n: number) => new Promise<number>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      http.get(`${stack.url}/api/tenants/acme/vms`, { agent: portalAgent, headers: { cookie: alice.cookie } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          const rows = JSON.parse(text) as unknown[];
          if (res.statusCode !== 200 || rows.length < n) return reject(new Error(`portal list: ${res.statusCode}, ${rows.length} rows`));
          for (const part of String(res.headers["server-timing"] ?? "").split(",")) {
            const m = /^\s*([a-z]+);dur=([\d.]+)/.exec(part);
            if (m) (phases[m[1]] ??= []).push(Number(m[2]));
          }
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
        });
      }).on("error", reject);
    });
    const row = (label: string, xs: number[]) =>
      `${label.padEnd(40)} p50 ${percentile(xs, 50).toFixed(2).padStart(8)} ms   p99 ${percentile(xs, 99).toFixed(2).padStart(8)} ms`;

    // The portal's memory with its caches started and empty of bench VMs.
    await viaPortal(0);
    const rss: { n: number; mib: number }[] = [{ n: 0, mib: stack.pid ? rssMiB(stack.pid) : NaN }];

    for (const n of sizes) {
      await createUpTo(n);
      const iterations = iterationsFor(n);
      const warmup = warmupFor(n);
      for (const k of Object.keys(phases)) delete phases[k];
      console.log(`[bench] ${n} VMs: warm-up (${warmup} each), then ${iterations} alternating requests each`);
      for (let i = 0; i < warmup; i++) {
        await direct(n);
        await viaPortal(n);
      }
      const d: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < iterations; i++) {
        d.push(await direct(n));
        p.push(await viaPortal(n));
      }
      d.sort((a, b) => a - b);
      p.sort((a, b) => a - b);
      const ratio = percentile(p, 50) / percentile(d, 50);
      const target = n <= 100 ? 1.0 : 0.25;
      const breakdown = Object.entries(phases).map(([k, xs]) => `${k} ${percentile(xs.sort((a, b) => a - b), 50).toFixed(2)} ms`).join(", ");
      const mib = stack.pid ? rssMiB(stack.pid) : NaN;
      rss.push({ n, mib });
      const prev = rss[rss.length - 2];
      results.push(
        `List ${n} VMInstances as alice (${iterations} requests each, sequential)`,
        row("direct: kube-apiserver (impersonated)", d),
        row("portal: GET /api/tenants/acme/vms", p),
        `portal server-side p50 by phase (Server-Timing): ${breakdown}`,
        `ratio portal/direct p50 ${ratio.toFixed(2)}  (target ≤ ${target}: ${ratio <= target ? "met" : "NOT met"})`,
        `portal RSS ${mib.toFixed(1)} MiB; growth ${((mib - prev.mib) / ((n - prev.n) / 1000)).toFixed(2)} MiB per 1,000 cached VMs since ${prev.n} (target ≤ 20)`,
        "",
      );
      console.log(results.slice(-7).join("\n"));

      if (n >= 1000 && process.env.BENCH_BROWSER !== "off") {
        console.log(`[bench] ${n} VMs: the VM list page in Chromium`);
        const page = await measureListPage(stack.url, alice.cookie, Number(process.env.BENCH_PAGE_RUNS ?? 3));
        const nav = [...page.navigation].sort((a, b) => a - b);
        const keys = [...page.keystroke].sort((a, b) => a - b);
        const navTarget = n >= 10_000 ? 2000 : 1000;
        results.push(
          `/t/acme/vms in Chromium with ${n} VMs: navigation to visible rows p50 ${percentile(nav, 50).toFixed(0)} ms ` +
            `(runs: ${page.navigation.map((x) => x.toFixed(0)).join(", ")}; target < ${navTarget}: ${percentile(nav, 50) < navTarget ? "met" : "NOT met"}); ` +
            `${page.domRows} rows in the DOM`,
          `filter keystroke → rows updated: p50 ${percentile(keys, 50).toFixed(1)} ms, max ${keys.at(-1)!.toFixed(1)} ms over ${keys.length} keys` +
            (n >= 10_000 ? ` (target < 100: ${percentile(keys, 50) < 100 ? "met" : "NOT met"})` : ""),
          "",
        );
        console.log(results.slice(-3).join("\n"));
      }

      if (n === sizes[0]) {
        // 200 open streams of the VM list and 200 of the disk list share the tenant's watches.
        console.log(`[bench] opening ${streamCount} VM list and ${streamCount} disk list streams`);
        const controllers: AbortController[] = [];
        const open = (url: string) => Array.from({ length: streamCount }, async () => {
          const c = new AbortController();
          controllers.push(c);
          const res = await fetch(url, { headers: { cookie: alice.cookie }, signal: c.signal });
          if (res.status !== 200) throw new Error(`stream: ${res.status}`);
          const reader = res.body!.getReader();
          let text = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return false;
            text += new TextDecoder().decode(value);
            if (text.includes("event: snapshot")) return true;
          }
        });
        const vmStreams = await Promise.all(open(`${stack.url}/api/tenants/acme/vms/events`));
        const diskStreams = await Promise.all(open(`${stack.url}/api/tenants/acme/disks?watch=true`));
        const metrics = await adminRequest(admin, "GET", "/metrics");
        const watches = (resource: string) => metrics.body.split("\n")
          .filter((l) => l.startsWith("apiserver_longrunning_requests{") && l.includes(`resource="${resource}"`) && l.includes('verb="WATCH"'))
          .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
        results.push(
          `${vmStreams.filter(Boolean).length} open VM list streams and ${diskStreams.filter(Boolean).length} open disk list streams → upstream watches: ` +
            `vminstances ${watches("vminstances")}, virtualmachines ${watches("virtualmachines")}, vmdisks ${watches("vmdisks")}, ` +
            `datavolumes ${watches("datavolumes")} (target 1 per kind)`,
          "",
        );
        console.log(results.slice(-2).join("\n"));
        for (const c of controllers) c.abort();
      }
    }
    results.push(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}`);
    console.log("");
    console.log(results.join("\n"));
    agent.destroy();
    portalAgent.destroy();
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(`[bench] ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
