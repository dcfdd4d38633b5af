/**
 * The stand-in's disk side (dev and tests only, never product logic): Cozystack's vm-disk chart
 * and CDI's DataVolume controller, close enough for the portal's disk views.
 *
 * - VMDisk `D` → DataVolume `vm-disk-D` (cdi.kubevirt.io/v1beta1) in the same namespace, owned by
 *   the VMDisk, with the annotation `vm-disk.cozystack.io/optical` and a CDI-shaped spec:
 *   `source.http.url`, `source.pvc` (`cozy-public/vm-image-<name>` for an image,
 *   `<ns>/vm-disk-<other>` for a disk clone), `source.blank`, `source.upload`, and
 *   `storage.resources.requests.storage` / `storage.storageClassName`.
 * - Status as CDI writes it (`status.phase`, `status.progress`, `status.conditions` Bound, Ready,
 *   Running): an http source is really downloaded to `<dataDir>/<ns>/<D>.img`, ImportScheduled →
 *   ImportInProgress (progress "N/A", then "12.34%" from Content-Length at most every 500 ms) →
 *   Succeeded "100.0%", or Failed with CDI's importer message ("Unable to connect to http data
 *   source: expected status code 200, got 404. Status: 404 Not Found"); clones CloneScheduled →
 *   CloneInProgress (progress "N/A", then percentages) → Succeeded "100.0%", the source's file
 *   copied byte for byte (CDI's host-assisted clone; phases from kubevirt/containerized-data-importer
 *   doc/datavolumes.md "Status phases"); blank is Succeeded
 *   at once (a sparse file); upload stops at UploadReady, and the upload proxy (./upload.ts) takes
 *   it on from there.
 *   A failed download that may pass later (HTTP 5xx, a network error, a cut transfer) is retried as
 *   CDI's importer pod is restarted by its `restartPolicy: OnFailure`: `status.restartCount` counts
 *   the restarts (CDI copies the pod's container restartCount, kubevirt/containerized-data-importer
 *   PR #1155), the phase stays ImportInProgress (the pod's phase stays Running, CDI PR #1099), the
 *   Running condition turns False with reason `Error` and the importer's message while the pod
 *   waits, and the next attempt comes after kubelet's CrashLoopBackOff delay (10 s, doubling, at most
 *   5 min; `importBackoffMs` sets the first delay). A client error (HTTP 4xx, e.g. 404) ends in
 *   Failed at once; upstream CDI would retry it forever too, the stand-in stops so the portal's
 *   error view can be exercised.
 * - Golden images (DataVolumes `vm-image-<name>` in `cozy-public`, created by the cluster from
 *   ../manifests.ts) are not downloaded: when the controller starts, each gets a generated raw disk
 *   file `<dataDir>/cozy-public/vm-image-<name>.img` ({@link goldenImageBytes} bytes, the same bytes
 *   for the same name on every run, see {@link goldenImageContent}) and the status of a finished
 *   import (Succeeded, "100.0%"), as Cozystack's images have once imported.
 * - After a restart of the stand-in, imports and clones left in progress start again from the
 *   beginning (a new importer pod; `restartCount` is kept), and uploads left in progress go back to
 *   UploadReady with their partial file removed ({@link resetInterruptedUploads}).
 * - A new DataVolume whose file already exists (a restore wrote it first, ./backups.ts) adopts it:
 *   Succeeded at once, nothing imported (CDI's claim adoption, which Velero's restore turns on).
 * - Deleting the VMDisk deletes the DataVolume and its file (there is no garbage collector).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { request, type AdminClient } from "../kube";
import { inform, type InformedObject } from "./informer";
import { workQueue } from "./work-queue";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Obj = InformedObject & { spec?: Record<string, Json>; status?: Record<string, Json> };

/** A running disk controller. */
export interface DiskController {
  stop(): Promise<void>;
}

export const opticalAnnotation = "vm-disk.cozystack.io/optical";
const imagesNamespace = "cozy-public";
const progressEveryMs = 500;

