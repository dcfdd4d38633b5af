/**
 * Observability through the portal (lib/server/metrics.ts, lib/server/request-context.ts):
 * `GET /metrics` (read from loopback, as the test runs) counts a request under its route pattern
 * and a console session while it is open, and names no tenant or VM; the id of an answer's
 * `X-Request-Id` is the one of the request's audit row, and a client's own X-Request-Id is not
 * taken without a trusted proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { getDb } from "../../lib/server/db/db";
import { metricSample as sample, portalUrl, sampleSshKey, scrapeMetrics as scrape, signIn, uniqueName, type PortalClient } from "./helpers";

let alice: PortalClient;
const running = uniqueName("obs");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


beforeAll(async () => {
  alice = await signIn("alice", "alice-password");
  const res = await alice.call("POST", "/api/tenants/acme/vms", {
    name: running, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, runStrategy: "Always",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});

afterAll(async () => {
  await alice?.call("DELETE", `/api/tenants/acme/vms/${running}?withDisks=true`);
  await getDb().$disconnect();
});

describe("GET /metrics", () => {
  it("counts a request in its route's duration histogram, by pattern and status, naming no tenant or VM", async () => {
    const labels = { route: "/api/tenants/[tenant]/vms", method: "GET", status: "200" };
    const before = sample(await scrape(), "hikube_http_request_duration_seconds_count", labels);
    expect((await alice.call("GET", "/api/tenants/acme/vms")).status).toBe(200);
    const text = await scrape();
    expect(sample(text, "hikube_http_request_duration_seconds_count", labels)).toBe(before + 1);
    expect(sample(text, "hikube_http_request_duration_seconds_bucket", { ...labels, le: "+Inf" })).toBe(before + 1);
    expect(text).toMatch(/^# TYPE hikube_quota_lock_wait_seconds histogram$/m);
    // the create of beforeAll waited for acme's quota lock
    expect(sample(text, "hikube_quota_lock_wait_seconds_count", { outcome: "taken" })).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/acme|globex|alice/);
    expect(text).not.toContain(running);
  });

  it("counts a console session while it is open, and the bytes it relays", async () => {
    const labels = { kind: "console" };
    const base = sample(await scrape(), "hikube_console_sessions_open", labels);
    const bytesBefore = sample(await scrape(), "hikube_console_bytes_relayed_total", { kind: "console", direction: "to_vm" });
    const deadline = Date.now() + 120_000;
    let ws: WebSocket | null = null;
    while (!ws) {
      const attempt = new WebSocket(`${portalUrl.replace(/^http/, "ws")}/api/tenants/acme/vms/${running}/console`, ["plain.kubevirt.io"], {
        headers: { cookie: alice.cookie, origin: portalUrl },
      });
      const closed = new Promise<number>((r) => attempt.on("close", (code) => r(code)));
      const opened = await new Promise<boolean>((resolve) => {
        attempt.on("open", () => resolve(true));
        attempt.on("unexpected-response", () => resolve(false));
        attempt.on("error", () => resolve(false));
      });
      // while the VM boots the relay accepts, then closes with 4400
      if (opened && !(await Promise.race([closed, sleep(1500).then(() => null)]))) ws = attempt;
      else if (Date.now() > deadline) throw new Error("the console did not open within 120 s");
      else await sleep(2000);
    }
    expect(sample(await scrape(), "hikube_console_sessions_open", labels)).toBe(base + 1);
    ws.send(Buffer.from("\n"), { binary: true });
    await sleep(300);
    expect(sample(await scrape(), "hikube_console_bytes_relayed_total", { kind: "console", direction: "to_vm" })).toBeGreaterThanOrEqual(bytesBefore + 1);
    const closed = new Promise((r) => ws!.on("close", r));
    ws.close();
    await closed;
    const until = Date.now() + 5000;
    while (sample(await scrape(), "hikube_console_sessions_open", labels) !== base && Date.now() < until) await sleep(100);
    expect(sample(await scrape(), "hikube_console_sessions_open", labels)).toBe(base);
  }, 150_000);
});

describe("request ids", () => {
  it("answers each request with an X-Request-Id that its audit row carries, never the client's own without a trusted proxy", async () => {
    const name = `Bad_${uniqueName("rid")}`;
    const res = await fetch(`${portalUrl}/api/tenants/acme/vms`, {
      method: "POST",
      headers: { cookie: alice.cookie, origin: portalUrl, "content-type": "application/json", "x-request-id": "client-chosen-id" },
      body: JSON.stringify({ name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" } } }),
    });
    expect(res.status).toBe(422);
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await getDb().auditLog.findFirst({ where: { action: "vm.create", targetName: name } });
    expect(row?.result).toBe("failure");
    expect(row?.requestId).toBe(id);
    // two requests, two ids
    const other = await fetch(`${portalUrl}/api/health`);
    expect(other.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(other.headers.get("x-request-id")).not.toBe(id);
  });
});
