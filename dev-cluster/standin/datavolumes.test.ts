/**
 * The stand-in's disk controller against a real kube-apiserver (its own local cluster): VMDisk →
 * DataVolume with CDI's phases and progress, fed by a local, throttled HTTP server.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGetJson, eventually } from "./test-support";
import type { AdminClient } from "../kube";
import type { DiskController } from "./datavolumes";

const dir = path.resolve(".local", `standin-disks-${process.pid}`);
process.env.HIKUBE_CLUSTER_DIR = dir;
// This file runs its own disk controller: the real stand-in stays off.
process.env.HIKUBE_STANDIN = "off";

const ns = "tenant-acme";
const base = `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}`;
const cdi = `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}`;
const dataDir = path.join(dir, "disks");
const imageBytes = 64 * 1024 * 1024;
const bytesPerSecond = 16 * 1024 * 1024;

let admin: AdminClient;
let disks: DiskController;
let kube: typeof import("../kube");
let cluster: typeof import("../cluster");
let server: http.Server;
let origin = "";
let flakyRequests = 0;

/** Serves /disk.img: `imageBytes` of a pattern, in 256 KiB chunks paced at `bytesPerSecond`. */
function startServer(): Promise<void> {
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
  server = http.createServer((req, res) => {
    if (req.url === "/flaky.img") {
      // 500 on the first request, then a small image.
      flakyRequests++;
      if (flakyRequests === 1) return void res.writeHead(500, { "Content-Type": "text/plain" }).end("try later");
      return void res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": chunk.length }).end(chunk);
    }
    if (req.url !== "/disk.img") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not here");
      return;
    }
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": imageBytes });
    let sent = 0;
    const start = Date.now();
    const next = () => {
      if (res.destroyed) return;
      if (sent >= imageBytes) return void res.end();
      res.write(chunk);
      sent += chunk.length;
      const due = start + (sent / bytesPerSecond) * 1000;
      setTimeout(next, Math.max(0, due - Date.now()));
    };
    next();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve();
  }));
}

const getJson = (p: string) => adminGetJson(admin, p);
const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");


async function createDisk(name: string, spec: Record<string, unknown>) {
  const res = await kube.request(admin, "POST", `${base}/vmdisks`, JSON.stringify({
    apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name }, spec: { storage: "1Gi", ...spec },
  }));
  expect(res.status, res.body).toBe(201);
}

const phaseOf = (name: string, phase: string) =>
  eventually(`vm-disk-${name} ${phase}`, async () => {
    const dv = await getJson(`${cdi}/datavolumes/vm-disk-${name}`);
    return dv?.status?.phase === phase && dv;
  });

beforeAll(async () => {
  cluster = await import("../cluster");
  kube = await import("../kube");
  const { startDiskController } = await import("./datavolumes");
  await Promise.all([cluster.startCluster(() => {}), startServer()]);
  const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
  admin = kube.adminClient(path.join(dir, "pki"), state.apiserverPort);
  disks = await startDiskController({ admin, dataDir, importBackoffMs: 1000 });
}, 120_000);

afterAll(async () => {
  await disks?.stop();
  server?.closeAllConnections();
  server?.close();
  admin?.agent.destroy();
  await cluster?.stopCluster({ purge: true, log: () => {} });
});

