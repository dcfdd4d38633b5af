/**
 * The stand-in's CDI upload side (dev and tests only, never product logic): cdi-apiserver's
 * UploadTokenRequests and cdi-uploadproxy, after kubevirt/containerized-data-importer
 * pkg/apiserver/apiserver.go, pkg/uploadproxy/uploadproxy.go and pkg/apis/upload/v1beta1/types.go.
 *
 * UploadTokenRequests (`upload.cdi.kubevirt.io/v1beta1`, create-only, aggregated): served by the
 * virt-api stand-in's HTTPS server (./virt-api.ts `extraApis`) behind the APIService
 * `v1beta1.upload.cdi.kubevirt.io` (./register.ts). kube-apiserver's RBAC decides first (tenant
 * `admin` may `create` `uploadtokenrequests`; `view` gets 403 there); then, as cdi-apiserver does,
 * a SubjectAccessReview for the caller (401 text when denied).
 * `POST /apis/upload.cdi.kubevirt.io/v1beta1/namespaces/{ns}/uploadtokenrequests` with
 * `{"apiVersion":"upload.cdi.kubevirt.io/v1beta1","kind":"UploadTokenRequest","spec":{"pvcName":"vm-disk-D"}}`
 * answers 200 with the object and `status.token`. The PVC is the DataVolume of the same name: none
 * → 404 Status; not in phase UploadReady → 400 Status (a stand-in rule: cdi-apiserver only checks
 * that the PVC exists). The token is `<base64url JSON payload>.<base64url HMAC-SHA256>` with a
 * per-process secret, naming operation, namespace, PVC and a 5-minute expiry (CDI: a JWT signed by
 * cdi-apiserver, also 5 minutes); tokens die with the stand-in process.
 *
 * Upload proxy: its own HTTPS port on 127.0.0.1 (certificate `upload-proxy` of ../pki.ts, cluster
 * CA, SAN IP:127.0.0.1 and DNS:localhost). Its URL is in ConfigMap `cdi/cdi-uploadproxy`, data
 * `url` (in CDI: `CDIConfig.status.uploadProxyURL`). Answers, as cdi-uploadproxy gives them:
 * - `GET /healthz` → 200 `OK`.
 * - `POST /v1beta1/upload` and `/v1beta1/upload-async`, `Authorization: Bearer <token>`, body the
 *   raw image bytes (streamed to `<dataDir>/<ns>/<D>.img`, never buffered): no Authorization
 *   header or not `Bearer …` → 400; a bad, forged or expired token → 401; DataVolume missing or
 *   not UploadReady (another upload running, already Succeeded) → 503 with the reason as text
 *   (cdi-uploadproxy's uploadReady error); done → 200, empty body, DataVolume Succeeded.
 *   Meanwhile the DataVolume is UploadScheduled, then ImportInProgress with `progress` ("12.34%",
 *   at most every 500 ms) when Content-Length is known, "N/A" otherwise. A body cut short (client
 *   gone, fewer bytes than Content-Length) removes the file and puts the DataVolume back to
 *   UploadReady. Both paths answer when the data is written (CDI's async path answers before
 *   conversion; there is none here).
 * - `POST /v1beta1/upload-form` and `/v1beta1/upload-form-async`: the same, with a
 *   `multipart/form-data` body whose part named `file` is the image (other parts are skipped), as
 *   CDI's upload server reads it (pkg/uploadserver/uploadserver.go `formReadCloser`; paths from
 *   pkg/common/common.go `UploadFormSync`/`UploadFormAsync`). Parsed as a stream by busboy.
 *   A body that is not multipart, or has no `file` part → 400 with the reason as text, the
 *   DataVolume back to UploadReady. Progress counts the request's bytes against its Content-Length.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import path from "node:path";
import { Transform, type Writable } from "node:stream";
import busboy from "busboy";
import { pipeline } from "node:stream/promises";
import { request, type AdminClient } from "../kube";
import { listenLoopback } from "../ports";
import type { KubeObject } from "../manifests";
import { conditions, diskFile, progressText, succeeded } from "./datavolumes";
import { reviewAccess, type Caller, type ExtraApi } from "./virt-api";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const group = "upload.cdi.kubevirt.io";
const version = "v1beta1";
/** How long a token is valid (CDI's cdi-apiserver: 5 minutes). */
export const tokenLifetimeMs = 5 * 60 * 1000;
const progressEveryMs = 500;

