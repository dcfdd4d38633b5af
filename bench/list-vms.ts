/**
 * Benchmark (on demand, not in CI): list 100 VMInstances through the portal's API vs. directly
 * from the API server with the same identity (alice, impersonated with the portal's credentials,
 * as the portal does). Baseline named by the issue: portal p50 ≤ 1.15 × direct p50.
 *
 * Run: `npm run bench` (starts its own cluster, database and production portal in .local/bench-*).
 * Options (env): BENCH_VMS (100), BENCH_ITERATIONS (300), BENCH_WARMUP (30).
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { startStack } from "../scripts/stack";
import { adminClient, request as adminRequest } from "../dev-cluster/kube";

const vmCount = Number(process.env.BENCH_VMS ?? 100);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
const warmup = Number(process.env.BENCH_WARMUP ?? 30);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  // The benchmark writes VirtualMachines itself; the stand-in's controller must not fight it.
  process.env.HIKUBE_STANDIN = "off";
  const stack = await startStack({ name: "bench", log: (l) => console.log(`[bench] ${l}`) });
  try {
    process.env.PORTAL_URL = stack.url;
    const { signIn } = await import("../tests/integration/helpers");
    const dir = stack.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");
    const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
    const admin = adminClient(path.join(dir, "pki"), state.apiserverPort);

    console.log(`[bench] creating ${vmCount} VMInstances and their VirtualMachines in tenant-acme`);
    const ns = "tenant-acme";
    for (let i = 0; i < vmCount; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, vmCount - i) }, async (_, k) => {
        const name = `bench-${String(i + k).padStart(3, "0")}`;
        const vmi = { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name },
          spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Always", disks: [{ name: `${name}-os` }],
            sshKeys: [], cloudInit: "#cloud-config\n", external: false, externalPorts: [22] } };
        const r1 = await adminRequest(admin, "POST", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances`, JSON.stringify(vmi));
        if (r1.status !== 201) throw new Error(`create VMInstance ${name}: ${r1.status} ${r1.body}`);
        const vm = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: `vm-instance-${name}` }, spec: { runStrategy: "Always" } };
        const r2 = await adminRequest(admin, "POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, JSON.stringify(vm));
        if (r2.status !== 201) throw new Error(`create VirtualMachine ${name}: ${r2.status} ${r2.body}`);
        const created = JSON.parse(r2.body);
        created.status = { printableStatus: "Running", ready: true };
        await adminRequest(admin, "PUT", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/vm-instance-${name}/status`, JSON.stringify(created));
      }));
    }

    const alice = await signIn("alice", "alice-password");
    const pki = (f: string) => fs.readFileSync(path.join(dir, "pki", f));
    const agent = new https.Agent({ ca: pki("ca.crt"), cert: pki("portal.crt"), key: pki("portal.key"), keepAlive: true });
    const directUrl = `https://127.0.0.1:${state.apiserverPort}/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances`;

    const direct = () => new Promise<number>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      https.get(directUrl, { agent, headers: { Accept: "application/json", "Impersonate-User": "alice", "Impersonate-Group": ["tenant-acme-admin"] } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          if (res.statusCode !== 200 || (JSON.parse(text) as { items: unknown[] }).items.length < vmCount) {
            return reject(new Error(`direct list: ${res.statusCode}`));
          }
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
        });
      }).on("error", reject);
    });
    const phases: Record<string, number[]> = {};
    // The same client for both sides (node's http module, keep-alive), so only the servers differ.
    const portalAgent = new http.Agent({ keepAlive: true });
    const viaPortal = () => new Promise<number>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      http.get(`${stack.url}/api/tenants/acme/vms`, { agent: portalAgent, headers: { cookie: alice.cookie } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          const rows = JSON.parse(text) as unknown[];
          if (res.statusCode !== 200 || rows.length < vmCount) return reject(new Error(`portal list: ${res.statusCode}, ${rows.length} rows`));
          for (const part of String(res.headers["server-timing"] ?? "").split(",")) {
            const m = /^\s*([a-z]+);dur=([\d.]+)/.exec(part);
            if (m) (phases[m[1]] ??= []).push(Number(m[2]));
          }
          resolve(Number(process.hrtime.bigint() - t0) / 1e6);
        });
      }).on("error", reject);
    });

    console.log(`[bench] warm-up (${warmup} each), then ${iterations} alternating requests each`);
    for (let i = 0; i < warmup; i++) {
      await direct();
      await viaPortal();
    }
    const d: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < iterations; i++) {
      d.push(await direct());
      p.push(await viaPortal());
    }
    d.sort((a, b) => a - b);
    p.sort((a, b) => a - b);
    const row = (label: string, xs: number[]) =>
      `${label.padEnd(34)} p50 ${percentile(xs, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(2).padStart(7)} ms`;
    const ratio = percentile(p, 50) / percentile(d, 50);
    const breakdown = Object.entries(phases).map(([k, xs]) => `${k} ${percentile(xs.sort((a, b) => a - b), 50).toFixed(2)} ms`).join(", ");
    console.log("");
    console.log(`List ${vmCount} VMInstances as alice (${iterations} requests each, sequential)`);
    console.log(row("direct: kube-apiserver (impersonated)", d));
    console.log(row("portal: GET /api/tenants/acme/vms", p));
    console.log(`portal server-side p50 by phase (Server-Timing): ${breakdown}`);
    console.log(`ratio portal/direct p50 ${ratio.toFixed(2)}  (baseline target ≤ 1.15: ${ratio <= 1.15 ? "met" : "NOT met"})`);
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
