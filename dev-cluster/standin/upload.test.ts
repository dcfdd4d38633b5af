/**
 * The stand-in's CDI upload side against a real kube-apiserver (its own local cluster): an
 * UploadTokenRequest through the aggregation layer as the portal makes it (portal certificate,
 * impersonated user), then an upload of real bytes to the upload proxy with that token. The disk
 * controller, virt-api server (serving upload.cdi.kubevirt.io) and upload proxy run in-process.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminClient } from "../kube";
import type { DiskController } from "./datavolumes";
import { eventually, portalAccess, adminGetJson } from "./test-support";
import type { UploadProxy, UploadTokens } from "./upload";
import type { VirtApi } from "./virt-api";

const dir = path.resolve(".local", `standin-upload-${process.pid}`);
process.env.HIKUBE_CLUSTER_DIR = dir; // read by dev-cluster/paths.ts when it is first imported
// This file runs its own pieces: the real stand-in stays off.
process.env.HIKUBE_STANDIN = "off";

const ns = "tenant-acme";
const alice = { "Impersonate-User": "alice", "Impersonate-Group": ["tenant-acme-admin"] };
const victor = { "Impersonate-User": "victor", "Impersonate-Group": ["tenant-acme-view"] };
const base = `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}`;
const cdi = `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}`;
const utrPath = `/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/${ns}/uploadtokenrequests`;
const dataDir = path.join(dir, "disks");
const imageBytes = 20 * 1024 * 1024;

let admin: AdminClient;
let kube: typeof import("../kube");
let cluster: typeof import("../cluster");
let disks: DiskController;
let virtApi: VirtApi;
let proxy: UploadProxy;
let tokens: UploadTokens;
const access = portalAccess(dir);

const getJson = (p: string) => adminGetJson(admin, p);

async function uploadDisk(name: string) {
  const res = await kube.request(admin, "POST", `${base}/vmdisks`, JSON.stringify({
    apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name }, spec: { storage: "1Gi", source: { upload: {} } },
  }));
  expect(res.status, res.body).toBe(201);
  await eventually(`vm-disk-${name} UploadReady`, async () => (await getJson(`${cdi}/datavolumes/vm-disk-${name}`))?.status?.phase === "UploadReady");
}

const tokenRequest = (pvcName: string) => ({ apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", metadata: { name: "upload" }, spec: { pvcName } });

/** A POST to the upload proxy; `body` is a stream (sent chunked unless `length` is given). */
function post(urlPath: string, headers: Record<string, string>, body: Readable | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${proxy.url}${urlPath}`, { method: "POST", ca: access.pki("ca.crt"), headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** `total` bytes of a deterministic pattern in 1 MiB chunks, and their sha256. */
function generated(total: number): { stream: () => Readable; sha256: string } {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + 3) % 256;
  const hash = crypto.createHash("sha256");
  for (let sent = 0; sent < total; sent += chunk.length) hash.update(chunk.subarray(0, Math.min(chunk.length, total - sent)));
  const stream = () => Readable.from((function* () {
    for (let sent = 0; sent < total; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - sent));
  })());
  return { stream, sha256: hash.digest("hex") };
}

beforeAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  cluster = await import("../cluster");
  kube = await import("../kube");
  const { files } = await import("../paths");
  const { startDiskController } = await import("./datavolumes");
  const { startVirtApi } = await import("./virt-api");
  const { apiServiceObjects, uploadApiServiceName } = await import("./register");
  const upload = await import("./upload");
  const info = await cluster.startCluster(() => {});
  admin = kube.adminClient(files.pki, Number(new URL(info.server).port));
  disks = await startDiskController({ admin, dataDir });
  tokens = new upload.UploadTokens();
  virtApi = await startVirtApi({
    pkiDir: files.pki, admin, extraApis: [upload.uploadTokenApi({ admin, tokens })],
    consoles: { isRunning: async () => false, open: async () => { throw new Error("no consoles here"); } },
  });
  proxy = await upload.startUploadProxy({ pkiDir: files.pki, admin, tokens, dataDir });
  for (const obj of apiServiceObjects(virtApi.port, access.pki("ca.crt").toString("utf8"))) await kube.apply(admin, obj);
  for (const obj of upload.uploadProxyObjects(proxy.url)) await kube.apply(admin, obj);
  await eventually(`${uploadApiServiceName} Available`, async () => {
    const svc = await getJson(`/apis/apiregistration.k8s.io/v1/apiservices/${uploadApiServiceName}`);
    return (svc?.status?.conditions ?? []).some((c: any) => c.type === "Available" && c.status === "True");
  }, 60_000);
}, 300_000);

afterAll(async () => {
  await disks?.stop();
  await proxy?.close();
  await virtApi?.close();
  admin?.agent.destroy();
  await cluster?.stopCluster({ purge: true, log: () => {} });
}, 60_000);

describe("CDI upload stand-in", () => {
  it("publishes the upload proxy's URL in ConfigMap cdi/cdi-uploadproxy", async () => {
    const cm = await getJson("/api/v1/namespaces/cdi/configmaps/cdi-uploadproxy");
    expect(cm.data.url).toBe(proxy.url);
    const health = await post("/healthz", {}, Buffer.alloc(0));
    expect(health).toEqual({ status: 200, text: "OK" });
  });

  it("serves upload.cdi.kubevirt.io/v1beta1 discovery through kube-apiserver", async () => {
    const list = await access.call(alice, "GET", "/apis/upload.cdi.kubevirt.io/v1beta1");
    expect(list.status).toBe(200);
    expect(list.body.resources).toEqual([expect.objectContaining({ name: "uploadtokenrequests", kind: "UploadTokenRequest", verbs: ["create"] })]);
  });

  it("gives alice a token and takes a 20 MB upload into the disk file, with CDI's phases", async () => {
    await uploadDisk("up1");
    const utr = await access.call(alice, "POST", utrPath, tokenRequest("vm-disk-up1"));
    expect(utr.status, JSON.stringify(utr.body)).toBe(200);
    expect(utr.body).toMatchObject({ apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", spec: { pvcName: "vm-disk-up1" } });
    const token: string = utr.body.status.token;
    expect(token).toMatch(/^\S+\.\S+$/);

    const phases: string[] = [];
    const progress = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const st = (await getJson(`${cdi}/datavolumes/vm-disk-up1`))?.status ?? {};
        if (st.phase && phases.at(-1) !== st.phase) phases.push(st.phase);
        if (st.phase === "ImportInProgress" && st.progress) progress.add(st.progress);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const image = generated(imageBytes);
    // Paced so that the upload lasts long enough to be seen in progress.
    const paced = Readable.from((async function* () {
      for await (const chunk of image.stream()) {
        yield chunk;
        await new Promise((r) => setTimeout(r, 60));
      }
    })());
    const res = await post("/v1beta1/upload", {
      Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": String(imageBytes),
    }, paced);
    watching = false;
    await watcher;
    expect(res.status, res.text).toBe(200);

    const dv = await getJson(`${cdi}/datavolumes/vm-disk-up1`);
    expect(dv.status).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
    if (phases.at(-1) !== "Succeeded") phases.push(dv.status.phase);
    expect(phases[0]).toBe("UploadReady");
    expect(phases).toContain("ImportInProgress");
    // Content-Length was given: progress between 0 and 100 % was reported on the way.
    expect([...progress].some((p) => /^\d+\.\d\d%$/.test(p) && p !== "0.00%" && p !== "100.00%"), [...progress].join(" ")).toBe(true);
    expect(phases.at(-1)).toBe("Succeeded");
    const file = path.join(dataDir, ns, "up1.img");
    expect(fs.statSync(file).size).toBe(imageBytes);
    const onDisk = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    expect(onDisk).toBe(image.sha256);

    // Done: the same token is refused now (CDI's uploadReady: already finished uploading).
    const again = await post("/v1beta1/upload-async", { Authorization: `Bearer ${token}` }, Buffer.from("more"));
    expect(again.status).toBe(503);
    expect(again.text).toContain("already finished uploading");
  }, 60_000);

  it("takes a multipart/form-data upload on /v1beta1/upload-form (the image in part `file`, other parts skipped); 400 without a `file` part", async () => {
    await uploadDisk("form1");
    const token: string = (await access.call(alice, "POST", utrPath, tokenRequest("vm-disk-form1"))).body.status.token;
    const boundary = "----hikube-form-boundary-7MA4YWxkTrZu0gW";
    const part = (headers: string, body: Buffer) => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), body, Buffer.from("\r\n")]);
    const formOf = (...parts: Buffer[]) => Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]);
    const headers = (body: Buffer) => ({ Authorization: `Bearer ${token}`, "Content-Type": `multipart/form-data; boundary=${boundary}`, "Content-Length": String(body.length) });

    const noFile = formOf(part('Content-Disposition: form-data; name="note"', Buffer.from("no image here")));
    const refused = await post("/v1beta1/upload-form", headers(noFile), noFile);
    expect(refused).toEqual({ status: 400, text: "no form part named file" });
    expect((await getJson(`${cdi}/datavolumes/vm-disk-form1`)).status.phase).toBe("UploadReady");

    const image = generated(3 * 1024 * 1024 + 17);
    const bytes = Buffer.concat(await image.stream().toArray());
    const body = formOf(
      part('Content-Disposition: form-data; name="note"', Buffer.from("skipped")),
      part('Content-Disposition: form-data; name="other"; filename="other.bin"\r\nContent-Type: application/octet-stream', Buffer.alloc(1000, 9)),
      part('Content-Disposition: form-data; name="file"; filename="disk.img"\r\nContent-Type: application/octet-stream', bytes),
    );
    const res = await post("/v1beta1/upload-form", headers(body), body);
    expect(res.status, res.text).toBe(200);
    const dv = await getJson(`${cdi}/datavolumes/vm-disk-form1`);
    expect(dv.status).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
    const file = path.join(dataDir, ns, "form1.img");
    expect(crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")).toBe(image.sha256);
  });

  it("answers 400 without a bearer token and 401 for a forged or foreign token", async () => {
    await uploadDisk("up2");
    const good: string = (await access.call(alice, "POST", utrPath, tokenRequest("vm-disk-up2"))).body.status.token;
    expect((await post("/v1beta1/upload", {}, Buffer.from("x"))).status).toBe(400);
    expect((await post("/v1beta1/upload", { Authorization: "Basic abc" }, Buffer.from("x"))).status).toBe(400);
    const [payload, mac] = good.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), name: "vm-disk-up1" })).toString("base64url");
    for (const bad of ["nonsense", `${forgedPayload}.${mac}`, `${payload}.${mac.slice(0, -2)}AA`, new (await import("./upload")).UploadTokens().issue(ns, "vm-disk-up2")]) {
      expect((await post("/v1beta1/upload", { Authorization: `Bearer ${bad}` }, Buffer.from("x"))).status, bad).toBe(401);
    }
    expect((await getJson(`${cdi}/datavolumes/vm-disk-up2`)).status.phase).toBe("UploadReady");
    expect(fs.existsSync(path.join(dataDir, ns, "up2.img"))).toBe(false);
  });

  it("refuses an expired token (401)", async () => {
    const { tokenLifetimeMs } = await import("./upload");
    const expired = tokens.issue(ns, "vm-disk-up2", Date.now() - tokenLifetimeMs - 1000);
    expect((await post("/v1beta1/upload", { Authorization: `Bearer ${expired}` }, Buffer.from("x"))).status).toBe(401);
    expect(tokens.verify(tokens.issue(ns, "vm-disk-up2"))).toEqual({ namespace: ns, pvcName: "vm-disk-up2" });
  });

  it("refuses the token request to victor (view: 403 from kube-apiserver) and for a disk that is not UploadReady", async () => {
    const denied = await access.call(victor, "POST", utrPath, tokenRequest("vm-disk-up2"));
    expect(denied.status).toBe(403);
    expect(denied.body.reason).toBe("Forbidden");
    const missing = await access.call(alice, "POST", utrPath, tokenRequest("vm-disk-nope"));
    expect(missing.status).toBe(404);
    const done = await access.call(alice, "POST", utrPath, tokenRequest("vm-disk-up1"));
    expect(done.status).toBe(400);
  });
});
