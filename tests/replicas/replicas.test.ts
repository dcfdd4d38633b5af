/**
 * Several replicas (issue 11, point 5): two portal processes from the image (podman, host network,
 * read-only root filesystem) on one PostgreSQL, behind HAProxy balancing every request and
 * WebSocket round robin with no stickiness (scripts/replicas.ts). Run by scripts/test.ts in the
 * PostgreSQL pass, which sets REPLICAS_URL (HAProxy), REPLICA_A_URL / REPLICA_B_URL (each replica
 * directly) and REPLICA_A_CONTAINER / REPLICA_B_CONTAINER.
 *
 * The last test stops replica a: keep it last.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { container } from "../../scripts/image";
import { getObject, openListStream, paths, sampleSshKey, signIn, uniqueName, type PortalClient } from "../integration/helpers";
import { getDb } from "../../lib/server/db/db";

const need = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the replica tests through \`npm test\` (the PostgreSQL pass)`);
  return v;
};
const lb = need("REPLICAS_URL");
const replicaA = need("REPLICA_A_URL");
const replicaB = need("REPLICA_B_URL");
const containerA = need("REPLICA_A_CONTAINER");

const GiB = 2 ** 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The body of a cirros VM create, as the create form sends it. */
function vmBody(name: string, runStrategy: "Halted" | "Always") {
  return {
    name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, runStrategy,
  };
}

/** Which replica answered (HAProxy's X-Hikube-Replica). */
const replicaOf = (answer: { headers: Headers }) => answer.headers.get("x-hikube-replica");

/** An opened console WebSocket, its close, the replica that served it, and what it received so far. */
interface Console {
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string; at: number }>;
  replica: string | null;
  output: () => string;
}

/** Opens a VM's serial console through `base` (a refusal rejects with its status). */
function openConsole(client: PortalClient, base: string, vm: string, preserveSession = false): Promise<Console> {
  return new Promise((resolve, reject) => {
    const url = `${base.replace(/^http/, "ws")}/api/tenants/acme/vms/${vm}/console${preserveSession ? "?preserveSession=true" : ""}`;
    const ws = new WebSocket(url, ["plain.kubevirt.io"], { headers: { cookie: client.cookie, origin: lb } });
    let out = "";
    let replica: string | null = null;
    ws.on("upgrade", (res) => (replica = (res.headers["x-hikube-replica"] as string | undefined) ?? null));
    ws.on("message", (d: Buffer) => (out += d.toString("utf8")));
    const closed = new Promise<{ code: number; reason: string; at: number }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString(), at: Date.now() })));
    ws.on("unexpected-response", (_req, res) => reject(new Error(`console refused: HTTP ${res.statusCode}`)));
    ws.on("open", () => resolve({ ws, closed, replica, output: () => out }));
    ws.on("error", reject);
  });
}

/** Resolves once the console's output (from `from` on) matches, poking Enter every second. */
async function waitForOutput(c: Console, pattern: RegExp, timeoutMs: number, from = 0): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pattern.test(c.output().slice(from))) {
    if (Date.now() > end) throw new Error(`no ${pattern} on the console; got: ${JSON.stringify(c.output().slice(-300))}`);
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(Buffer.from("\n"), { binary: true });
    await sleep(1000);
  }
}

let alice: PortalClient;
let running: string;

beforeAll(async () => {
  alice = await signIn("alice", "alice-password", lb);
  // A running VM for the console tests, created through replica b.
  running = uniqueName("rep");
  const created = await alice.via(replicaB).call("POST", "/api/tenants/acme/vms", vmBody(running, "Always"));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}, 60_000);

afterAll(async () => {
  await getDb().$disconnect();
});

