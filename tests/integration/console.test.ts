/**
 * The console and VNC relay (lib/server/console/relay.ts) through the portal, against the real
 * local cluster and the KubeVirt stand-in's real QEMU guest: alice reaches her VM's shell and its
 * RFB server; refused upgrades get their HTTP status and open no upstream connection (the portal's
 * test hook `GET /__test__/console-relay`, on with HIKUBE_TEST_HOOKS=1 set by scripts/stack.ts,
 * counts them); upstream errors and drops become close codes; opening and closing are audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { anonymous, portalUrl, sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const running = uniqueName("con");
const halted = uniqueName("halt");
const wsBase = portalUrl.replace(/^http/, "ws");

/** An opened relay WebSocket with its (future) close, or the refusing HTTP answer. */
type Opened = { ws: WebSocket; closed: Promise<{ code: number; reason: string }> } | { status: number; body: any };

function open(client: PortalClient, urlPath: string, origin: string | null = portalUrl): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (client.cookie) headers.cookie = client.cookie;
    if (origin) headers.origin = origin;
    const ws = new WebSocket(wsBase + urlPath, ["plain.kubevirt.io"], { headers });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    ws.on("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.on("open", () => resolve({ ws, closed }));
    ws.on("error", reject);
  });
}

/** The relay's upstream connections to VM `vm` (test hook; per VM, as other files open consoles meanwhile). */
async function upstreamCount(vm: string): Promise<number> {
  const res = await fetch(`${portalUrl}/__test__/console-relay?vm=${vm}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { upstreamConnections: number }).upstreamConnections;
}

function createBody(name: string, runStrategy: string) {
  return {
    name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, runStrategy,
  };
}

/** Resolves once the accumulated output matches; optionally pokes every second meanwhile. */
function waitFor(ws: WebSocket, until: RegExp, timeoutMs: number, poke?: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const pokes = poke ? setInterval(poke, 1000) : null;
    const done = () => {
      if (pokes) clearInterval(pokes);
      clearTimeout(timer);
      ws.off("message", onMessage);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${until} in: ${JSON.stringify(seen.slice(-300))}`));
    }, timeoutMs);
    const onMessage = (d: Buffer) => {
      seen += d.toString("latin1");
      if (until.test(seen)) {
        done();
        resolve(seen);
      }
    };
    ws.on("message", onMessage);
    poke?.();
  });
}

const consolePath = (tenant: string, name: string, kind = "console") => `/api/tenants/${tenant}/vms/${name}/${kind}`;

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
  for (const [name, strategy] of [[running, "Always"], [halted, "Halted"]]) {
    const res = await alice.call("POST", "/api/tenants/acme/vms", createBody(name, strategy));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});

afterAll(async () => {
  for (const name of [running, halted]) await alice?.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
  await getDb().$disconnect();
});

describe("refused upgrades: HTTP status before any upstream connection", () => {
  it("answers 403 to victor (view), 404 to bob, 401 without a session, 403 to a cross-site origin", async () => {
    const before = await upstreamCount(running);
    const cases: [PortalClient, string, string | null, number, string][] = [
      [victor, consolePath("acme", running), portalUrl, 403, "forbidden"],
      [victor, consolePath("acme", running, "vnc"), portalUrl, 403, "forbidden"],
      [bob, consolePath("acme", running), portalUrl, 404, "not_found"],
      [anonymous, consolePath("acme", running), portalUrl, 401, "unauthenticated"],
      [alice, consolePath("acme", running), "https://evil.example", 403, "forbidden"],
      [alice, consolePath("acme", running), null, 403, "forbidden"],
      [alice, consolePath("globex", running), portalUrl, 404, "not_found"],
    ];
    for (const [who, p, origin, status, code] of cases) {
      const res = await open(who, p, origin);
      expect("status" in res && res.status, `${who.username} ${p} ${origin}`).toBe(status);
      if ("status" in res) expect(res.body.error.code).toBe(code);
    }
    expect((await getDb().auditLog.findMany({ where: { action: "vm.console.open", targetName: running, result: "denied" } })).map((r) => r.actor).sort())
      .toEqual(["alice", "alice", "alice", "anonymous", "bob", "victor"]);
    expect(await upstreamCount(running)).toBe(before);
  });
});

