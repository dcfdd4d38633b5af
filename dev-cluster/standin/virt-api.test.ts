/**
 * The stand-in's virt-api behind a real kube-apiserver's aggregation layer. This file starts its
 * own local cluster (in a fresh folder under .local/), registers the stand-in with an APIService
 * and talks only to kube-apiserver, as the portal does: the portal's client certificate with
 * Impersonate-User / Impersonate-Group. The console backend is an in-memory echo (the QEMU relay
 * is tested on its own); the TLS, front-proxy trust, RBAC and WebSocket proxying are the real ones.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { PassThrough, type Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { portalAccess } from "./test-support";
import { adminClient, apply, request, type AdminClient } from "../kube";
import { apiServiceName, apiServiceObjects } from "./register";
import { startVirtApi, type ConsoleBackend, type VirtApi } from "./virt-api";

const stateDir = path.join(process.cwd(), ".local", `standin-virt-api-${process.pid}`);
process.env.HIKUBE_CLUSTER_DIR = stateDir; // read by dev-cluster/paths.ts when it is first imported
// This file runs its own virt-api with a fake console backend: the real stand-in stays off.
process.env.HIKUBE_STANDIN = "off";

const ns = "tenant-acme";
const alice = { "Impersonate-User": "alice", "Impersonate-Group": ["tenant-acme-admin"] };
const victor = { "Impersonate-User": "victor", "Impersonate-Group": ["tenant-acme-view"] };
type Identity = typeof alice;

let cluster: typeof import("../cluster");
let pkiDir: string;
let apiserverPort: number;
let admin: AdminClient;
let virtApi: VirtApi;
const seen: string[] = [];
const running = new Set<string>();
const opened: Duplex[] = [];
const consoles: ConsoleBackend = {
  isRunning: async (namespace, name) => running.has(`${namespace}/${name}`),
  open: async () => {
    const echo = new PassThrough();
    opened.push(echo);
    return echo;
  },
};

const pki = (file: string) => fs.readFileSync(path.join(pkiDir, file));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const access = portalAccess(stateDir);
/** A request to kube-apiserver with the portal's certificate and an impersonated identity. */
const asPortal = (method: string, urlPath: string, identity: Identity, body?: unknown) => access.call(identity, method, urlPath, body);

const vmUrl = (name: string, action: string) => `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}/${action}`;

async function createVm(name: string, runStrategy: string): Promise<void> {
  const res = await request(admin, "POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, JSON.stringify({
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name, namespace: ns }, spec: { runStrategy, template: { spec: {} } },
  }));
  expect(res.status, res.body).toBe(201);
}

async function createVmi(name: string, phase: string): Promise<void> {
  const base = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
  const res = await request(admin, "POST", base, JSON.stringify({
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name, namespace: ns }, spec: { domain: { devices: {} } },
  }));
  expect(res.status, res.body).toBe(201);
  const st = await request(admin, "PATCH", `${base}/${name}/status`, JSON.stringify({ status: { phase } }), "application/merge-patch+json");
  expect(st.status, st.body).toBe(200);
}

async function vmSpec(name: string): Promise<any> {
  const res = await request(admin, "GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}`);
  return JSON.parse(res.body);
}

type Opened = { ws: WebSocket } | { status: number; body: any };

/** A WebSocket to a VMI's console or VNC through kube-apiserver, or the HTTP answer that refused it. */
const openStream = (identity: Identity, vmi: string, kind: "console" | "vnc", query = ""): Promise<Opened> =>
  access.openStream(identity, ns, vmi, kind, query);

function wsOf(o: Opened): WebSocket {
  if (!("ws" in o)) throw new Error(`expected an open WebSocket, got HTTP ${o.status}: ${JSON.stringify(o.body)}`);
  return o.ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    ws.once("message", (data, isBinary) => resolve({ data: data as Buffer, isBinary }));
    ws.once("close", (code) => reject(new Error(`closed (${code}) before a message`)));
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(-1);
    ws.once("close", (code) => resolve(code));
  });
}

