/**
 * VM metrics through the portal (lib/server/metrics/), against the real local cluster, the
 * KubeVirt stand-in's real QEMU guest and the local Prometheus scraping it (dev-cluster/prometheus.ts):
 * the browser names a graph and a range, the server scopes the query to the tenant and the VM;
 * crafted names never reach a query; non-members get 404; view members read; a portal without
 * PROMETHEUS_URL answers "not configured".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../dev-cluster/ports";
import { sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const vm = uniqueName("met");
const metricsPath = (tenant: string, name: string, query = "graph=cpu&range=15m") => `/api/tenants/${tenant}/vms/${name}/metrics?${query}`;

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
  const res = await alice.call("POST", "/api/tenants/acme/vms", {
    name: vm, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, runStrategy: "Always",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});

afterAll(async () => {
  await alice?.call("DELETE", `/api/tenants/acme/vms/${vm}?withDisks=true`);
  await getDb().$disconnect();
});

describe("VM metrics from Prometheus, scoped on the server", () => {
  it("lets victor (view) read the CPU and memory of acme's running VM within a minute", async () => {
    if (!process.env.PROMETHEUS_URL) throw new Error("the test stack has no Prometheus (install Debian's `prometheus`: scripts/setup.sh)");
    const deadline = Date.now() + 90_000;
    let body: any;
    for (;;) {
      const res = await victor.call("GET", metricsPath("acme", vm));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      body = res.body;
      if (body.series[0].points.length >= 2) break;
      if (Date.now() > deadline) throw new Error(`no CPU points after 90 s: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(body.series.map((s: { name: string }) => s.name)).toEqual(["cpu_usage"]);
    expect(body.series[0].unit).toBe("cores");
    expect(body.end - body.start).toBe(900);
    for (const [t, v] of body.series[0].points) {
      expect(t).toBeGreaterThanOrEqual(body.start);
      expect(t).toBeLessThanOrEqual(body.end);
      // a 1-vCPU guest (u1.medium) under emulation: between idle and one core, with scheduling slack
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1.5);
    }

    const memory = (await victor.call("GET", metricsPath("acme", vm, "graph=memory&range=1h"))).body;
    const byName = Object.fromEntries(memory.series.map((s: { name: string; points: [number, number][] }) => [s.name, s.points]));
    expect(Object.keys(byName)).toEqual(["resident", "guest_used", "size"]);
    const last = (name: string) => byName[name].at(-1)?.[1];
    expect(last("resident")).toBeGreaterThan(0);
    expect(last("size")).toBeGreaterThan(last("resident"));
    // the stand-in's guests have no balloon driver: KubeVirt then reports no usable memory
    expect(byName.guest_used).toEqual([]);
    expect(memory.step * 300).toBeGreaterThanOrEqual(3600);
  }, 120_000);

  it("refuses names crafted to break out of a label matcher, and queries that are not a graph or range", async () => {
    const crafted = ['x"}', "x{y}", 'x=~".+"', "x\\", "x\"or\"", "vm-instance-x\"", ".+", "x,namespace=\"tenant-globex\""];
    for (const name of crafted) {
      const res = await alice.call("GET", metricsPath("acme", encodeURIComponent(name)));
      expect([404, 422], `${name}: ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
      expect(res.body.series).toBeUndefined();
    }
    for (const query of ["graph=cpu%22%7D&range=15m", "graph=cpu&range=1y", "graph=up&range=1h", "range=1h", "graph=cpu&range=15m%7D"]) {
      const res = await alice.call("GET", metricsPath("acme", vm, query));
      expect(res.status, query).toBe(422);
      expect(res.body.error.reason).toBe("invalid_field");
    }
  });

  it("answers 404 to bob for acme's metrics, and for acme's VM name under his own tenant", async () => {
    const res = await bob.call("GET", metricsPath("acme", vm));
    expect(res.status).toBe(404);
    expect(res.body.error.reason).toBe("tenant_not_found");
    const own = await bob.call("GET", metricsPath("globex", vm));
    expect(own.status).toBe(404);
    expect(own.body.error.reason).toBe("vm_not_found");
  });
});

describe("the tenant's metrics", () => {
  it("let victor (view) read acme's usage against its quota and its top VMs, the running VM among them", async () => {
    const deadline = Date.now() + 90_000;
    let body: any;
    for (;;) {
      const res = await victor.call("GET", "/api/tenants/acme/metrics?range=15m");
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      body = res.body;
      if (body.topCpu.some((t: { name: string }) => t.name === vm) && body.cpu.series.points.length >= 2) break;
      if (Date.now() > deadline) throw new Error(`the VM is not in acme's top list after 90 s: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(body.end - body.start).toBe(900);
    expect(body.cpu.series).toMatchObject({ name: "cpu_usage", unit: "cores" });
    expect(body.memory.series).toMatchObject({ name: "resident", unit: "bytes" });
    // the quota of the tenant record, in cores and bytes (the seed's acme: 16 vCPU, 64 GiB)
    const quota = await getDb().quota.findUnique({ where: { tenantId: (await getDb().tenant.findUniqueOrThrow({ where: { name: "acme" } })).id } });
    expect(body.cpu.quota).toBe(quota!.cpuMillicores / 1000);
    expect(body.memory.quota).toBe(Number(quota!.memoryBytes));
    expect(body.memory.series.points.at(-1)[1]).toBeGreaterThan(0);
    const inMemory = body.topMemory.find((t: { name: string }) => t.name === vm);
    expect(inMemory?.value).toBeGreaterThan(0);
    for (const list of [body.topCpu, body.topMemory]) {
      expect(list.length).toBeLessThanOrEqual(10);
      expect(list.map((t: { value: number }) => t.value)).toEqual([...list.map((t: { value: number }) => t.value)].sort((a, b) => b - a));
      // only acme's VMs: never globex's, never KubeVirt's prefix
      for (const t of list) expect(t.name).not.toMatch(/^vm-instance-/);
    }
  }, 120_000);

  it("never show another tenant's VMs, and refuse non-members and ranges that are not a range", async () => {
    const globex = await bob.call("GET", "/api/tenants/globex/metrics?range=15m");
    expect(globex.status).toBe(200);
    expect(globex.body.topCpu.map((t: { name: string }) => t.name)).not.toContain(vm);
    expect(globex.body.topMemory.map((t: { name: string }) => t.name)).not.toContain(vm);
    const res = await bob.call("GET", "/api/tenants/acme/metrics?range=15m");
    expect(res.status).toBe(404);
    expect(res.body.error.reason).toBe("tenant_not_found");
    for (const query of ["range=1y", "range=15m%22%7D", "range=%7D", "range=15m&query=up"]) {
      const bad = await alice.call("GET", `/api/tenants/acme/metrics?${query}`);
      expect(bad.status, query).toBe(422);
      expect(bad.body.error.reason).toBe("invalid_field");
    }
  });
});

describe("a portal without PROMETHEUS_URL", () => {
  let server: ChildProcess | null = null;
  let url = "";

  beforeAll(async () => {
    // A second portal on the same build, database and cluster, without Prometheus: the session
    // cookies of the first portal are valid there (same secret and database; cookies ignore ports).
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      stdio: ["ignore", "ignore", "inherit"], detached: true,
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", PROMETHEUS_URL: "", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the second portal exited with ${server.exitCode}`);
      if (await fetch(`${url}/livez`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error("the second portal did not start within 60 s");
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 70_000);

  afterAll(() => {
    try {
      if (server?.pid) process.kill(-server.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  });

  it("answers a clear \"metrics are not configured\" (503), in the user's words", async () => {
    const res = await fetch(url + metricsPath("acme", vm), { headers: { cookie: victor.cookie } });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "cluster_unavailable", reason: "metrics_not_configured" });
    expect(body.error.message).toMatch(/not configured/);
    // and still 404 for a non-member, before anything else
    expect((await fetch(url + metricsPath("acme", vm), { headers: { cookie: bob.cookie } })).status).toBe(404);
    // the tenant's page too
    const tenant = await fetch(`${url}/api/tenants/acme/metrics?range=1h`, { headers: { cookie: victor.cookie } });
    expect(tenant.status).toBe(503);
    expect((await tenant.json()).error.reason).toBe("metrics_not_configured");
  });
});