const dvPath = (ns: string, n: string) => `/apis/cdi.kubevirt.io/v1beta1/namespaces/${encodeURIComponent(ns)}/datavolumes/${encodeURIComponent(n)}`;

/** What a token names. */
export interface TokenData {
  namespace: string;
  pvcName: string;
}

/** Issues and checks upload tokens with a per-process HMAC secret. */
export class UploadTokens {
  private readonly secret = crypto.randomBytes(32);

  private sign(payload: string): string {
    return crypto.createHmac("sha256", this.secret).update(payload).digest("base64url");
  }

  /** A token for `pvcName` in `namespace`, valid for {@link tokenLifetimeMs} from `now`. */
  issue(namespace: string, pvcName: string, now = Date.now()): string {
    const payload = Buffer.from(JSON.stringify({ op: "Upload", resource: "persistentvolumeclaims", namespace, name: pvcName, exp: now + tokenLifetimeMs })).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /** What a valid, unexpired token names; null otherwise. */
  verify(token: string, now = Date.now()): TokenData | null {
    const [payload, mac, ...rest] = token.split(".");
    if (!payload || !mac || rest.length > 0) return null;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    try {
      const data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      if (data.op !== "Upload" || typeof data.namespace !== "string" || typeof data.name !== "string" || !data.namespace || !data.name) return null;
      if (typeof data.exp !== "number" || data.exp < now) return null;
      return { namespace: data.namespace, pvcName: data.name };
    } catch {
      return null;
    }
  }
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

async function getDataVolume(admin: AdminClient, ns: string, name: string): Promise<Json | null> {
  const res = await request(admin, "GET", dvPath(ns, name));
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`GET DataVolume ${ns}/${name}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body);
}

/** `upload.cdi.kubevirt.io/v1beta1` for the virt-api stand-in's server (its `extraApis`). */
export function uploadTokenApi(opts: { admin: AdminClient; tokens: UploadTokens; log?: (line: string) => void }): ExtraApi {
  const { admin, tokens } = opts;
  const log = opts.log ?? (() => {});
  const apiGroup = {
    kind: "APIGroup", apiVersion: "v1", name: group,
    versions: [{ groupVersion: `${group}/${version}`, version }],
    preferredVersion: { groupVersion: `${group}/${version}`, version },
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }],
  };
  const resourceList = {
    kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`,
    resources: [{ name: "uploadtokenrequests", singularName: "uploadtokenrequest", namespaced: true, group, version,
      kind: "UploadTokenRequest", verbs: ["create"], shortNames: ["utr", "utrs"] }],
  };
  const createPath = new RegExp(`^/apis/${group.replace(/\./g, "\\.")}/${version}/namespaces/([a-z0-9][a-z0-9-]*)/uploadtokenrequests$`);

  const handle = async (req: IncomingMessage, caller: Caller, pathname: string, body: string) => {
    const m = createPath.exec(pathname);
    if (!m) return { code: 404, body: "404 page not found" };
    if (req.method !== "POST") return { code: 405, body: "405: Method Not Allowed" };
    const namespace = m[1];
    const denied = await reviewAccess(admin, caller, { namespace, verb: "create", group, version, resource: "uploadtokenrequests" });
    if (denied !== null) return { code: 401, body: denied };
    let utr: Json;
    try {
      utr = JSON.parse(body);
    } catch (err) {
      return { code: 400, body: status(400, "BadRequest", (err as Error).message) };
    }
    const pvcName = utr?.spec?.pvcName;
    if (typeof pvcName !== "string" || !pvcName) return { code: 400, body: status(400, "BadRequest", "spec.pvcName is required") };
    const dv = await getDataVolume(admin, namespace, pvcName);
    if (!dv) return { code: 404, body: status(404, "NotFound", `persistentvolumeclaims "${pvcName}" not found`, { name: pvcName, kind: "persistentvolumeclaims" }) };
    if (dv.status?.phase !== "UploadReady") {
      return { code: 400, body: status(400, "BadRequest", `DataVolume ${namespace}/${pvcName} is not ready for upload (phase ${dv.status?.phase ?? "none"})`) };
    }
    log(`upload token issued for ${namespace}/${pvcName} to ${caller.user}`);
    return {
      code: 200,
      body: {
        apiVersion: `${group}/${version}`, kind: "UploadTokenRequest",
        metadata: { ...(utr.metadata ?? {}), namespace, creationTimestamp: null },
        spec: { pvcName },
        status: { token: tokens.issue(namespace, pvcName) },
      },
    };
  };
  return { group, version, apiGroup, resourceList, handle };
}

/** Options of {@link startUploadProxy}. */
export interface UploadProxyOptions {
  /** holds upload-proxy.crt/key (see ../pki.ts) */
  pkiDir: string;
  admin: AdminClient;
  tokens: UploadTokens;
  /** the disk controller's data folder (`<dataDir>/<ns>/<D>.img`) */
  dataDir: string;
  /** port on 127.0.0.1; 0 or absent picks a free one */
  port?: number;
  log?: (line: string) => void;
}

/** A running upload proxy. */
export interface UploadProxy {
  port: number;
  /** `https://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** The ConfigMap that tells the portal where the upload proxy is (CDI: CDIConfig status.uploadProxyURL). */
export function uploadProxyObjects(url: string): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "cdi" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cdi-uploadproxy", namespace: "cdi" }, data: { url } },
  ];
}

