/**
 * Benchmark (on demand, not in CI): disk transfer speeds on the local cluster.
 *
 * - upload through the portal (session cookie → portal → CDI upload proxy stand-in) vs. directly
 *   to the upload proxy with a token (what a browser holding cluster credentials would do); the
 *   issue sets no baseline: the ratio is reported (measured once on 2 shared cores: 109.5 vs
 *   251.4 MiB/s for 256 MiB, 0.44: the portal's extra HTTP hop and TLS re-encryption are CPU-bound
 *   here, and still far above a browser's uplink);
 * - HTTP import by the stand-in's CDI from a local unthrottled server, until the DataVolume is
 *   Succeeded (reported only: the stand-in's speed, not the portal's).
 *
 * Run: `npm run bench:disks` (its own cluster, database and production portal in .local/bench-*, .next-bench).
 * Options (env): BENCH_MIB (256).
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startStack } from "../scripts/stack";
import { adminClient, request as adminRequest } from "../dev-cluster/kube";

const mib = Number(process.env.BENCH_MIB ?? 256);
const bytes = mib * 2 ** 20;
const chunk = Buffer.alloc(2 ** 20, 0x61);

/** Writes `bytes` of a repeated chunk into `req` with backpressure. */
async function writeBody(req: http.ClientRequest): Promise<void> {
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
  }
  req.end();
}

function post(url: string, headers: Record<string, string | number>, agent?: https.Agent): Promise<{ status: number; body: string; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? https.request : http.request;
    const req = get(url, { method: "POST", headers: { "content-type": "application/octet-stream", "content-length": bytes, ...headers }, agent }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, seconds: (performance.now() - t0) / 1000 }));
    });
    req.on("error", reject);
    void writeBody(req);
  });
}

async function main(): Promise<void> {
  const stack = await startStack({ name: "bench", log: (l) => console.log(`[bench] ${l}`) });
  const files = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes });
    void (async () => {
      for (let sent = 0; sent < bytes; sent += chunk.length) if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
      res.end();
    })();
  });
  try {
    process.env.PORTAL_URL = stack.url;
    const { signIn } = await import("../tests/integration/helpers");
    const alice = await signIn("alice", "alice-password");
    const dir = stack.env.HIKUBE_CLUSTER_DIR!;
    const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
    const admin = adminClient(path.join(dir, "pki"), state.apiserverPort);
    const size = `${Math.ceil(mib / 1024) + 1}Gi`;
    const waitPhase = async (name: string, phase: string) => {
      for (;;) {
        const res = await alice.call("GET", "/api/tenants/acme/disks");
        const row = res.body.find((d: { name: string }) => d.name === name);
        if (row?.phase === phase) return;
        if (row?.phase === "Failed") throw new Error(`${name} failed: ${row.message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const create = async (name: string, source: object) => {
      const res = await alice.call("POST", "/api/tenants/acme/disks", { name, source, storage: size });
      if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    };

    await create("bench-portal", { upload: {} });
    await waitPhase("bench-portal", "UploadReady");
    const viaPortal = await post(`${stack.url}/api/tenants/acme/disks/bench-portal/upload`, { cookie: alice.cookie, origin: stack.url });
    if (viaPortal.status !== 200) throw new Error(`portal upload: ${viaPortal.status} ${viaPortal.body}`);

    await create("bench-direct", { upload: {} });
    await waitPhase("bench-direct", "UploadReady");
    const utr = await adminRequest(admin, "POST", "/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/tenant-acme/uploadtokenrequests",
      JSON.stringify({ apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", spec: { pvcName: "vm-disk-bench-direct" } }));
    const token = JSON.parse(utr.body).status.token as string;
    const cm = JSON.parse((await adminRequest(admin, "GET", "/api/v1/namespaces/cdi/configmaps/cdi-uploadproxy")).body);
    const agent = new https.Agent({ ca: fs.readFileSync(path.join(dir, "pki", "ca.crt")) });
    const direct = await post(`${cm.data.url}/v1beta1/upload`, { authorization: `Bearer ${token}` }, agent);
    if (direct.status !== 200) throw new Error(`direct upload: ${direct.status} ${direct.body}`);

    await new Promise<void>((r) => files.listen(0, "127.0.0.1", r));
    const t0 = performance.now();
    await create("bench-import", { http: { url: `http://127.0.0.1:${(files.address() as AddressInfo).port}/image.raw` } });
    await waitPhase("bench-import", "Succeeded");
    const importSeconds = (performance.now() - t0) / 1000;

    const rate = (s: number) => mib / s;
    console.log(`[bench] upload ${mib} MiB through the portal: ${rate(viaPortal.seconds).toFixed(1)} MiB/s (${viaPortal.seconds.toFixed(2)} s)`);
    console.log(`[bench] upload ${mib} MiB directly to the upload proxy: ${rate(direct.seconds).toFixed(1)} MiB/s (${direct.seconds.toFixed(2)} s)`);
    console.log(`[bench] portal / direct: ${(rate(viaPortal.seconds) / rate(direct.seconds)).toFixed(2)}`);
    console.log(`[bench] HTTP import of ${mib} MiB by the stand-in, create to Succeeded: ${rate(importSeconds).toFixed(1)} MiB/s (${importSeconds.toFixed(2)} s)`);
  } finally {
    files.close();
    await stack.stop();
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
