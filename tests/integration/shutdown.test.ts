/**
 * The graceful stop (lib/server/lifecycle.ts, server.ts `shutdown`), as Kubernetes triggers it in
 * a rolling update: a portal process of its own (server.ts on the stack's production build,
 * database and cluster; drain delay 2 s, timeout 15 s) gets SIGTERM while alice has a console, a
 * live VM list and a create whose body is still arriving. Proven: `/readyz` turns 503 at once
 * while other requests are still served; after the delay new requests are refused; the console
 * gets 1001, the live list ends with `retry: 1000`; the create completes (201); the process exits 0
 * well within its timeout, with the console's close row written.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort } from "../../dev-cluster/ports";
import { getDb } from "../../lib/server/db/db";
import { sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";

const root = path.resolve(import.meta.dirname, "../..");
const delaySeconds = 2;
const timeoutSeconds = 15;
const running = uniqueName("drain");
const created = uniqueName("late");

let portal: ChildProcess;
let url: string;
let output = "";
let exited: Promise<{ code: number | null; at: number }>;
let alice: PortalClient;
let aliceHere: PortalClient;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startPortal(): Promise<void> {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // The stack's environment (database, build folder, cluster credentials, session key), another port.
  portal = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: root, stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), HOST: "127.0.0.1",
      NEXTAUTH_URL: url, LOG_LEVEL: "info",
      HIKUBE_SHUTDOWN_DELAY_SECONDS: String(delaySeconds), HIKUBE_SHUTDOWN_TIMEOUT_SECONDS: String(timeoutSeconds),
    },
  });
  portal.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  portal.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  exited = new Promise((resolve) => portal.on("exit", (code) => resolve({ code, at: Date.now() })));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (portal.exitCode !== null) throw new Error(`the portal exited with ${portal.exitCode}:\n${output}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return;
    await sleep(250);
  }
  throw new Error(`the portal did not start:\n${output}`);
}

/** Opens alice's console on `running` through the test's portal, retrying while the VM boots. */
async function openConsole(): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/tenants/acme/vms/${running}/console`, ["plain.kubevirt.io"], {
      headers: { cookie: aliceHere.cookie, origin: url },
    });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    const opened = await new Promise<boolean>((resolve) => {
      ws.on("open", () => resolve(true));
      ws.on("unexpected-response", () => resolve(false));
      ws.on("error", () => resolve(false));
    });
    if (opened) {
      // The relay accepts first and closes with 4400 while the VM has no running instance.
      const early = await Promise.race([closed, sleep(1500).then(() => null)]);
      if (!early) return { ws, closed };
    }
    if (Date.now() > deadline) throw new Error("alice's console did not open within 120 s");
    await sleep(2000);
  }
}

/** Reads a live list until its snapshot; `rest` resolves with everything read until the stream ends. */
async function openLiveList(): Promise<{ rest: Promise<string> }> {
  const res = await fetch(`${url}/api/tenants/acme/vms/events`, { headers: { cookie: aliceHere.cookie, accept: "text/event-stream" } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("event: snapshot")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the live list ended before its snapshot");
    text += decoder.decode(value, { stream: true });
  }
  const rest = (async () => {
    let tail = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return tail;
      tail += decoder.decode(value, { stream: true });
    }
  })();
  return { rest };
}

/** Starts a VM create whose JSON body arrives in two halves; `finish` sends the second half. */
function slowCreate(): { finish: () => void; answer: Promise<{ status: number; body: string; requestId: string }> } {
  const body = JSON.stringify({
    name: created, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, runStrategy: "Halted",
  });
  const half = Math.floor(body.length / 2);
  const req = http.request(`${url}/api/tenants/acme/vms`, {
    method: "POST",
    headers: { cookie: aliceHere.cookie, origin: url, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const answer = new Promise<{ status: number; body: string; requestId: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, requestId: String(res.headers["x-request-id"]) }));
    });
    req.on("error", reject);
  });
  req.write(body.slice(0, half));
  return { finish: () => req.end(body.slice(half)), answer };
}

beforeAll(async () => {
  alice = await signIn("alice", "alice-password");
  const res = await alice.call("POST", "/api/tenants/acme/vms", {
    name: running, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, runStrategy: "Always",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await startPortal();
  aliceHere = await signIn("alice", "alice-password", url);
}, 120_000);

afterAll(async () => {
  if (portal && portal.exitCode === null) portal.kill("SIGKILL");
  for (const name of [running, created]) await alice?.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
  await getDb().$disconnect();
});

describe("SIGTERM: a graceful stop", () => {
  it("leaves the load balancer first, finishes what is in flight, ends consoles and live lists so they reconnect, and exits 0 in time", async () => {
    const console = await openConsole();
    const live = await openLiveList();
    const create = slowCreate();
    // the first half of the body is read before the signal
    await sleep(300);

    const signalled = Date.now();
    portal.kill("SIGTERM");
    await sleep(100);
    // Draining: out of the load balancer at once, but whatever still arrives is served.
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const stillServed = await aliceHere.call("GET", "/api/tenants/acme/vms");
    expect(stillServed.status).toBe(200);
    expect(Date.now() - signalled).toBeLessThan(delaySeconds * 1000);

    // Closing, after the delay: the console gets 1001, the live list ends with a quick retry hint.
    expect(await console.closed).toEqual({ code: 1001, reason: "portal shutting down" });
    const tail = await live.rest;
    expect(tail).toContain("retry: 1000");
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(delaySeconds * 1000 - 100);
    // New requests are refused (the listener is closed: no connection, or a 503 on one kept alive).
    const refused = await fetch(`${url}/api/tenants/acme/vms`, { headers: { cookie: aliceHere.cookie } }).then((r) => r.status, () => "refused");
    expect([503, "refused"]).toContain(refused);

    // The create in flight still completes once its body has arrived.
    expect(portal.exitCode).toBeNull();
    create.finish();
    const answer = await create.answer;
    expect(answer.status, answer.body).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ name: created });

    const { code, at } = await exited;
    expect(code, output).toBe(0);
    expect(at - signalled).toBeLessThan(timeoutSeconds * 1000);
    // the console's close row was written before the process went away
    const closes = await getDb().auditLog.findMany({ where: { action: "vm.console.close", targetName: running } });
    expect(closes.map((c) => JSON.parse(c.requestSummary).code)).toEqual([1001]);
    expect(output).toMatch(/"msg":"shutdown: done"/);
    expect(output).toMatch(/"forced":false/);
    // the server log is JSON lines; the create's line carries the id its answer had
    const lines = output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === "request" && l.requestId === answer.requestId)).toMatchObject({
      method: "POST", route: "/api/tenants/[tenant]/vms", status: "201",
    });
  }, 180_000);
});