const vmDiskPath = (ns: string, n: string) => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vmdisks/${n}`;
const dvPath = (ns: string, n: string) => `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/${n}`;

/** The DataVolume's `spec.source` for a VMDisk's `spec.source` (the vm-disk chart's mapping). */
export function dataVolumeSource(ns: string, source: Record<string, Json> | undefined): Record<string, Json> {
  if (source?.http?.url) return { http: { url: source.http.url } };
  if (source?.image?.name) return { pvc: { namespace: imagesNamespace, name: `vm-image-${source.image.name}` } };
  if (source?.disk?.name) return { pvc: { namespace: ns, name: `vm-disk-${source.disk.name}` } };
  if (source?.upload) return { upload: {} };
  return { blank: {} };
}

/** Bytes of a Kubernetes quantity such as `5Gi` or `500M` (0 when unreadable). */
export function quantityBytes(q: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]i?)?$/.exec(q ?? "");
  if (!m) return 0;
  const pow = { K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 }[(m[2] ?? "")[0] as "K"] ?? 0;
  return Math.floor(Number(m[1]) * (m[2]?.endsWith("i") ? 1024 : 1000) ** pow);
}

/** The import's progress as CDI writes it: "45.23%". */
export function progressText(done: number, total: number): string {
  return `${Math.min(100, (done / total) * 100).toFixed(2)}%`;
}

/** The file of DataVolume `dvName` (`vm-disk-D`) in namespace `ns`: `<dataDir>/<ns>/<D>.img`. */
export function diskFile(dataDir: string, ns: string, dvName: string): string {
  return path.join(dataDir, ns, `${dvName.replace(/^vm-disk-/, "")}.img`);
}

/** Size of every generated golden image file: 4 MiB. */
export const goldenImageBytes = 4 * 1024 * 1024;

/**
 * The generated content of golden image `dvName` (e.g. `vm-image-ubuntu`): a raw disk of
 * {@link goldenImageBytes} bytes whose first sector names the image and ends with the MBR boot
 * signature 0x55AA, followed by an AES-256-CTR keystream keyed by the name (deterministic,
 * incompressible, different per image). Not bootable: the guests boot the stand-in's own kernel.
 */
export function goldenImageContent(dvName: string): Buffer {
  const key = crypto.createHash("sha256").update(`hikube golden image ${dvName}`).digest();
  const cipher = crypto.createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const data = Buffer.concat([cipher.update(Buffer.alloc(goldenImageBytes)), cipher.final()]);
  const sector = Buffer.alloc(512);
  sector.write(`HIKUBE STAND-IN GOLDEN IMAGE ${dvName}\n(raw disk, generated; not bootable)\n`, "latin1");
  sector[510] = 0x55;
  sector[511] = 0xaa;
  sector.copy(data);
  return data;
}

/**
 * Gives every DataVolume of `cozy-public` its generated file (written when missing or of the
 * wrong size) and a Succeeded status. Resolves with the number of images.
 * @throws Error when the DataVolumes cannot be listed or a status cannot be written
 */
export async function ensureGoldenImages(admin: AdminClient, dataDir: string): Promise<number> {
  const list = await request(admin, "GET", `/apis/cdi.kubevirt.io/v1beta1/namespaces/${imagesNamespace}/datavolumes`);
  if (list.status !== 200) throw new Error(`list golden images: ${list.status} ${list.body.slice(0, 200)}`);
  const items = (JSON.parse(list.body).items ?? []) as Obj[];
  await fs.promises.mkdir(path.join(dataDir, imagesNamespace), { recursive: true });
  for (const dv of items) {
    const name = dv.metadata.name;
    const file = path.join(dataDir, imagesNamespace, `${name}.img`);
    const size = await fs.promises.stat(file).then((st) => st.size, () => -1);
    if (size !== goldenImageBytes) await fs.promises.writeFile(file, goldenImageContent(name));
    if (dv.status?.phase !== "Succeeded") {
      const res = await request(admin, "PATCH", `${dvPath(imagesNamespace, name)}/status`,
        JSON.stringify({ status: { ...succeeded(name, "Import Complete"), restartCount: 0 } }), "application/merge-patch+json");
      if (res.status >= 300) throw new Error(`status of ${imagesNamespace}/${name}: ${res.status} ${res.body.slice(0, 200)}`);
    }
  }
  return items.length;
}

/**
 * Puts every upload that was running when the stand-in stopped (an upload source in phase
 * UploadScheduled, UploadInProgress or ImportInProgress) back to UploadReady and removes its
 * partial file, as CDI's upload server pod starts again empty: the client uploads again with a new
 * token. Call it before the upload proxy (./upload.ts) of this process serves anything. Resolves
 * with the `namespace/name` of the DataVolumes reset.
 * @throws Error when the DataVolumes cannot be listed or a status cannot be written
 */
export async function resetInterruptedUploads(admin: AdminClient, dataDir: string): Promise<string[]> {
  const list = await request(admin, "GET", "/apis/cdi.kubevirt.io/v1beta1/datavolumes");
  if (list.status !== 200) throw new Error(`list DataVolumes: ${list.status} ${list.body.slice(0, 200)}`);
  const reset: string[] = [];
  for (const dv of (JSON.parse(list.body).items ?? []) as Obj[]) {
    const { name, namespace } = dv.metadata as { name: string; namespace: string };
    if (!dv.spec?.source?.upload || !["UploadScheduled", "UploadInProgress", "ImportInProgress"].includes(dv.status?.phase)) continue;
    await fs.promises.rm(diskFile(dataDir, namespace, name), { force: true });
    const res = await request(admin, "PATCH", `${dvPath(namespace, name)}/status`, JSON.stringify({ status: { phase: "UploadReady", progress: "N/A",
      conditions: conditions(name, { ready: false, running: true, reason: "Pod is running", message: "" }) } }), "application/merge-patch+json");
    if (res.status >= 300 && res.status !== 404) throw new Error(`status of ${namespace}/${name}: ${res.status} ${res.body.slice(0, 200)}`);
    reset.push(`${namespace}/${name}`);
  }
  return reset;
}

/** kubelet's CrashLoopBackOff: the delay before restart `n` (1-based), doubling from `firstMs`, at most 5 min. */
export function restartDelayMs(n: number, firstMs = 10_000): number {
  return Math.min(firstMs * 2 ** Math.max(0, n - 1), 300_000);
}

/** Options of {@link startDiskController}. */
export interface DiskControllerOptions {
  admin: AdminClient;
  /** where disk files live: `<dataDir>/<ns>/<D>.img`, golden images in `<dataDir>/cozy-public/` */
  dataDir: string;
  log?: (line: string) => void;
  /** first delay before a failed import is retried, in ms (default 10 000, kubelet's) */
  importBackoffMs?: number;
}

/** Starts the disk controller: informs about VMDisks in every namespace. */
export async function startDiskController(opts: DiskControllerOptions): Promise<DiskController> {
  const { admin, dataDir } = opts;
  const log = opts.log ?? (() => {});
  const abort = new AbortController();
  /** running imports/clones by `ns/D`, with the DataVolume uid they work for */
  const jobs = new Map<string, { uid: string; abort: AbortController; done: Promise<void> }>();

  const get = async (p: string): Promise<Obj | null> => {
    const res = await request(admin, "GET", p);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${res.body.slice(0, 200)}`);
    return JSON.parse(res.body);
  };
  const fileOf = (ns: string, dvName: string) => diskFile(dataDir, ns, dvName);
  const imageFileOf = (dvName: string) => path.join(dataDir, imagesNamespace, `${dvName}.img`);

  const images = await ensureGoldenImages(admin, dataDir);
  log(`golden images ready: ${images} in ${path.join(dataDir, imagesNamespace)}`);
  const reset = await resetInterruptedUploads(admin, dataDir);
  if (reset.length > 0) log(`uploads interrupted by a restart, back to UploadReady: ${reset.join(", ")}`);

  const queue = workQueue((key) => reconcile(key), { signal: abort.signal, log, label: "disk" });
  const enqueue = queue.enqueue;

  const stopJob = async (key: string) => {
    const job = jobs.get(key);
    if (!job) return;
    job.abort.abort();
    await job.done.catch(() => {});
    jobs.delete(key);
  };

  const reconcile = async (key: string) => {
    const [ns, name] = key.split("/");
    const dvName = `vm-disk-${name}`;
    const disk = await get(vmDiskPath(ns, name));
    if (!disk || disk.metadata.deletionTimestamp) {
      await stopJob(key);
      await request(admin, "DELETE", dvPath(ns, dvName));
      await fs.promises.rm(fileOf(ns, dvName), { force: true });
      return;
    }
    const spec = disk.spec ?? {};
    const dv = {
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: {
        name: dvName,
        namespace: ns,
        labels: { "apps.cozystack.io/application.kind": "VMDisk", "apps.cozystack.io/application.name": name },
        annotations: { [opticalAnnotation]: spec.optical ? "true" : "false" },
        ownerReferences: [{ apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", name, uid: disk.metadata.uid, controller: true }],
      },
      spec: {
        source: dataVolumeSource(ns, spec.source),
        storage: {
          resources: { requests: { storage: spec.storage ?? "5Gi" } },
          storageClassName: spec.storageClass ?? "replicated",
        },
      },
    };
    const res = await request(admin, "PATCH", `${dvPath(ns, dvName)}?fieldManager=hikube-standin&force=true`,
      JSON.stringify(dv), "application/apply-patch+yaml");
    if (res.status >= 300) throw new Error(`apply DataVolume ${ns}/${dvName}: ${res.status} ${res.body.slice(0, 300)}`);
    const current = JSON.parse(res.body) as Obj;
    const uid = current.metadata.uid!;
    const phase: string | undefined = current.status?.phase;
    const job = jobs.get(key);
    if (job && job.uid === uid) return;
    if (job) await stopJob(key);
    if (phase === "Succeeded" || phase === "Failed" || phase === "UploadReady") return;
    if (!phase && fs.existsSync(fileOf(ns, dvName))) {
      // A new DataVolume whose volume already holds data: a restore wrote it (./backups.ts).
      // Velero's restore marks restored PVCs `cdi.kubevirt.io/allowClaimAdoption` and CDI then
      // adopts the claim instead of importing (containerized-data-importer doc/datavolume-claim-adoption.md).
      const adopted = await request(admin, "PATCH", `${dvPath(ns, dvName)}/status`,
        JSON.stringify({ status: { ...succeeded(dvName, "Claim adopted"), restartCount: 0 } }), "application/merge-patch+json");
      if (adopted.status >= 300) throw new Error(`status of ${ns}/${dvName}: ${adopted.status} ${adopted.body.slice(0, 200)}`);
      return;
    }
    // An upload in progress belongs to the upload proxy (./upload.ts), which ends it.
    if (current.spec?.source?.upload && (phase === "UploadScheduled" || phase === "ImportInProgress")) return;
    // New, or interrupted (the stand-in restarted): (re)start the work from the beginning, as a new
    // importer pod would (uploads interrupted by a restart were reset at start, see resetInterruptedUploads).
    const jobAbort = new AbortController();
    const done = runJob(ns, dvName, current.spec?.source ?? {}, spec.storage, Number(current.status?.restartCount ?? 0), jobAbort.signal)
      .catch((err) => {
        if (!jobAbort.signal.aborted) log(`disk ${key}: ${err instanceof Error ? err.message : err}`);
      })
      .finally(() => {
        if (jobs.get(key)?.abort === jobAbort) jobs.delete(key);
      });
    jobs.set(key, { uid, abort: jobAbort, done });
  };

  /** One import, clone, blank or upload preparation; `restartCount` is the DataVolume's so far (kept across stand-in restarts). */
  const runJob = async (ns: string, dvName: string, source: Record<string, Json>, storage: string | undefined, restartCount: number, signal: AbortSignal) => {
    const setStatus = async (status: Record<string, Json>) => {
      if (signal.aborted) throw new Error("aborted");
      const res = await request(admin, "PATCH", `${dvPath(ns, dvName)}/status`, JSON.stringify({ status }), "application/merge-patch+json");
      if (res.status === 404) throw new Error("DataVolume deleted");
      if (res.status >= 300) throw new Error(`status of ${ns}/${dvName}: ${res.status} ${res.body.slice(0, 200)}`);
    };
    const file = fileOf(ns, dvName);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });

    if (source.upload) {
      await setStatus({ phase: "UploadReady", progress: "N/A", restartCount: 0,
        conditions: conditions(dvName, { ready: false, running: true, reason: "Pod is running", message: "" }) });
      return;
    }
    if (source.blank) {
      const fd = await fs.promises.open(file, "w");
      await fd.truncate(quantityBytes(storage)).finally(() => fd.close());
      await setStatus(succeeded(dvName, "Import Complete"));
      return;
    }
    if (source.pvc) {
      await setStatus({ phase: "CloneScheduled", progress: "N/A", restartCount: 0,
        conditions: conditions(dvName, { ready: false, running: false, reason: "CloneScheduled", message: "Cloning from source PVC scheduled" }) });
      const { namespace: srcNs, name: srcName } = source.pvc as { namespace: string; name: string };
      let srcFile: string;
      for (;;) {
        const src = await get(dvPath(srcNs, srcName));
        if (!src) {
          await setStatus({ phase: "Failed", conditions: conditions(dvName, { ready: false, running: false, reason: "CloneSourceNotFound",
            message: `Clone source ${srcNs}/${srcName} not found` }) });
          return;
        }
        srcFile = srcNs === imagesNamespace ? imageFileOf(srcName) : fileOf(srcNs, srcName);
        const srcPhase = src.status?.phase;
        // CDI waits for the source to be populated; a source without status is taken as is.
        if (!srcPhase || srcPhase === "Succeeded") break;
        if (srcPhase === "Failed") {
          await setStatus({ phase: "Failed", conditions: conditions(dvName, { ready: false, running: false, reason: "CloneSourceFailed",
            message: `Clone source ${srcNs}/${srcName} failed to import` }) });
          return;
        }
        await sleep(1000, signal);
      }
      await setStatus({ phase: "CloneInProgress", progress: "N/A",
        conditions: conditions(dvName, { ready: false, running: true, reason: "Pod is running", message: "" }) });
      const progress = progressWriter(setStatus);
      if (fs.existsSync(srcFile)) {
        const total = (await fs.promises.stat(srcFile)).size;
        await pipeline(fs.createReadStream(srcFile), byteCounter((done) => progress(done, total)), fs.createWriteStream(file), { signal });
      } else {
        // A source without data (nothing was ever written to it): an empty volume of the requested size.
        const fd = await fs.promises.open(file, "w");
        await fd.truncate(quantityBytes(storage)).finally(() => fd.close());
      }
      await progress.flush();
      await setStatus(succeeded(dvName, "Clone Complete"));
      return;
    }
    if (source.http?.url) {
      await setStatus({ phase: "ImportScheduled", progress: "N/A", restartCount,
        conditions: conditions(dvName, { ready: false, running: false, reason: "ImportScheduled", message: "Import into vm-disk scheduled" }) });
      await setStatus({ phase: "ImportInProgress", progress: "N/A",
        conditions: conditions(dvName, { ready: false, running: true, reason: "Pod is running", message: "" }) });
      for (let restarts = restartCount; ; ) {
        const progress = progressWriter(setStatus);
        try {
          await download(String(source.http.url), file, signal, progress);
          await progress.flush();
          break;
        } catch (err) {
          if (signal.aborted) throw err;
          await progress.flush();
          await fs.promises.rm(file, { force: true });
          const message = `Unable to connect to http data source: ${(err as Error).message}`;
          const status = (err as { httpStatus?: number }).httpStatus;
          if (status !== undefined && status >= 400 && status < 500) {
            await setStatus({ phase: "Failed", conditions: conditions(dvName, { ready: false, running: false, reason: "Error", message }) });
            return;
          }
          // The importer pod's container exits non-zero and kubelet restarts it after a backoff.
          restarts++;
          const delay = restartDelayMs(restarts, opts.importBackoffMs);
          log(`disk ${ns}/${dvName}: import failed (${message}); restart ${restarts} in ${delay} ms`);
          await setStatus({ phase: "ImportInProgress", progress: "N/A", restartCount: restarts,
            conditions: conditions(dvName, { ready: false, running: false, reason: "Error", message }) });
          await sleep(delay, signal);
          await setStatus({ conditions: conditions(dvName, { ready: false, running: true, reason: "Pod is running", message: "" }) });
        }
      }
      await setStatus(succeeded(dvName, "Import Complete"));
    }
  };

  await inform<Obj>(admin, "/apis/apps.cozystack.io/v1alpha1/vmdisks", {
    upsert: (key) => enqueue(key),
    remove: (key) => enqueue(key),
  }, abort.signal);
  log("disk controller watching VMDisks");

  return {
    async stop() {
      abort.abort();
      for (const job of jobs.values()) job.abort.abort();
      await Promise.allSettled([...queue.inFlight(), ...[...jobs.values()].map((j) => j.done)]);
    },
  };
}

