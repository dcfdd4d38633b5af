/**
 * Browser uploads into a VMDisk with `source.upload`, through the portal: the browser sends the
 * file's bytes to the portal (same origin, session cookie); the portal gets a short-lived upload
 * token with the user's identity and streams the bytes to CDI's upload proxy. The browser never
 * holds a token or any cluster credential.
 *
 * CDI's flow (kubevirt/containerized-data-importer doc/upload.md, pkg/apis/upload/v1beta1):
 * 1. the DataVolume `vm-disk-D` reaches phase `UploadReady`;
 * 2. `POST /apis/upload.cdi.kubevirt.io/v1beta1/namespaces/{ns}/uploadtokenrequests` with
 *    `spec.pvcName: vm-disk-D` → `status.token` (valid 5 minutes; cdi-apiserver checks the caller's
 *    `create` right on `uploadtokenrequests` — sent with the user's identity here);
 * 3. `POST {uploadProxyURL}/v1beta1/upload` with `Authorization: Bearer <token>` and the raw image
 *    as the body → 200 when written; 503 with a reason when the volume is not ready for upload.
 *
 * The upload proxy's URL is CDI's `CDIConfig.status.uploadProxyURL`; the portal reads it from
 * `HIKUBE_CDI_UPLOADPROXY_URL` when set, else from ConfigMap `cdi/cdi-uploadproxy` key `url` (the
 * portal's own identity may read that one ConfigMap). Its TLS certificate is checked against the
 * system roots plus the cluster's CA (the local cluster's proxy has a certificate from that CA).
 */
import https from "node:https";
import tls from "node:tls";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { kinds, resourcePath, apiVersionOf } from "../k8s/kinds";
import { kubeRequest } from "../k8s/client";
import { getConnection } from "../k8s/connection";
import { portalIdentity } from "../k8s/identity";
import type { ConfigMap, DataVolume } from "../k8s/objects";
import { AppError, invalidField } from "../errors";
import { dataVolumeName, getDiskOrThrow } from "./disks";
import type { TenantAccess } from "../tenancy/tenancy";
import { logger } from "../logger";
import { sourceTypeOf } from "../../shared/disk";
import { parseQuantity } from "../../shared/quantity";

/** How long an upload waits for a new disk's DataVolume to become UploadReady. */
const uploadReadyWaitMs = 20_000;

let proxyAgent: Promise<https.Agent> | null = null;

/** A keep-alive agent trusting the system roots and the cluster's CA. */
function getProxyAgent(): Promise<https.Agent> {
  if (!proxyAgent) {
    proxyAgent = getConnection().then((conn) => {
      const clusterCa = conn.agent.options.ca;
      const extra = clusterCa === undefined ? [] : Array.isArray(clusterCa) ? clusterCa : [clusterCa];
      return new https.Agent({ ca: [...tls.rootCertificates, ...extra.map((c) => c.toString())], keepAlive: true });
    }).catch((err) => {
      proxyAgent = null;
      throw err;
    });
  }
  return proxyAgent;
}

/**
 * The upload proxy's base URL (no trailing slash).
 * @throws AppError cluster_unavailable when the cluster does not say where it is
 */
export async function getUploadProxyUrl(): Promise<string> {
  const fromEnv = process.env.HIKUBE_CDI_UPLOADPROXY_URL;
  if (fromEnv) return fromEnv.replace(/\/$/, "");
  try {
    const cm = await kubeRequest<ConfigMap>(portalIdentity, { path: resourcePath(kinds.ConfigMap, { namespace: "cdi", name: "cdi-uploadproxy" }) });
    const url = cm.data?.url;
    if (url) return url.replace(/\/$/, "");
  } catch (err) {
    if (!(err instanceof AppError && (err.code === "not_found" || err.code === "forbidden"))) throw err;
  }
  throw new AppError("cluster_unavailable", "upload_proxy_unknown");
}

/**
 * Waits until DataVolume `vm-disk-<name>` is UploadReady.
 * @throws AppError conflict when it is already filled or not an upload target
 */