describe("alice's running VM", () => {
  it("shows Running in the VM list", async () => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = await alice.call("GET", "/api/tenants/acme/vms");
      if (res.body.find((v: { name: string }) => v.name === running)?.powerState === "Running") break;
      if (Date.now() > deadline) throw new Error(`not Running: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, 130_000);

  it("reaches the guest's shell through the portal; typed text reaches the guest", async () => {
    const before = await upstreamCount(running);
    const opened = await open(alice, consolePath("acme", running));
    if (!("ws" in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    const { ws } = opened;
    expect(ws.protocol).toBe("plain.kubevirt.io");
    await waitFor(ws, new RegExp(`vm-instance-${running}:~#`), 90_000, () => ws.send(Buffer.from("\n"), { binary: true }));
    // a text frame (KubeVirt would drop it): the relay forwards it as binary
    ws.send("echo $((6*7))\n");
    await waitFor(ws, /\n42\r?\n/, 20_000);
    ws.close();
    expect(await upstreamCount(running)).toBe(before + 1);
  }, 120_000);

  it("closes the older console with 4410 \"session taken over\" when a newer one opens", async () => {
    const first = await open(alice, consolePath("acme", running));
    if (!("ws" in first)) throw new Error(`refused: ${JSON.stringify(first)}`);
    const second = await open(alice, consolePath("acme", running));
    if (!("ws" in second)) throw new Error(`refused: ${JSON.stringify(second)}`);
    expect(await first.closed).toEqual({ code: 4410, reason: "session taken over" });
    second.ws.close();
  });

  it("serves the RFB banner on /vnc", async () => {
    const opened = await open(alice, consolePath("acme", running, "vnc"));
    if (!("ws" in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    expect(await waitFor(opened.ws, /^RFB 003\.008/, 20_000)).toMatch(/^RFB 003\.008/);
    opened.ws.close();
  });

  it("audited the opens and the closes with their duration", async () => {
    const deadline = Date.now() + 10_000;
    let closes: { actor: string; requestSummary: string }[] = [];
    while (Date.now() < deadline) {
      closes = await getDb().auditLog.findMany({ where: { action: "vm.console.close", targetName: running } });
      if (closes.length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(closes.length).toBe(3);
    for (const c of closes) {
      expect(c.actor).toBe("alice");
      expect(JSON.parse(c.requestSummary)).toMatchObject({ kind: "console", durationSeconds: expect.any(Number), closedBy: expect.any(String) });
    }
    const opens = await getDb().auditLog.findMany({ where: { action: "vm.console.open", targetName: running, result: "success" } });
    expect(opens.map((r) => [r.actor, r.tenantName])).toEqual([["alice", "acme"], ["alice", "acme"], ["alice", "acme"]]);
    expect(await getDb().auditLog.count({ where: { action: "vm.vnc.open", targetName: running, result: "success" } })).toBe(1);
  });
});

describe("sessions in use", () => {
  for (const kind of ["console", "vnc"]) {
    it(`answers ${kind}?preserveSession=true with 4503 while a session is open, without taking it over`, async () => {
      const first = await open(alice, consolePath("acme", running, kind));
      if (!("ws" in first)) throw new Error(`refused: ${JSON.stringify(first)}`);
      const before = await upstreamCount(running);
      const second = await open(alice, `${consolePath("acme", running, kind)}?preserveSession=true`);
      if (!("ws" in second)) throw new Error(`refused: ${JSON.stringify(second)}`);
      expect(await second.closed).toEqual({ code: 4503, reason: "session in use" });
      // the relay answered from its own sessions: no upstream connection was tried
      expect(await upstreamCount(running)).toBe(before);
      expect(first.ws.readyState).toBe(WebSocket.OPEN);
      first.ws.close();
      await first.closed;
    });
  }

  it("lets a preserveSession connection in once the other session has closed", async () => {
    const opened = await open(alice, `${consolePath("acme", running, "vnc")}?preserveSession=true`);
    if (!("ws" in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    expect(await waitFor(opened.ws, /^RFB 003\.008/, 20_000)).toMatch(/^RFB/);
    opened.ws.close();
  });
});

describe("the console check without an upgrade (what the page asks when a WebSocket was refused)", () => {
  it("answers the relay's verdict as JSON", async () => {
    expect((await alice.call("GET", consolePath("acme", running))).status).toBe(200);
    expect((await victor.call("GET", consolePath("acme", running, "vnc"))).status).toBe(403);
    expect((await bob.call("GET", consolePath("acme", running))).status).toBe(404);
    expect((await anonymous.call("GET", consolePath("acme", running))).status).toBe(401);
  });
});

describe("a VM that is not running", () => {
  it("accepts the upgrade, then closes with 4400 \"VM is not running\"", async () => {
    const opened = await open(alice, consolePath("acme", halted));
    if (!("ws" in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    expect(await opened.closed).toEqual({ code: 4400, reason: "VM is not running" });
    const rows = await getDb().auditLog.findMany({ where: { action: "vm.console.open", targetName: halted } });
    expect(rows.map((r) => r.result)).toEqual(["failure"]);
    expect(rows[0].errorMessage).toMatch(/^upstream 40[04]/);
  });
});

describe("power actions through KubeVirt's subresources", () => {
  const waitForState = async (name: string, state: string) => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await alice.call("GET", "/api/tenants/acme/vms");
      if (res.body.find((v: { name: string }) => v.name === name)?.powerState === state) return;
      if (Date.now() > deadline) throw new Error(`${name} not ${state}: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  it("refuses victor (view) with 403, and stop on a stopped VM with KubeVirt's 409 reason in the portal's words", async () => {
    expect((await victor.call("POST", `/api/tenants/acme/vms/${halted}/start`)).status).toBe(403);
    const stop = await alice.call("POST", `/api/tenants/acme/vms/${halted}/stop`);
    expect(stop.status).toBe(409);
    expect(stop.body.error.message).toBe("The VM is already stopped.");
    const rows = await getDb().auditLog.findMany({ where: { action: { in: ["vm.start", "vm.stop"] }, targetName: halted } });
    expect(rows.map((r) => `${r.actor} ${r.action} ${r.result}`).sort()).toEqual(["alice vm.stop failure", "victor vm.start denied"]);
  });

  it("starts a halted VM (its console opens) and stops it again (its console says not running)", async () => {
    expect((await alice.call("POST", `/api/tenants/acme/vms/${halted}/start`)).status).toBe(202);
    await waitForState(halted, "Running");
    const again = await alice.call("POST", `/api/tenants/acme/vms/${halted}/start`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe("The VM is already running.");
    const opened = await open(alice, consolePath("acme", halted));
    if (!("ws" in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    expect(await Promise.race([opened.closed, new Promise((r) => setTimeout(() => r("open"), 1000))])).toBe("open");

    expect((await alice.call("POST", `/api/tenants/acme/vms/${halted}/stop`)).status).toBe(202);
    // KubeVirt ends the console when the guest goes away
    expect((await opened.closed).code).not.toBe(4400);
    await waitForState(halted, "Stopped");
    const after = await open(alice, consolePath("acme", halted));
    if (!("ws" in after)) throw new Error(`refused: ${JSON.stringify(after)}`);
    expect(await after.closed).toEqual({ code: 4400, reason: "VM is not running" });
  }, 120_000);
});
