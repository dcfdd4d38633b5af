/**
 * Pause and unpause through the portal (lib/server/vms/pause.ts), against the real local cluster
 * and the KubeVirt stand-in's real QEMU guest: KubeVirt's VMI subresources `pause`/`unpause`, the
 * VM's state Paused in the list, KubeVirt's refusals (409) in the portal's words, the guest's
 * console silent while paused (QEMU's `stop`) and answering again after `cont`; every attempt audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { portalUrl, sampleSshKey, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const running = uniqueName("pau");
const halted = uniqueName("pauh");

const vmPath = (name: string, action: string) => `/api/tenants/acme/vms/${name}/${action}`;

async function waitForState(name: string, state: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await alice.call("GET", "/api/tenants/acme/vms");
    if (res.body.find((v: { name: string }) => v.name === name)?.powerState === state) return;
    if (Date.now() > deadline) throw new Error(`${name} not ${state}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The serial console through the portal's relay, with everything received so far. */
async function openConsole(name: string): Promise<{ ws: WebSocket; output: () => string }> {
  const ws = new WebSocket(`${portalUrl.replace(/^http/, "ws")}/api/tenants/acme/vms/${name}/console`, ["plain.kubevirt.io"], {
    headers: { cookie: alice.cookie, origin: portalUrl },
  });
  let text = "";
  ws.on("message", (d: Buffer) => (text += d.toString("latin1")));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`console refused: ${res.statusCode}`)));
  });
  return { ws, output: () => text };
}

async function until(what: string, check: () => boolean, timeoutMs: number, poke?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    poke?.();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
  for (const [name, runStrategy] of [[running, "Always"], [halted, "Halted"]]) {
    const res = await alice.call("POST", "/api/tenants/acme/vms", {
      name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
      sshKeys: [sampleSshKey], external: false, runStrategy,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});

afterAll(async () => {
  for (const name of [running, halted]) await alice?.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
  await getDb().$disconnect();
});

describe("pause and unpause through KubeVirt's VMI subresources", () => {
  it("refuses victor (view) with 403 and bob (no member) with 404, pausing nothing", async () => {
    await waitForState(running, "Running");
    expect((await victor.call("POST", vmPath(running, "pause"))).status).toBe(403);
    expect((await victor.call("POST", vmPath(running, "unpause"))).status).toBe(403);
    expect((await bob.call("POST", vmPath(running, "pause"))).status).toBe(404);
    await new Promise((r) => setTimeout(r, 500));
    const vm = (await alice.call("GET", "/api/tenants/acme/vms")).body.find((v: { name: string }) => v.name === running);
    expect(vm.powerState).toBe("Running");
  }, 130_000);

  it("pauses a running VM (its console falls silent), refuses a second pause, unpauses it (the console answers what was typed)", async () => {
    const con = await openConsole(running);
    try {
      await until("the shell prompt", () => new RegExp(`vm-instance-${running}:~#`).test(con.output()), 90_000, () => con.ws.send(Buffer.from("\r"), { binary: true }));

      const pause = await alice.call("POST", vmPath(running, "pause"));
      expect(pause.status, JSON.stringify(pause.body)).toBe(202);
      await waitForState(running, "Paused", 30_000);

      const again = await alice.call("POST", vmPath(running, "pause"));
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: "conflict", message: "The VM is already paused.", details: { reason: "already_paused" } });

      const before = con.output().length;
      con.ws.send(Buffer.from("echo paused-$((40+2))\r"), { binary: true });
      await new Promise((r) => setTimeout(r, 2000));
      expect(con.output().slice(before)).not.toContain("paused-");

      expect((await alice.call("POST", vmPath(running, "unpause"))).status).toBe(202);
      await until("the typed command's output", () => con.output().slice(before).includes("paused-42"), 20_000);
      await waitForState(running, "Running", 30_000);

      const notPaused = await alice.call("POST", vmPath(running, "unpause"));
      expect(notPaused.status).toBe(409);
      expect(notPaused.body.error).toMatchObject({ message: "The VM is not paused.", details: { reason: "not_paused" } });
    } finally {
      con.ws.close();
    }
  }, 180_000);

  it("refuses to pause a stopped VM in plain words", async () => {
    const res = await alice.call("POST", vmPath(halted, "pause"));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ message: "The VM is not running: it cannot be paused.", details: { reason: "not_running" } });
    expect((await alice.call("POST", vmPath("no-such-vm", "pause"))).status).toBe(404);
  });

  it("audits every attempt as vm.pause / vm.unpause", async () => {
    const rows = await getDb().auditLog.findMany({ where: { action: { in: ["vm.pause", "vm.unpause"] }, targetName: { in: [running, halted] } } });
    expect(rows.map((r) => `${r.actor} ${r.action} ${r.targetName === running ? "running" : "halted"} ${r.result}`).sort()).toEqual([
      "alice vm.pause halted failure",
      "alice vm.pause running failure",
      "alice vm.pause running success",
      "alice vm.unpause running failure",
      "alice vm.unpause running success",
      "bob vm.pause running denied",
      "victor vm.pause running denied",
      "victor vm.unpause running denied",
    ]);
  });
});
