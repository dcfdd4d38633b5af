/**
 * Benchmark (on demand, not in CI): the console relay against the two baselines named by the
 * console issue, on one real QEMU guest of the local cluster.
 *
 * 1. Keystroke echo: one character sent, its echo by the guest's tty read back; then a DEL and its
 *    echo (a backspace), untimed, so the line stays empty. Round trip p50/p99 over BENCH_KEYS keys:
 *    - portal:     browser-side WebSocket → portal relay → kube-apiserver → stand-in virt-api → QEMU
 *    - direct:     WebSocket → kube-apiserver (alice impersonated with the portal's certificate,
 *                  as the relay does) → virt-api → QEMU
 *    - websockify: WebSocket → Debian's websockify → the same QEMU serial socket (no API server)
 * 2. VNC full-screen update: RFB 3.8 handshake (security None), Raw encoding, then BENCH_FRAMES
 *    non-incremental FramebufferUpdateRequests for the whole screen, each timed until its last
 *    byte; p50 per update and throughput, through the portal and through websockify.
 *
 * Targets (issue "In-browser serial console and VNC"): portal p50 ≤ direct p50 + 2 ms, and no
 * worse than websockify.
 *
 * Run: `npm run bench:console` (starts its own cluster, database and production portal in
 * .local/bench-*; needs Debian's `websockify`, which scripts/setup.sh installs).
 * Env: BENCH_KEYS (300), BENCH_FRAMES (30).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { startStack } from "../scripts/stack";
import { freePort } from "../dev-cluster/ports";

const keys = Number(process.env.BENCH_KEYS ?? 300);
const frames = Number(process.env.BENCH_FRAMES ?? 30);
const tenantNs = "tenant-acme";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A WebSocket whose incoming bytes can be awaited. */
class ByteStream {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on("message", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
  }
  /** Resolves once `pred` finds what it needs in the buffer; returns the bytes it consumed. */
  async until(pred: (b: Buffer) => number, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = pred(this.buf);
      if (n > 0) {
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return out;
      }
      if (Date.now() > deadline) throw new Error(`timed out; buffer ends ${JSON.stringify(this.buf.subarray(-80).toString("latin1"))}`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 200);
      });
      this.waiter = null;
    }
  }
  read(n: number) {
    return this.until((b) => (b.length >= n ? n : 0));
  }
  drop() {
    this.buf = Buffer.alloc(0);
  }
  send(b: Buffer | string) {
    this.ws.send(typeof b === "string" ? Buffer.from(b) : b, { binary: true });
  }
}

