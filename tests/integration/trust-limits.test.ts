/**
 * Limits a signed-in user cannot pass (issue "Trust first"), against the running portal and the
 * real local cluster:
 * - live lists (`/vms/events`, `/disks?watch=true`) and console/VNC sessions are capped per user
 *   (lib/server/stream-caps.ts): one more is 429 with a message naming the limit, and closing one
 *   frees its slot;
 * - a disk import from a loopback, link-local, unspecified, private or cluster-internal address is
 *   422 on `source.http.url` with nothing created (lib/server/disks/import-url-policy.ts), while the
 *   host the test stack allow-lists (HIKUBE_IMPORT_ALLOWED_HOSTS=127.0.0.1, scripts/stack.ts: the
 *   other disk tests import from a server on 127.0.0.1) gets past the check.
 * Regression tests for defects 9 and 11 of the issue: before, every stream and console opened and
 * every one of these URLs was created as a VMDisk.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { getObject, paths, portalUrl, sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

/** The caps the portal runs with: the stack leaves the defaults unless it sets the variables. */
const maxStreams = Number(process.env.HIKUBE_MAX_STREAMS_PER_USER || 8);
const maxConsoles = Number(process.env.HIKUBE_MAX_CONSOLES_PER_USER || 4);

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const ns = "tenant-acme";

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
});

afterAll(async () => {
  await getDb().$disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An open live list (close it with `close`), or the refusing answer. */
type Stream = { status: 200; close(): void } | { status: number; body: any };

async function openStream(client: PortalClient, urlPath: string): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(portalUrl + urlPath, { headers: { cookie: client.cookie, accept: "text/event-stream" }, signal: controller.signal });
  if (res.status !== 200) return { status: res.status, body: await res.json() };
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  return { status: 200, close: () => controller.abort() };
}

describe("live lists per user", () => {
  const open: { close(): void }[] = [];
  afterAll(() => {
    for (const s of open) s.close();
  });

  it(`refuses victor's stream number ${maxStreams + 1} with 429 naming the limit; closing one frees a slot`, async () => {
    // VM and disk lists count together: they are the same kind of resource on the portal.
    for (let i = 0; i < maxStreams; i++) {
      const s = await openStream(victor, i % 2 ? "/api/tenants/acme/disks?watch=true" : "/api/tenants/acme/vms/events");
      expect(s.status, `stream ${i + 1}: ${JSON.stringify(s)}`).toBe(200);
      if ("close" in s) open.push(s);
    }
    for (const path of ["/api/tenants/acme/vms/events", "/api/tenants/acme/disks?watch=true"]) {
      const refused = await openStream(victor, path);
      expect(refused.status, path).toBe(429);
      if (!("body" in refused)) throw new Error("not refused");
      expect(refused.body.error.code).toBe("too_many_requests");
      expect(refused.body.error.message).toBe(`You have ${maxStreams} live lists open; close one (another tab?) and retry.`);
    }
    // the cap is per user: bob is not affected
    const bobs = await openStream(bob, "/api/tenants/globex/vms/events");
    expect(bobs.status).toBe(200);
    if ("close" in bobs) bobs.close();
    // a plain list is not a stream
    expect((await victor.call("GET", "/api/tenants/acme/vms")).status).toBe(200);

    open.shift()!.close();
    const deadline = Date.now() + 10_000;
    let again: Stream;
    for (;;) {
      again = await openStream(victor, "/api/tenants/acme/vms/events");
      if (again.status === 200 || Date.now() > deadline) break;
      await sleep(200);
    }
    expect(again.status).toBe(200);
    if ("close" in again) open.push(again);
    // and the slot it took is the only free one
    expect((await openStream(victor, "/api/tenants/acme/disks?watch=true")).status).toBe(429);
  });
});

describe("console sessions per user", () => {
  const wsBase = portalUrl.replace(/^http/, "ws");
  const running = [uniqueName("cap"), uniqueName("cap")];
  const halted = uniqueName("caph");
  const consolePath = (name: string, kind: string) => `/api/tenants/acme/vms/${name}/${kind}`;
  const sockets: WebSocket[] = [];

  type Opened = { ws: WebSocket; closed: Promise<{ code: number; reason: string }> } | { status: number; body: any };

  function openConsole(urlPath: string): Promise<Opened> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsBase + urlPath, ["plain.kubevirt.io"], { headers: { cookie: alice.cookie, origin: portalUrl } });
      const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
      ws.on("unexpected-response", (_req, res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      ws.on("open", () => {
        sockets.push(ws);
        resolve({ ws, closed });
      });
      ws.on("error", reject);
    });
  }

  /** The relay's upstream connections to VM `vm` (test hook; per VM, as other files open consoles meanwhile). */
  async function upstreamCount(vm: string): Promise<number> {
    const res = await fetch(`${portalUrl}/__test__/console-relay?vm=${vm}`);
    return ((await res.json()) as { upstreamConnections: number }).upstreamConnections;
  }

  beforeAll(async () => {
    for (const [name, runStrategy] of [[running[0], "Always"], [running[1], "Always"], [halted, "Halted"]]) {
      const res = await alice.call("POST", "/api/tenants/acme/vms", {
        name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
        sshKeys: [sampleSshKey], external: false, runStrategy,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const deadline = Date.now() + 150_000;
    for (;;) {
      const res = await alice.call("GET", "/api/tenants/acme/vms");
      const states = running.map((n) => res.body.find?.((v: { name: string }) => v.name === n)?.powerState);
      if (states.every((s) => s === "Running")) break;
      if (Date.now() > deadline) throw new Error(`not Running: ${JSON.stringify(states)}`);
      await sleep(1000);
    }
  }, 180_000);

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    for (const name of [...running, halted]) await alice?.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
  });

  it(`refuses alice's console number ${maxConsoles + 1} with 429 before upgrading, audited; closing one frees a slot`, async () => {
    // two running VMs × (serial console, VNC): one session per VM and protocol
    const targets = running.flatMap((name) => ["console", "vnc"].map((kind) => consolePath(name, kind))).slice(0, maxConsoles);
    const opened: Extract<Opened, { ws: WebSocket }>[] = [];
    for (const target of targets) {
      const o = await openConsole(target);
      if (!("ws" in o)) throw new Error(`${target} refused: ${JSON.stringify(o)}`);
      opened.push(o);
    }
    const before = await upstreamCount(halted);
    const refused = await openConsole(consolePath(halted, "console"));
    if (!("status" in refused)) throw new Error("the console over the cap was upgraded");
    expect(refused.status).toBe(429);
    expect(refused.body.error).toEqual({
      code: "too_many_requests", reason: "too_many_consoles", params: { limit: maxConsoles },
      message: `You have ${maxConsoles} console sessions open; close one (another tab?) and retry.`, details: { limit: maxConsoles },
    });
    expect(await upstreamCount(halted)).toBe(before);
    const rows = await getDb().auditLog.findMany({ where: { action: "vm.console.open", targetName: halted } });
    expect(rows.map((r) => [r.actor, r.tenantName, r.result])).toEqual([["alice", "acme", "denied"]]);
    expect(rows[0].errorMessage).toMatch(/console sessions open/);
    // the open sessions are untouched
    for (const o of opened) expect(o.ws.readyState).toBe(WebSocket.OPEN);

    const last = opened.pop()!;
    last.ws.close();
    await last.closed;
    const deadline = Date.now() + 10_000;
    let again: Opened;
    for (;;) {
      again = await openConsole(targets[targets.length - 1]);
      if ("ws" in again || Date.now() > deadline) break;
      await sleep(200);
    }
    if (!("ws" in again)) throw new Error(`the freed slot was not given back: ${JSON.stringify(again)}`);
    expect(again.ws.readyState).toBe(WebSocket.OPEN);
    for (const o of [...opened, again]) {
      o.ws.close();
      await o.closed;
    }
  }, 60_000);
});