describe("stand-in disk controller", () => {
  it("imports an http source with CDI's phases and progress, into a real file", async () => {
    const started = Date.now();
    await createDisk("web-os", { source: { http: { url: `${origin}/disk.img` } }, optical: true });
    const phases: string[] = [];
    const progress: string[] = [];
    let dv: any;
    for (;;) {
      dv = await getJson(`${cdi}/datavolumes/vm-disk-web-os`);
      const s = dv?.status ?? {};
      if (s.phase && phases.at(-1) !== s.phase) phases.push(s.phase);
      if (s.progress && progress.at(-1) !== s.progress) progress.push(s.progress);
      if (s.phase === "Succeeded" || s.phase === "Failed") break;
      if (Date.now() - started > 30_000) throw new Error(`import too slow: ${phases.join(",")} ${progress.join(",")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`import of 64 MiB: ${seconds.toFixed(1)} s (${(64 / seconds).toFixed(1)} MiB/s); progress ${progress.join(" ")}`);
    expect(phases.at(-1)).toBe("Succeeded");
    expect(phases).toContain("ImportInProgress");
    expect(progress.at(-1)).toBe("100.0%");
    const percents = progress.filter((p) => /^\d+\.\d\d%$/.test(p) && p !== "100.00%");
    expect(percents.length, progress.join(" ")).toBeGreaterThanOrEqual(3);
    const numbers = percents.map((p) => parseFloat(p));
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    expect(dv.metadata.annotations["vm-disk.cozystack.io/optical"]).toBe("true");
    expect(dv.metadata.ownerReferences[0]).toMatchObject({ kind: "VMDisk", name: "web-os", controller: true });
    expect(dv.spec).toEqual({ source: { http: { url: `${origin}/disk.img` } },
      storage: { resources: { requests: { storage: "1Gi" } }, storageClassName: "replicated" } });
    const conds = Object.fromEntries(dv.status.conditions.map((c: any) => [c.type, c]));
    expect(conds.Ready.status).toBe("True");
    expect(conds.Running).toMatchObject({ status: "False", reason: "Completed" });
    expect(fs.statSync(path.join(dataDir, ns, "web-os.img")).size).toBe(imageBytes);
  });

  it("fails a 404 URL with the HTTP status in CDI's words", async () => {
    await createDisk("missing", { source: { http: { url: `${origin}/nope.img` } } });
    const dv = await phaseOf("missing", "Failed");
    const running = dv.status.conditions.find((c: any) => c.type === "Running");
    expect(running).toMatchObject({ status: "False", reason: "Error" });
    expect(running.message).toBe("Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found");
  });

  it("retries an import that got HTTP 500 as CDI restarts its importer pod: restartCount 1, then Succeeded", async () => {
    await createDisk("flaky", { source: { http: { url: `${origin}/flaky.img` } } });
    const waiting = await eventually("the restart wait", async () => {
      const dv = await getJson(`${cdi}/datavolumes/vm-disk-flaky`);
      return dv?.status?.restartCount === 1 && dv.status.conditions?.find((c: any) => c.type === "Running")?.reason === "Error" && dv;
    });
    expect(waiting.status.phase).toBe("ImportInProgress");
    expect(waiting.status.conditions.find((c: any) => c.type === "Running")).toMatchObject({ status: "False",
      message: "Unable to connect to http data source: expected status code 200, got 500. Status: 500 Internal Server Error" });
    const dv = await phaseOf("flaky", "Succeeded");
    expect(dv.status.restartCount).toBe(1);
    expect(dv.status.progress).toBe("100.0%");
    expect(flakyRequests).toBe(2);
    expect(fs.statSync(path.join(dataDir, ns, "flaky.img")).size).toBe(256 * 1024);
  });

  it("keeps retrying an unreachable URL with a growing backoff, showing the network error", async () => {
    await createDisk("unreachable", { source: { http: { url: "http://127.0.0.1:1/x.img" } } });
    const dv = await eventually("two restarts", async () => {
      const d = await getJson(`${cdi}/datavolumes/vm-disk-unreachable`);
      return (d?.status?.restartCount ?? 0) >= 2 && d;
    }, 10_000);
    expect(dv.status.phase).toBe("ImportInProgress");
    expect(dv.status.conditions.find((c: any) => c.type === "Running").message).toMatch(/^Unable to connect to http data source: .*ECONNREFUSED/);
    const { restartDelayMs } = await import("./datavolumes");
    expect([1, 2, 3, 6, 7, 20].map((n) => restartDelayMs(n))).toEqual([10_000, 20_000, 40_000, 300_000, 300_000, 300_000]);
  });

  it("makes a blank disk Succeeded at once", async () => {
    await createDisk("scratch", {});
    const dv = await phaseOf("scratch", "Succeeded");
    expect(dv.spec.source).toEqual({ blank: {} });
    expect(dv.status.progress).toBe("100.0%");
    expect(fs.statSync(path.join(dataDir, ns, "scratch.img")).size).toBe(1024 ** 3);
  });

  it("gives each golden image generated content, the same on every run, and the status of a finished import", async () => {
    const { goldenImageContent, goldenImageBytes } = await import("./datavolumes");
    const ubuntu = path.join(dataDir, "cozy-public", "vm-image-ubuntu.img");
    expect(fs.statSync(ubuntu).size).toBe(goldenImageBytes);
    expect(sha256(ubuntu)).toBe(crypto.createHash("sha256").update(goldenImageContent("vm-image-ubuntu")).digest("hex"));
    expect(sha256(ubuntu)).not.toBe(sha256(path.join(dataDir, "cozy-public", "vm-image-cirros.img")));
    const golden = await getJson("/apis/cdi.kubevirt.io/v1beta1/namespaces/cozy-public/datavolumes/vm-image-ubuntu");
    expect(golden.status).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
  });

  it("clones a golden image and another disk byte for byte with CDI's clone phases, and fails a clone of a missing disk", async () => {
    const started = Date.now();
    await createDisk("from-image", { source: { image: { name: "ubuntu" } } });
    const phases: string[] = [];
    let img: any;
    for (;;) {
      img = await getJson(`${cdi}/datavolumes/vm-disk-from-image`);
      const phase = img?.status?.phase;
      if (phase && phases.at(-1) !== phase) phases.push(phase);
      if (phase === "Succeeded" || phase === "Failed") break;
      if (Date.now() - started > 15_000) throw new Error(`clone too slow: ${phases.join(",")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    console.log(`[figures] clone of a ${(fs.statSync(path.join(dataDir, ns, "from-image.img")).size / 2 ** 20).toFixed(0)} MiB golden image: ${Date.now() - started} ms from VMDisk create to Succeeded`);
    expect(phases.at(-1)).toBe("Succeeded");
    expect(["CloneScheduled", "CloneInProgress", "Succeeded"]).toEqual(expect.arrayContaining(phases));
    expect(img.status.progress).toBe("100.0%");
    expect(img.spec.source).toEqual({ pvc: { namespace: "cozy-public", name: "vm-image-ubuntu" } });
    expect(sha256(path.join(dataDir, ns, "from-image.img"))).toBe(sha256(path.join(dataDir, "cozy-public", "vm-image-ubuntu.img")));
    await createDisk("copy", { source: { disk: { name: "web-os" } } });
    const copy = await phaseOf("copy", "Succeeded");
    expect(copy.spec.source).toEqual({ pvc: { namespace: ns, name: "vm-disk-web-os" } });
    expect(sha256(path.join(dataDir, ns, "copy.img"))).toBe(sha256(path.join(dataDir, ns, "web-os.img")));
    await createDisk("orphan", { source: { disk: { name: "ghost" } } });
    const orphan = await phaseOf("orphan", "Failed");
    expect(orphan.status.conditions.find((c: any) => c.type === "Running").message).toBe(`Clone source ${ns}/vm-disk-ghost not found`);
  });

  it("stops at UploadReady for an upload source (the upload proxy is not played)", async () => {
    await createDisk("upload", { source: { upload: {} } });
    const dv = await phaseOf("upload", "UploadReady");
    expect(dv.spec.source).toEqual({ upload: {} });
  });

  it("after a restart of the stand-in, starts an interrupted import again and puts an interrupted upload back to UploadReady", async () => {
    // An upload the upload proxy was writing when the process went away.
    const uploadFile = path.join(dataDir, ns, "upload.img");
    fs.writeFileSync(uploadFile, Buffer.alloc(4096, 1));
    const patched = await kube.request(admin, "PATCH", `${cdi}/datavolumes/vm-disk-upload/status`,
      JSON.stringify({ status: { phase: "ImportInProgress", progress: "40.00%" } }), "application/merge-patch+json");
    expect(patched.status, patched.body).toBe(200);
    // An import half done.
    await createDisk("resumed", { source: { http: { url: `${origin}/disk.img` } } });
    await eventually("import under way", async () => {
      const p = (await getJson(`${cdi}/datavolumes/vm-disk-resumed`))?.status?.progress ?? "";
      return parseFloat(p) >= 10;
    });
    await disks.stop();
    expect((await getJson(`${cdi}/datavolumes/vm-disk-resumed`)).status.phase).toBe("ImportInProgress");

    const { startDiskController } = await import("./datavolumes");
    disks = await startDiskController({ admin, dataDir, importBackoffMs: 1000 });
    const upload = await phaseOf("upload", "UploadReady");
    expect(upload.status.progress).toBe("N/A");
    expect(fs.existsSync(uploadFile)).toBe(false);
    const resumed = await phaseOf("resumed", "Succeeded");
    expect(resumed.status.restartCount).toBe(0);
    expect(fs.statSync(path.join(dataDir, ns, "resumed.img")).size).toBe(imageBytes);
  }, 60_000);

  it("deletes the DataVolume and its file with the VMDisk", async () => {
    await kube.request(admin, "DELETE", `${base}/vmdisks/web-os`);
    await eventually("DataVolume gone", async () => (await getJson(`${cdi}/datavolumes/vm-disk-web-os`)) === null);
    await eventually("file gone", async () => !fs.existsSync(path.join(dataDir, ns, "web-os.img")));
  });
});