describe("the image", () => {
  it("serves /readyz 200 as user 65532 with a read-only root filesystem; only /tmp is writable", async () => {
    for (const base of [replicaA, replicaB]) expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const inspect = (await container("podman", ["inspect", "--format", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}", containerA])).trim();
    expect(inspect).toBe("65532:65532 true");
    const probe = "const fs=require('fs');let root='written';try{fs.writeFileSync('/app/x','')}catch(e){root=e.code}fs.writeFileSync('/tmp/x','');console.log(process.getuid(),root)";
    const out = (await container("podman", ["exec", containerA, "/usr/local/bin/node", "-e", probe])).trim();
    expect(out).toBe("65532 EROFS");
  });
});

describe("two replicas behind HAProxy, round robin, no stickiness", () => {
  it("a session signed in through replica a works on replica b, and through HAProxy on both", async () => {
    const viaA = await signIn("alice", "alice-password", replicaA, lb);
    const onB = await viaA.via(replicaB).call("GET", "/api/tenants/acme/vms");
    expect(onB.status).toBe(200);
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await viaA.via(lb).call("GET", "/api/tenants/acme/vms");
      expect(res.status).toBe(200);
      served.add(replicaOf(res) ?? "");
    }
    expect([...served].sort()).toEqual(["a", "b"]);
    // signing out through b ends the session on a too
    const csrf = (await (await fetch(`${replicaB}/api/auth/csrf`, { headers: { cookie: viaA.cookie } })).json()) as { csrfToken: string };
    const out = await fetch(`${replicaB}/api/auth/signout`, {
      method: "POST", redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: viaA.cookie, origin: lb },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, json: "true" }).toString(),
    });
    expect(out.status).toBe(200);
    expect((await viaA.via(replicaA).call("GET", "/api/tenants/acme/vms")).status).toBe(401);
  });

  it("50 concurrent VM creates over both replicas with room for 10: exactly 10 exist", { timeout: 180_000 }, async () => {
    const admin = await signIn("admin", "admin-password", lb);
    const suffix = Math.random().toString(36).slice(2, 7);
    const tenant = `rq${suffix}`;
    const quota = { cpuMillicores: 100_000, memoryBytes: 200 * GiB, storageBytes: 100 * GiB, vmCount: 10, diskCount: 20, loadBalancers: 0 };
    const created = await admin.call("POST", "/api/admin/tenants", { name: tenant, displayName: "Replica quota", quota });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const member = await admin.call("POST", `/api/admin/tenants/${tenant}/members`, { username: `q${suffix}`, level: "admin", password: "quota-password" });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const owner = await signIn(`q${suffix}`, "quota-password", lb);

    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      owner.call("POST", `/api/tenants/${tenant}/vms`, vmBody(`q${i}-${suffix}`, "Halted"))));
    const byStatus: Record<number, number> = {};
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    expect(byStatus[201], JSON.stringify(byStatus)).toBe(10);
    expect(answers.filter((a) => a.status !== 201).every((a) => a.body?.error?.code === "quota_exceeded"), JSON.stringify(byStatus)).toBe(true);
    // both replicas took creates
    expect(new Set(answers.map(replicaOf))).toEqual(new Set(["a", "b"]));
    const namespace = (await getDb().tenant.findUniqueOrThrow({ where: { name: tenant } })).namespace;
    const stored = await getObject<{ items: unknown[] }>(paths.vmInstance(namespace));
    expect(stored?.items).toHaveLength(10);
    await admin.call("DELETE", `/api/admin/tenants/${tenant}?confirm=${tenant}`);
  });

  it("sign-in throttling holds across both replicas: failures through a and b count together", { timeout: 60_000 }, async () => {
    const { hashPassword } = await import("../../lib/server/auth/password");
    const { FREE_FAILURES_PER_USER } = await import("../../lib/server/auth/signin-throttle");
    const username = uniqueName("thr");
    await getDb().user.create({ data: { username, displayName: username, passwordHash: await hashPassword("right-password") } });
    // A client address of its own (the replicas trust X-Forwarded-For, as behind HAProxy), so that
    // only the per-username counter is at play.
    const from = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const attempt = async (base: string, password: string) => {
      const csrfRes = await fetch(`${base}/api/auth/csrf`, { headers: { "x-forwarded-for": from } });
      const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
      const jar = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const res = await fetch(`${base}/api/auth/callback/local`, {
        method: "POST", redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar, origin: lb, "x-forwarded-for": from },
        body: new URLSearchParams({ csrfToken, username, password, json: "true", callbackUrl: lb }).toString(),
      });
      const signedIn = res.headers.getSetCookie().some((c) => c.startsWith("next-auth.session-token="));
      const target = ((await res.json()) as { url?: string }).url;
      return signedIn ? "signed in" : (target ? new URL(target, lb).searchParams.get("error") : null) ?? `HTTP ${res.status}`;
    };
    // the free failures and one more (which blocks the username for 1 s), alternating replicas:
    // a, b, a, b, a, then b
    for (let i = 0; i <= FREE_FAILURES_PER_USER; i++) expect(await attempt(i % 2 === 0 ? replicaA : replicaB, "wrong-password")).toBe("CredentialsSignin");
    // the next attempts, on either replica, wait for the delay: even the right password is refused
    expect(await attempt(replicaA, "right-password")).toMatch(/^Throttled:\d+$/);
    expect(await attempt(replicaB, "right-password")).toMatch(/^Throttled:\d+$/);
    const rows = await getDb().auditLog.findMany({ where: { action: "session.signin", targetName: username } });
    expect(rows.filter((r) => r.result === "failure")).toHaveLength(FREE_FAILURES_PER_USER + 1);
    expect(rows.filter((r) => r.result === "denied")).toHaveLength(2);
  });

  it("a VM list open through replica a shows a VM created through replica b, without reload", { timeout: 60_000 }, async () => {
    const stream = openListStream(alice.cookie, "/api/tenants/acme/vms/events", replicaA);
    try {
      expect(await stream.ready).toBe(200);
      await expect.poll(() => stream.events.length, { timeout: 20_000 }).toBeGreaterThan(0);
      const name = uniqueName("live");
      const t0 = Date.now();
      const created = await alice.via(replicaB).call("POST", "/api/tenants/acme/vms", vmBody(name, "Halted"));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await expect.poll(() => JSON.stringify(stream.events.slice(1)).includes(`"${name}"`), { timeout: 20_000 }).toBe(true);
      console.log(`[replicas] VM created through b seen on a's live list after ${Date.now() - t0} ms`);
    } finally {
      stream.close();
    }
  });

  it("a console taken over through replica b ends the one held through replica a with \"session taken over\" (4410)", { timeout: 180_000 }, async () => {
    // the VM's guest answers on the console through a
    const first = await openConsole(alice, replicaA, running);
    await waitForOutput(first, new RegExp(`vm-instance-${running}:~#`), 150_000);
    // a reconnect through b (preserveSession) does not take it
    await expect(openConsole(alice, replicaB, running, true).then((c) => c.closed)).resolves.toMatchObject({ code: 4503 });
    // a new session through b does
    const second = await openConsole(alice, replicaB, running);
    const closedFirst = await Promise.race([first.closed, sleep(15_000).then(() => null)]);
    expect(closedFirst, "the console through a was not closed").not.toBeNull();
    expect(closedFirst).toMatchObject({ code: 4410, reason: "session taken over" });
    const mark = second.output().length;
    second.ws.send("echo $((6*7))\n");
    await waitForOutput(second, /\n42\r?\n/, 20_000, mark);
    second.ws.close();
    await second.closed;
  });

  it("stopping replica a while a console and a live list are open through it: both come back through b within 5 s, and no request fails", { timeout: 180_000 }, async () => {
    // Open both through HAProxy until replica a serves them (round robin alternates).
    let stream = openListStream(alice.cookie, "/api/tenants/acme/vms/events", lb);
    for (let i = 0; (await stream.ready, stream.replica !== "a"); i++) {
      stream.close();
      if (i > 10) throw new Error("HAProxy never gave the live list to replica a");
      stream = openListStream(alice.cookie, "/api/tenants/acme/vms/events", lb);
    }
    let console1 = await openConsole(alice, lb, running);
    for (let i = 0; console1.replica !== "a"; i++) {
      console1.ws.close();
      await console1.closed;
      if (i > 10) throw new Error("HAProxy never gave the console to replica a");
      console1 = await openConsole(alice, lb, running, true);
    }
    await waitForOutput(console1, new RegExp(`vm-instance-${running}:~#`), 60_000);

    // Requests keep coming through HAProxy the whole time, some of them slow (a page render).
    const failures: string[] = [];
    let requests = 0;
    let stopLoad = false;
    const load = (async () => {
      while (!stopLoad) {
        const batch = [alice.call("GET", "/api/tenants/acme/vms"), fetch(`${lb}/t/acme/vms`, { headers: { cookie: alice.cookie } }).then((r) => ({ status: r.status }))];
        for (const res of await Promise.allSettled(batch)) {
          requests++;
          if (res.status === "rejected") failures.push(String(res.reason));
          else if (res.value.status !== 200) failures.push(`HTTP ${res.value.status}`);
        }
        await sleep(50);
      }
    })();

    const stopped = container("podman", ["stop", "-t", "30", containerA]);
    // The live list ends (the drain) and reconnects as EventSource does (after 1 s), through HAProxy.
    await stream.ended;
    const streamEnded = Date.now();
    await sleep(1000);
    const again = openListStream(alice.cookie, "/api/tenants/acme/vms/events", lb);
    expect(await again.ready).toBe(200);
    await expect.poll(() => again.events.length, { timeout: 5_000 }).toBeGreaterThan(0);
    const streamBack = Date.now() - streamEnded;
    expect(again.replica).toBe("b");

    // The console gets 1001 and reconnects with preserveSession, as the console page does.
    const closed = await console1.closed;
    expect(closed.code).toBe(1001);
    const console2 = await openConsole(alice, lb, running, true);
    const mark = console2.output().length;
    console2.ws.send("echo $((7*6))\n");
    await waitForOutput(console2, /\n42\r?\n/, 5_000, mark);
    const consoleBack = Date.now() - closed.at;
    expect(console2.replica).toBe("b");

    await stopped;
    stopLoad = true;
    await load;
    again.close();
    console2.ws.close();
    console.log(`[replicas] replica a stopped: live list back through b ${streamBack} ms after it ended, console ${consoleBack} ms after 1001; ${requests} requests during the stop, ${failures.length} failed`);
    expect(streamBack).toBeLessThan(5_000);
    expect(consoleBack).toBeLessThan(5_000);
    expect(failures, `${requests} requests`).toEqual([]);
    expect(requests).toBeGreaterThan(20);
  });
});