describe("disk import URLs", () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await alice.call("DELETE", `/api/tenants/acme/disks/${name}`);
  });

  it("refuses internal addresses on source.http.url with nothing created; the allow-listed 127.0.0.1 gets past the check", async () => {
    const refused = [
      // 127.0.0.1 itself is allow-listed by the test stack (its disk tests import from a local server)
      "http://127.0.0.2:8080/x.img",
      "http://localhost:8080/x.img",
      "http://LOCALHOST.:8080/x.img",
      "http://0x7f000002/x.img",
      "http://[::1]/x.img",
      "http://[::ffff:127.0.0.2]/x.img",
      "http://169.254.169.254/latest/meta-data/",
      "http://2852039166/latest/meta-data/",
      "http://[::ffff:169.254.169.254]/",
      "http://0.0.0.0:8080/x.img",
      "http://kubernetes.default.svc/",
      "https://kubernetes.default.svc.cluster.local/",
      "http://kubernetes/",
      "http://10.96.0.1/",
    ];
    const names: string[] = [];
    for (const url of refused) {
      const name = uniqueName("imp");
      names.push(name);
      const res = await alice.call("POST", "/api/tenants/acme/disks", { name, source: { http: { url } }, storage: "1Gi" });
      if (res.status === 201) created.push(name);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.error.field, url).toBe("source.http.url");
      expect(res.body.error.message, url).toMatch(/^source\.http\.url must not point at /);
    }
    const list = await alice.call("GET", "/api/tenants/acme/disks");
    expect(list.status).toBe(200);
    expect(list.body.map((d: { name: string }) => d.name).filter((n: string) => names.includes(n))).toEqual([]);
    for (const name of names) expect(await getObject(paths.vmDisk(ns, name))).toBeNull();

    // Past the URL check, the next one (the storage class) answers: nothing is created either.
    const name = uniqueName("imp");
    const allowed = await alice.call("POST", "/api/tenants/acme/disks", { name, source: { http: { url: "http://127.0.0.1:8080/x.img" } }, storage: "1Gi", storageClass: "gold-plated" });
    if (allowed.status === 201) created.push(name);
    expect(allowed.status).toBe(422);
    expect(allowed.body.error.field).toBe("storageClass");
    expect(await getObject(paths.vmDisk(ns, name))).toBeNull();
  });

  it("applies the same policy to a new VM's root disk URL, creating neither VM nor disk", async () => {
    const name = uniqueName("impvm");
    const res = await alice.call("POST", "/api/tenants/acme/vms", {
      name, instanceType: "u1.medium", instanceProfile: "ubuntu",
      rootDisk: { source: { type: "http", url: "http://169.254.169.254/latest/meta-data/" } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.field).toBe("rootDisk.source.url");
    expect(await getObject(paths.vmInstance(ns, name))).toBeNull();
    expect(await getObject(paths.vmDisk(ns, `${name}-os`))).toBeNull();
  });
});