/** CDI's three conditions (Bound, Ready, Running). */
export function conditions(dvName: string, c: { ready: boolean; running: boolean; reason: string; message: string }) {
  const now = new Date().toISOString();
  return [
    { type: "Bound", status: "True", reason: "Bound", message: `PVC ${dvName} Bound`, lastHeartbeatTime: now, lastTransitionTime: now },
    { type: "Ready", status: c.ready ? "True" : "False", reason: c.ready ? "" : c.reason, message: "", lastHeartbeatTime: now, lastTransitionTime: now },
    { type: "Running", status: c.running ? "True" : "False", reason: c.reason, message: c.message, lastHeartbeatTime: now, lastTransitionTime: now },
  ];
}

/**
 * Writes `status.progress` for (done, total) byte counts, in order and only when the text changes
 * (nothing when the total is unknown); `flush()` waits for the writes so far.
 */
function progressWriter(setStatus: (status: Record<string, Json>) => Promise<void>) {
  let last = "N/A";
  let pending = Promise.resolve();
  const write = (done: number, total: number) => {
    if (!total) return;
    const text = progressText(done, total);
    if (text === last) return;
    last = text;
    pending = pending.then(() => setStatus({ progress: text })).catch(() => {});
  };
  return Object.assign(write, { flush: () => pending });
}