/** Upload paths: raw body, or multipart form with the image in part `file`. */
const rawPaths = new Set(["/v1beta1/upload", "/v1beta1/upload-async"]);
const formPaths = new Set(["/v1beta1/upload-form", "/v1beta1/upload-form-async"]);

/** A client error in the upload's body (answered 400). */
class BadUpload extends Error {}

/**
 * A multipart/form-data parser writing the part named `file` to `file`; `written` resolves once
 * that part is on disk and rejects with {@link BadUpload} when the form has no such part.
 * @throws BadUpload when the Content-Type is not multipart with a boundary
 */
function formSink(headers: IncomingMessage["headers"], file: string): { sink: Writable; written: Promise<void> } {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers });
  } catch (err) {
    throw new BadUpload(`not a multipart form: ${(err as Error).message}`);
  }
  let found = false;
  const written = new Promise<void>((resolve, reject) => {
    parser.on("file", (name, stream) => {
      if (name !== "file" || found) return void stream.resume();
      found = true;
      pipeline(stream, fs.createWriteStream(file)).then(resolve, reject);
    });
    parser.on("close", () => {
      if (!found) reject(new BadUpload("no form part named file"));
    });
    parser.on("error", reject);
  });
  written.catch(() => {}); // awaited by the caller; a rejection after another failure is not unhandled
  return { sink: parser, written };
}