beforeAll(async () => {
  fs.rmSync(stateDir, { recursive: true, force: true });
  cluster = await import("../cluster");
  const { files } = await import("../paths");
  const info = await cluster.startCluster(() => {});
  pkiDir = files.pki;
  apiserverPort = Number(new URL(info.server).port);
  admin = adminClient(pkiDir, apiserverPort);
  virtApi = await startVirtApi({ pkiDir, admin, consoles, log: (line) => seen.push(line) });
  for (const obj of apiServiceObjects(virtApi.port, pki("ca.crt").toString("utf8"))) await apply(admin, obj);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await request(admin, "GET", `/apis/apiregistration.k8s.io/v1/apiservices/${apiServiceName}`);
    const conditions = res.status === 200 ? JSON.parse(res.body).status?.conditions ?? [] : [];
    if (conditions.some((c: any) => c.type === "Available" && c.status === "True")) break;
    if (Date.now() > deadline) throw new Error(`APIService not Available: ${JSON.stringify(conditions)}`);
    await sleep(250);
  }
}, 300_000);

afterAll(async () => {
  await virtApi?.close();
  admin?.agent.destroy();
  await cluster?.stopCluster({ purge: true, log: () => {} });
}, 60_000);

describe("discovery and trust", () => {
  it("serves subresources.kubevirt.io/v1 discovery through kube-apiserver", async () => {
    const list = await asPortal("GET", "/apis/subresources.kubevirt.io/v1", alice);
    expect(list.status).toBe(200);
    expect(list.body.groupVersion).toBe("subresources.kubevirt.io/v1");
    const names = list.body.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining([
      "virtualmachineinstances/console", "virtualmachineinstances/vnc", "virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart",
    ]));
    const groups = await asPortal("GET", "/apis", alice);
    expect(groups.body.groups.map((g: { name: string }) => g.name)).toContain("subresources.kubevirt.io");
  });

  it("answers 401 to anyone but the aggregator, whatever X-Remote-User says", async () => {
    const direct = (cert?: string) => new Promise<number>((resolve, reject) => {
      const req = https.request(`https://127.0.0.1:${virtApi.port}${vmUrl("whatever", "start")}`, {
        method: "PUT", ca: pki("ca.crt"),
        ...(cert ? { cert: pki(`${cert}.crt`), key: pki(`${cert}.key`) } : {}),
        headers: { "X-Remote-User": "alice", "X-Remote-Group": ["tenant-acme-admin", "system:authenticated"] },
      }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(await direct()).toBe(401);
    expect(await direct("portal")).toBe(401); // signed by the cluster CA, not the front-proxy CA
    expect(await direct("admin")).toBe(401);
  });
});

describe("start, stop, restart through kube-apiserver (lifecycle.go)", () => {
  it("starts a Halted VM, stops it, then refuses a second stop and a restart with KubeVirt's messages", async () => {
    await createVm("vm-power", "Halted");

    const start = await asPortal("PUT", vmUrl("vm-power", "start"), alice);
    expect(start.status).toBe(202);
    expect(start.body).toBe("");
    expect((await vmSpec("vm-power")).spec.runStrategy).toBe("Always");

    const stop = await asPortal("PUT", vmUrl("vm-power", "stop"), alice);
    expect(stop.status).toBe(202);
    expect((await vmSpec("vm-power")).spec.runStrategy).toBe("Halted");

    const again = await asPortal("PUT", vmUrl("vm-power", "stop"), alice);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      kind: "Status", status: "Failure", reason: "Conflict", code: 409,
      message: 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm-power": VM is not running',
      details: { name: "vm-power", group: "kubevirt.io", kind: "virtualmachine" },
    });

    const restart = await asPortal("PUT", vmUrl("vm-power", "restart"), alice);
    expect(restart.status).toBe(409);
    expect(restart.body.message).toBe('Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm-power": RunStategy Halted does not support manual restart requests');

    const startAlways = await asPortal("PUT", vmUrl("vm-power", "start"), alice);
    expect(startAlways.status).toBe(202);
    const startTwice = await asPortal("PUT", vmUrl("vm-power", "start"), alice);
    expect(startTwice.status).toBe(409);
    expect(startTwice.body.message).toBe('Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm-power": Always does not support manual start requests');
  });

  it("records a Manual VM's start and a restart as state-change requests, as virt-api does", async () => {
    await createVm("vm-manual", "Manual");
    expect((await asPortal("PUT", vmUrl("vm-manual", "start"), alice)).status).toBe(202);
    expect((await vmSpec("vm-manual")).status.stateChangeRequests).toEqual([{ action: "Start" }]);
    expect((await vmSpec("vm-manual")).spec.runStrategy).toBe("Manual");

    await createVm("vm-restart", "Always");
    await createVmi("vm-restart", "Running");
    expect((await asPortal("PUT", vmUrl("vm-restart", "restart"), alice)).status).toBe(202);
    const requests = (await vmSpec("vm-restart")).status.stateChangeRequests;
    expect(requests.map((r: { action: string }) => r.action)).toEqual(["Stop", "Start"]);
    expect(requests[0].uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 404 for a missing VM", async () => {
    const res = await asPortal("PUT", vmUrl("vm-nowhere", "start"), alice);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('virtualmachine.kubevirt.io "vm-nowhere" not found');
  });

  it("refuses victor (view level) with kube-apiserver's 403; the stand-in never sees him", async () => {
    await createVm("vm-victor", "Halted");
    const res = await asPortal("PUT", vmUrl("vm-victor", "start"), victor);
    expect(res.status).toBe(403);
    expect(res.body.reason).toBe("Forbidden");
    expect((await vmSpec("vm-victor")).spec.runStrategy).toBe("Halted");
    expect(seen.some((line) => line.includes("user=alice"))).toBe(true);
    expect(seen.filter((line) => line.includes("victor"))).toEqual([]);
  });

  it("receives the caller as X-Remote-User and one X-Remote-Group line per group", () => {
    const line = seen.find((l) => l.startsWith("PUT") && l.includes("user=alice"));
    expect(line).toContain("groups=tenant-acme-admin|system:authenticated");
  });
});

describe("pause and unpause through kube-apiserver (subresource.go)", () => {
  const vmiUrl = (name: string, action: string) => `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}/${action}`;
  const vmiConditions = async (name: string) =>
    JSON.parse((await request(admin, "GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`)).body).status?.conditions ?? [];
  const conflictOn = (name: string, reason: string) => `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": ${reason}`;

  it("pauses a running VMI, refuses a second pause, unpauses it and refuses a second unpause, with KubeVirt's messages", async () => {
    await createVmi("vmi-pause", "Running");
    const pause = await asPortal("PUT", vmiUrl("vmi-pause", "pause"), alice, {});
    expect(pause.status).toBe(200);
    expect(await vmiConditions("vmi-pause")).toContainEqual(expect.objectContaining({ type: "Paused", status: "True", reason: "PausedByUser" }));

    const again = await asPortal("PUT", vmiUrl("vmi-pause", "pause"), alice, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: "Conflict", message: conflictOn("vmi-pause", "VMI is already paused"), details: { kind: "virtualmachineinstance" } });

    expect((await asPortal("PUT", vmiUrl("vmi-pause", "unpause"), alice)).status).toBe(200);
    expect((await vmiConditions("vmi-pause")).map((c: { type: string }) => c.type)).not.toContain("Paused");
    const notPaused = await asPortal("PUT", vmiUrl("vmi-pause", "unpause"), alice, {});
    expect(notPaused.status).toBe(409);
    expect(notPaused.body.message).toBe(conflictOn("vmi-pause", "VMI is not paused"));
  });

  it("honours dryRun and refuses a VMI that is not running", async () => {
    await createVmi("vmi-dry", "Running");
    expect((await asPortal("PUT", vmiUrl("vmi-dry", "pause"), alice, { dryRun: ["All"] })).status).toBe(200);
    expect((await vmiConditions("vmi-dry")).map((c: { type: string }) => c.type)).not.toContain("Paused");

    await createVmi("vmi-scheduling", "Scheduling");
    const pause = await asPortal("PUT", vmiUrl("vmi-scheduling", "pause"), alice);
    expect(pause.status).toBe(409);
    expect(pause.body.message).toBe(conflictOn("vmi-scheduling", "VM is not running"));
    const unpause = await asPortal("PUT", vmiUrl("vmi-scheduling", "unpause"), alice);
    expect(unpause.status).toBe(409);
    expect(unpause.body.message).toBe(conflictOn("vmi-scheduling", "VMI is not running"));
  });

  it("answers 404 without a VMI and leaves victor (view level) to kube-apiserver's 403", async () => {
    const missing = await asPortal("PUT", vmiUrl("vmi-nowhere", "pause"), alice);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('virtualmachineinstance.kubevirt.io "vmi-nowhere" not found');
    await createVmi("vmi-victor", "Running");
    expect((await asPortal("PUT", vmiUrl("vmi-victor", "pause"), victor)).status).toBe(403);
    expect((await vmiConditions("vmi-victor")).map((c: { type: string }) => c.type)).not.toContain("Paused");
  });
});

describe("console and VNC WebSockets through kube-apiserver", () => {
  beforeAll(async () => {
    await createVmi("vm-console", "Running");
    running.add(`${ns}/vm-console`);
    await createVmi("vm-pending", "Scheduling");
  });

  it("relays binary frames both ways with subprotocol plain.kubevirt.io and drops text frames", async () => {
    const ws = wsOf(await openStream(alice, "vm-console", "console"));
    expect(ws.protocol).toBe("plain.kubevirt.io");
    const reply = nextMessage(ws);
    ws.send("text is dropped");
    ws.send(Buffer.from([0, 1, 2, 250, 255]), { binary: true });
    const msg = await reply;
    expect(msg.isBinary).toBe(true);
    expect([...msg.data]).toEqual([0, 1, 2, 250, 255]);
    ws.close(1000);
    expect(await closed(ws)).toBe(1000);
  });

  it("closes the previous session when a second one opens (no close frame: 1006)", async () => {
    const first = wsOf(await openStream(alice, "vm-console", "console"));
    const firstClosed = closed(first);
    const second = wsOf(await openStream(alice, "vm-console", "console"));
    expect(await firstClosed).toBe(1006);
    const reply = nextMessage(second);
    second.send(Buffer.from("still here"), { binary: true });
    expect((await reply).data.toString()).toBe("still here");
    second.close();
    await closed(second);
  });

  it("answers 503 to ?preserveSession=true on /vnc while a session is open, and keeps that session", async () => {
    const vnc = wsOf(await openStream(alice, "vm-console", "vnc"));
    const refused = await openStream(alice, "vm-console", "vnc", "?preserveSession=true");
    expect("status" in refused && refused.status).toBe(503);
    expect("body" in refused && refused.body.message).toBe("Active VNC connection. Request denied.");
    const reply = nextMessage(vnc);
    vnc.send(Buffer.from("RFB"), { binary: true });
    expect((await reply).data.toString()).toBe("RFB");
    vnc.close();
    await closed(vnc);
  });

  it("ignores ?preserveSession on /console, as KubeVirt does: the older session is closed", async () => {
    const first = wsOf(await openStream(alice, "vm-console", "console"));
    const firstClosed = closed(first);
    const second = wsOf(await openStream(alice, "vm-console", "console", "?preserveSession=true"));
    expect(await firstClosed).toBe(1006);
    second.close();
    await closed(second);
  });

  it("answers 400 when the VMI is not running and 404 when there is no VMI, before any upgrade", async () => {
    const pending = await openStream(alice, "vm-pending", "console");
    expect(pending).toMatchObject({ status: 400, body: { reason: "BadRequest", message: "VMI is not running" } });
    const none = await openStream(alice, "vm-none", "vnc");
    expect(none).toMatchObject({ status: 404, body: { message: 'virtualmachineinstance.kubevirt.io "vm-none" not found' } });
  });

  it("refuses victor's console with kube-apiserver's 403", async () => {
    const before = opened.length;
    const res = await openStream(victor, "vm-console", "console");
    expect("status" in res && res.status).toBe(403);
    expect(opened.length).toBe(before);
    expect(seen.filter((line) => line.includes("victor"))).toEqual([]);
  });
});