/** A pass-through stream counting bytes (`bytes()`); calls `onProgress(done)` at most every 500 ms. */
function byteCounter(onProgress: (done: number) => void): Transform & { bytes(): number } {
  let done = 0;
  let last = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      const now = Date.now();
      if (now - last >= progressEveryMs) {
        last = now;
        onProgress(done);
      }
      cb(null, chunk);
    },
  });
  return Object.assign(counter, { bytes: () => done });
}

/** The status of a DataVolume whose data is complete. */
export function succeeded(dvName: string, message: string) {
  return { phase: "Succeeded", progress: "100.0%", conditions: conditions(dvName, { ready: true, running: false, reason: "Completed", message }) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new Error("aborted"));
    }, { once: true });
  });
}

/**
 * Downloads `url` (http or https, following up to 5 redirects) into `file`, calling `onProgress`
 * at most every 500 ms. Rejects with CDI's wording on a non-200 answer (the Error's `httpStatus`
 * is the status), or with the network error.
 */
function download(url: string, file: string, signal: AbortSignal, onProgress: (done: number, total: number) => void, redirects = 5): Promise<void> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? https.get : http.get;
    const req = get(url, { signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        download(new URL(res.headers.location, url).toString(), file, signal, onProgress, redirects - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(Object.assign(new Error(`expected status code 200, got ${status}. Status: ${status} ${res.statusMessage ?? http.STATUS_CODES[status] ?? ""}`), { httpStatus: status }));
        return;
      }
      const total = Number(res.headers["content-length"] ?? 0);
      const counter = byteCounter((n) => onProgress(n, total));
      pipeline(res, counter, fs.createWriteStream(file), { signal })
        .then(() => {
          if (total && counter.bytes() < total) throw new Error(`unexpected EOF: got ${counter.bytes()} of ${total} bytes`);
          resolve();
        })
        .catch(reject);
    });
    req.on("error", reject);
  });
}