/** Starts the upload proxy on 127.0.0.1. */
export async function startUploadProxy(opts: UploadProxyOptions): Promise<UploadProxy> {
  const { admin, tokens, dataDir } = opts;
  const log = opts.log ?? (() => {});
  const pki = (file: string) => {
    const p = path.join(opts.pkiDir, file);
    if (!fs.existsSync(p)) throw new Error(`${p} is missing: ensurePki() creates it`);
    return fs.readFileSync(p);
  };
  const server = https.createServer({ cert: pki("upload-proxy.crt"), key: pki("upload-proxy.key") });
  /** DataVolumes (`ns/name`) with an upload running in this process */
  const active = new Set<string>();

  const setStatus = async (ns: string, name: string, st: Record<string, unknown>) => {
    const res = await request(admin, "PATCH", `${dvPath(ns, name)}/status`, JSON.stringify({ status: st }), "application/merge-patch+json");
    if (res.status >= 300) throw new Error(`status of ${ns}/${name}: ${res.status} ${res.body.slice(0, 200)}`);
  };

  /** One upload; `form`: the body is multipart/form-data with the image in part `file`. */
  const upload = async (req: IncomingMessage, res: ServerResponse, data: TokenData, form: boolean) => {
    const { namespace: ns, pvcName: name } = data;
    const key = `${ns}/${name}`;
    const unavailable = (text: string) => {
      req.resume();
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end(text);
      log(`upload ${key} -> 503 ${text}`);
    };
    const dv = await getDataVolume(admin, ns, name);
    if (!dv) return unavailable(`rejecting Upload Request for PVC ${name} that doesn't exist`);
    if (dv.status?.phase === "Succeeded") return unavailable(`rejecting Upload Request for PVC ${name} that already finished uploading`);
    if (dv.status?.phase !== "UploadReady" || active.has(key)) return unavailable(`rejecting Upload Request for PVC ${name}: not ready for upload (phase ${dv.status?.phase ?? "none"})`);
    active.add(key);
    const file = diskFile(dataDir, ns, name);
    const total = Number(req.headers["content-length"] ?? 0);
    let done = 0;
    try {
      await setStatus(ns, name, { phase: "UploadScheduled", progress: "N/A",
        conditions: conditions(name, { ready: false, running: true, reason: "Pod is running", message: "" }) });
      await setStatus(ns, name, { phase: "ImportInProgress", progress: total ? progressText(0, total) : "N/A" });
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      let last = 0;
      let lastText = "";
      let pending = Promise.resolve();
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          done += chunk.length;
          const now = Date.now();
          if (total && now - last >= progressEveryMs) {
            last = now;
            const text = progressText(done, total);
            if (text !== lastText) {
              lastText = text;
              pending = pending.then(() => setStatus(ns, name, { progress: text })).catch(() => {});
            }
          }
          cb(null, chunk);
        },
      });
      try {
        if (form) {
          const { sink, written } = formSink(req.headers, file);
          await pipeline(req, counter, sink);
          await written;
        } else {
          await pipeline(req, counter, fs.createWriteStream(file));
        }
        if (req.readableAborted || (total && done < total)) throw new Error(`unexpected EOF: got ${done} of ${total} bytes`);
      } catch (err) {
        if (!req.complete) req.resume();
        await pending;
        await fs.promises.rm(file, { force: true });
        await setStatus(ns, name, { phase: "UploadReady", progress: "N/A",
          conditions: conditions(name, { ready: false, running: true, reason: "Pod is running", message: "" }) }).catch(() => {});
        const bad = err instanceof BadUpload;
        log(`upload ${key} ${bad ? "refused" : "cut short"} after ${done} bytes: ${(err as Error).message}`);
        if (!res.headersSent && !res.destroyed) res.writeHead(bad ? 400 : 500, { "Content-Type": "text/plain; charset=utf-8" }).end((err as Error).message);
        return;
      }
      await pending;
      await setStatus(ns, name, succeeded(name, "Upload Complete"));
    } finally {
      active.delete(key);
    }
    res.writeHead(200, { "Content-Length": 0 }).end();
    log(`upload ${key} -> 200 (${done} bytes)`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? "/", "https://cdi-uploadproxy.cdi.svc").pathname;
    if (pathname === "/healthz") return void res.writeHead(200, { "Content-Type": "text/plain" }).end("OK");
    if (!rawPaths.has(pathname) && !formPaths.has(pathname)) {
      req.resume();
      return void res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("404 page not found\n");
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer (\S+)$/.exec(header) : null;
    if (!match) {
      req.resume();
      log(`${req.method} ${pathname} -> 400 (no bearer token)`);
      return void res.writeHead(400).end();
    }
    const data = tokens.verify(match[1]);
    if (!data) {
      req.resume();
      log(`${req.method} ${pathname} -> 401 (bad or expired token)`);
      return void res.writeHead(401).end();
    }
    if (req.method !== "POST" && req.method !== "PUT") {
      req.resume();
      return void res.writeHead(405).end();
    }
    await upload(req, res, data, formPaths.has(pathname));
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: Error) => {
      log(`${req.method} ${req.url} -> 500 ${err.message}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end(err.message);
      else res.destroy();
    });
  });

  const port = await listenLoopback(server, opts.port ?? 0);
  const url = `https://127.0.0.1:${port}`;
  log(`upload proxy stand-in listening on ${url}`);
  return {
    port,
    url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