async function waitUploadReady(access: TenantAccess, name: string): Promise<void> {
  const deadline = Date.now() + uploadReadyWaitMs;
  let phase = "none";
  while (Date.now() < deadline) {
    try {
      const dv = await kubeRequest<DataVolume>(portalIdentity, { path: resourcePath(kinds.DataVolume, { namespace: access.tenant.namespace, name: dataVolumeName(name) }) });
      phase = dv.status?.phase ?? "none";
    } catch (err) {
      if (!(err instanceof AppError && err.code === "not_found")) throw err;
    }
    if (phase === "UploadReady") return;
    if (phase === "Succeeded") throw new AppError("conflict", "upload_done", { disk: name });
    // UploadScheduled / ImportInProgress: an upload is running, or a cut one is being put back
    // to UploadReady (a retry right after a cancel); wait for it within the deadline.
    if (phase === "Failed") break;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new AppError("conflict", "upload_not_ready", { disk: name, phase: String(phase) });
}

/**
 * Gets an upload token for disk `name` with the user's identity.
 * @throws AppError forbidden (the cluster refused the user), conflict, cluster_unavailable
 */
async function getUploadToken(access: TenantAccess, name: string): Promise<string> {
  const namespace = access.tenant.namespace;
  const answer = await kubeRequest<{ status?: { token?: string } }>(access.identity, {
    method: "POST",
    path: resourcePath(kinds.UploadTokenRequest, { namespace }),
    body: { apiVersion: apiVersionOf(kinds.UploadTokenRequest), kind: "UploadTokenRequest", metadata: { name: dataVolumeName(name), namespace }, spec: { pvcName: dataVolumeName(name) } },
  });
  const token = answer.status?.token;
  if (!token) throw new AppError("cluster_unavailable", "upload_no_token");
  return token;
}

/**
 * Streams the request's body into disk `name` (a VMDisk with `source.upload`) through CDI's upload
 * proxy. Resolves once the proxy answered 200 (the data is written).
 * @param body the browser's raw file bytes; `contentLength` its length when known (CDI's progress
 *   needs it)
 * @param signal aborted when the browser goes away (cancel): the upstream request is cut, and CDI
 *   puts the volume back to UploadReady
 * @returns the byte count sent
 * @throws AppError not_found, conflict (not an upload disk, not ready, already filled, refused by
 *   the proxy with its reason), forbidden, invalid (a file larger than the disk, on `body`;
 *   cancelled), cluster_unavailable
 */
export async function uploadDisk(access: TenantAccess, name: string, body: ReadableStream<Uint8Array> | null, contentLength: number | null, signal: AbortSignal): Promise<{ bytes: number }> {
  const disk = await getDiskOrThrow(access, name);
  const type = sourceTypeOf(disk.spec.source);
  if (type !== "upload") throw new AppError("conflict", "upload_wrong_source", { disk: name, source: String(type) });
  if (!body) throw invalidField("body", "bodyRequired");
  const diskBytes = parseQuantity(String(disk.spec.storage ?? "5Gi"));
  if (contentLength !== null && contentLength > diskBytes) {
    throw invalidField("body", "bodyTooLarge", { size: { bytes: contentLength }, disk: { bytes: diskBytes } });
  }
  await waitUploadReady(access, name);
  const [token, base, agent] = await Promise.all([getUploadToken(access, name), getUploadProxyUrl(), getProxyAgent()]);

  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const log = logger.child({ area: "disk-upload", tenant: access.tenant.name, disk: name });
  const started = Date.now();
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream" };
    if (contentLength !== null) headers["Content-Length"] = String(contentLength);
    const upstream = https.request(`${base}/v1beta1/upload`, { method: "POST", agent, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c.slice(0, 2000)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: text.trim() }));
      res.on("error", reject);
    });
    upstream.on("error", reject);
    const source = Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
    const abort = () => upstream.destroy(new Error("cancelled"));
    signal.addEventListener("abort", abort, { once: true });
    pipeline(source, counter, upstream).catch((err) => {
      upstream.destroy(err as Error);
      reject(err);
    });
  });
  let result: { status: number; text: string };
  try {
    result = await answer;
  } catch (err) {
    log.info({ bytes, err: (err as Error).message }, "upload cut short");
    if (signal.aborted) throw new AppError("invalid", "upload_cancelled", { bytes }, { field: "body" });
    throw new AppError("cluster_unavailable", "upload_broke", { bytes, detail: (err as Error).message });
  }
  const seconds = (Date.now() - started) / 1000;
  log.info({ bytes, seconds, status: result.status, mibPerSecond: +(bytes / 2 ** 20 / Math.max(seconds, 0.001)).toFixed(1) }, "upload answered");
  if (result.status >= 200 && result.status < 300) return { bytes };
  const reason = result.text || `HTTP ${result.status}`;
  if (result.status === 401 || result.status === 403) throw new AppError("forbidden", "upload_token_refused", { detail: reason });
  if (result.status === 400 || result.status === 409 || result.status === 503) throw new AppError("conflict", "upload_refused", { detail: reason });
  throw new AppError("cluster_unavailable", "upload_failed", { status: result.status, detail: reason });
}