function openWs(url: string, protocols: string[], opts: WebSocket.ClientOptions = {}): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...opts });
    ws.once("open", () => resolve(new ByteStream(ws)));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode} for ${url}`)));
    ws.once("error", reject);
  });
}

async function closeWs(s: ByteStream): Promise<void> {
  await new Promise<void>((r) => {
    s.ws.once("close", () => r());
    s.ws.close();
    setTimeout(r, 2000);
  });
  // virt-api and websockify let go of the QEMU socket asynchronously
  await new Promise((r) => setTimeout(r, 500));
}

/** Keystroke echo round trips on a serial stream that shows a shell prompt. */
async function echoRoundTrips(s: ByteStream): Promise<number[]> {
  s.send("\r");
  await s.until((b) => {
    const i = b.lastIndexOf("# ");
    return i >= 0 ? i + 2 : 0;
  }, 60_000);
  const times: number[] = [];
  for (let i = 0; i < keys + 20; i++) {
    s.drop();
    const t0 = performance.now();
    s.send("a");
    await s.until((b) => (b.includes("a") ? b.indexOf("a") + 1 : 0));
    const dt = performance.now() - t0;
    if (i >= 20) times.push(dt);
    s.send(Buffer.from([0x7f]));
    // the shell's line editor answers DEL with a backspace ("\b \b", or busybox ash's "\b\x1b[J")
    await s.until((b) => (b.includes("\b") ? b.length : 0));
  }
  return times.sort((a, b) => a - b);
}

/** RFB 3.8 handshake with security None; returns the framebuffer size. */
async function rfbHandshake(s: ByteStream): Promise<{ width: number; height: number; bpp: number }> {
  const version = (await s.read(12)).toString("latin1");
  if (!version.startsWith("RFB ")) throw new Error(`not RFB: ${version}`);
  s.send("RFB 003.008\n");
  const count = (await s.read(1))[0];
  const types = [...(await s.read(count))];
  if (!types.includes(1)) throw new Error(`no None security: ${types}`);
  s.send(Buffer.from([1]));
  const result = (await s.read(4)).readUInt32BE(0);
  if (result !== 0) throw new Error("security failed");
  s.send(Buffer.from([1])); // ClientInit, shared
  const init = await s.read(24);
  const width = init.readUInt16BE(0);
  const height = init.readUInt16BE(2);
  const bpp = init[4];
  const nameLength = init.readUInt32BE(20);
  await s.read(nameLength);
  // SetEncodings: Raw only
  const enc = Buffer.alloc(8);
  enc[0] = 2;
  enc.writeUInt16BE(1, 2);
  enc.writeInt32BE(0, 4);
  s.send(enc);
  return { width, height, bpp };
}

/** Times full-screen non-incremental updates (Raw); returns ms per update and bytes per update. */
async function fullScreenUpdates(s: ByteStream): Promise<{ times: number[]; bytes: number }> {
  const { width, height, bpp } = await rfbHandshake(s);
  const request = Buffer.alloc(10);
  request[0] = 3;
  request[1] = 0;
  request.writeUInt16BE(width, 6);
  request.writeUInt16BE(height, 8);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < frames + 3; i++) {
    const t0 = performance.now();
    s.send(request);
    const header = await s.read(4);
    if (header[0] !== 0) throw new Error(`unexpected server message ${header[0]}`);
    const rects = header.readUInt16BE(2);
    let total = 4;
    for (let r = 0; r < rects; r++) {
      const rh = await s.read(12);
      const w = rh.readUInt16BE(4);
      const h = rh.readUInt16BE(6);
      const encoding = rh.readInt32BE(8);
      total += 12;
      if (encoding === 0) {
        const n = w * h * (bpp / 8);
        await s.read(n);
        total += n;
      } else if (encoding === -223) {
        /* DesktopSize pseudo-encoding: no payload */
      } else {
        throw new Error(`unexpected encoding ${encoding}`);
      }
    }
    if (i >= 3) times.push(performance.now() - t0);
    bytes = total;
  }
  return { times: times.sort((a, b) => a - b), bytes };
}

async function startWebsockify(unixSocket: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn("websockify", ["--unix-target", unixSocket, `127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  proc.stderr?.on("data", (d) => (err += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`websockify exited: ${err}`);
    try {
      const s = await openWs(`ws://127.0.0.1:${port}/`, ["binary"]);
      s.ws.terminate();
      await new Promise((r) => setTimeout(r, 300));
      return { url: `ws://127.0.0.1:${port}/`, proc };
    } catch {
      if (Date.now() > deadline) throw new Error(`websockify did not answer: ${err}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const fmt = (n: number) => n.toFixed(2).padStart(8);

async function main(): Promise<void> {
  const have = await new Promise<boolean>((r) => spawn("sh", ["-c", "command -v websockify"]).on("exit", (c) => r(c === 0)));
  if (!have) throw new Error("websockify is missing: `sudo apt-get install websockify` (scripts/setup.sh installs it)");

  const stack = await startStack({ name: "bench", log: (l) => console.log(`[bench] ${l}`) });
  const helpers: ChildProcess[] = [];
  try {
    process.env.PORTAL_URL = stack.url;
    const { signIn } = await import("../tests/integration/helpers");
    const { portalAccess } = await import("../dev-cluster/standin/test-support");
    const dir = stack.env.HIKUBE_CLUSTER_DIR!;
    const alice = await signIn("alice", "alice-password");
    const name = `bench-${crypto.randomBytes(3).toString("hex")}`;
    const created = await alice.call("POST", "/api/tenants/acme/vms", {
      name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    });
    if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
    const vmi = `vm-instance-${name}`;
    const deadline = Date.now() + 120_000;
    while ((await alice.call("GET", "/api/tenants/acme/vms")).body.find((v: { name: string }) => v.name === name)?.powerState !== "Running") {
      if (Date.now() > deadline) throw new Error("VM not Running");
      await new Promise((r) => setTimeout(r, 500));
    }
    const guestDir = path.join(dir, "vms", crypto.createHash("sha256").update(`${tenantNs}/${vmi}`).digest("hex").slice(0, 10));
    if (!fs.existsSync(path.join(guestDir, "serial.sock"))) throw new Error(`no serial socket in ${guestDir}`);

    const portalWs = stack.url.replace(/^http/, "ws");
    const portalOpts = { headers: { cookie: alice.cookie, origin: stack.url } };
    const access = portalAccess(dir);
    const tls = { ca: access.pki("ca.crt"), cert: access.pki("portal.crt"), key: access.pki("portal.key") };
    const impersonate = { "Impersonate-User": "alice", "Impersonate-Group": "tenant-acme-admin" };
    const directUrl = (kind: string) =>
      `wss://127.0.0.1:${access.port()}/apis/subresources.kubevirt.io/v1/namespaces/${tenantNs}/virtualmachineinstances/${vmi}/${kind}`;

    /** The three ways to one guest socket, each measured in turn (a QEMU socket takes one client). */
    const measure = async <T>(kind: "console" | "vnc", socket: string, run: (s: ByteStream) => Promise<T>): Promise<Record<string, T>> => {
      const out: Record<string, T> = {};
      const ways: [string, () => Promise<ByteStream>][] = [
        ["portal", () => openWs(`${portalWs}/api/tenants/acme/vms/${name}/${kind}`, ["plain.kubevirt.io"], portalOpts)],
        ["direct", () => openWs(directUrl(kind), ["plain.kubevirt.io"], { ...tls, headers: impersonate })],
        ["websockify", async () => {
          const w = await startWebsockify(path.join(guestDir, socket));
          helpers.push(w.proc);
          return openWs(w.url, ["binary"]);
        }],
      ];
      for (const [label, open] of ways) {
        const s = await open();
        out[label] = await run(s);
        await closeWs(s);
        helpers.pop()?.kill();
      }
      return out;
    };

    console.log(`[bench] keystroke echo, ${keys} keys per path (guest ${vmi})`);
    const echo = await measure("console", "serial.sock", echoRoundTrips);
    console.log(`[bench] VNC full-screen updates (Raw), ${frames} per path`);
    const vnc = await measure("vnc", "vnc.sock", fullScreenUpdates);

    await alice.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);

    console.log("\nkeystroke echo round trip (ms)      p50      p99");
    for (const [label, t] of Object.entries(echo)) console.log(`  ${label.padEnd(30)}${fmt(percentile(t, 50))}${fmt(percentile(t, 99))}`);
    console.log("\nVNC full-screen update        ms p50   ms p99   MiB/s (p50)   bytes/update");
    for (const [label, { times, bytes }] of Object.entries(vnc)) {
      const p50 = percentile(times, 50);
      console.log(`  ${label.padEnd(26)}${fmt(p50)} ${fmt(percentile(times, 99))}   ${fmt(bytes / (1 << 20) / (p50 / 1000))}     ${bytes}`);
    }
    const portal = percentile(echo.portal, 50);
    const direct = percentile(echo.direct, 50);
    const wsfy = percentile(echo.websockify, 50);
    console.log(`\ntarget: portal echo p50 ≤ direct + 2 ms: ${fmt(portal)} vs ${fmt(direct + 2)} → ${portal <= direct + 2 ? "met" : "NOT met"}`);
    console.log(`target: portal echo p50 ≤ websockify:      ${fmt(portal)} vs ${fmt(wsfy)} → ${portal <= wsfy ? "met" : "NOT met"}`);
    const vp = percentile(vnc.portal.times, 50);
    const vw = percentile(vnc.websockify.times, 50);
    console.log(`target: portal VNC update p50 ≤ websockify: ${fmt(vp)} vs ${fmt(vw)} → ${vp <= vw ? "met" : "NOT met"}`);
  } finally {
    for (const h of helpers) h.kill();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
