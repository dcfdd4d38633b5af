/**
 * Helpers shared by the stand-in's tests: calls through kube-apiserver with the portal's
 * certificate and an impersonated identity (as the portal makes them), console/VNC WebSockets
 * the same way, and polling until a condition holds.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import WebSocket from "ws";
import { request, type AdminClient } from "../kube";

/** Impersonation headers, e.g. `{ "Impersonate-User": "alice", "Impersonate-Group": ["tenant-acme-admin"] }`. */
export type Identity = Record<string, string | string[]>;

/** An answer: status and parsed JSON (or the text). */
export interface Answer {
  status: number;
  body: any;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Access to one local cluster (its state folder) as the portal. */
export function portalAccess(clusterDir: string) {
  const pki = (file: string) => fs.readFileSync(path.join(clusterDir, "pki", file));
  const port = () => JSON.parse(fs.readFileSync(path.join(clusterDir, "state.json"), "utf8")).apiserverPort as number;
  const tls = () => ({ ca: pki("ca.crt"), cert: pki("portal.crt"), key: pki("portal.key") });

  /** A request to kube-apiserver with the portal's certificate and an impersonated identity. */
  function call(identity: Identity, method: string, urlPath: string, body?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(`https://127.0.0.1:${port()}${urlPath}`, {
        method, ...tls(), headers: { ...identity, ...(payload ? { "content-type": "application/json" } : {}) },
      }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: parse(text) }));
      });
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** A VMI's console or VNC WebSocket through kube-apiserver, or the HTTP answer that refused it. */
  function openStream(identity: Identity, namespace: string, vmi: string, kind: "console" | "vnc", query = ""): Promise<{ ws: WebSocket } | Answer> {
    return new Promise((resolve, reject) => {
      const url = `wss://127.0.0.1:${port()}/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances/${vmi}/${kind}${query}`;
      const ws = new WebSocket(url, ["plain.kubevirt.io"], { ...tls(), headers: identity });
      ws.once("open", () => resolve({ ws }));
      ws.once("unexpected-response", (req, res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: parse(text) });
          req.destroy();
        });
      });
      ws.on("error", (err) => reject(err));
    });
  }

  return { call, openStream, pki, port };
}

/** Polls `fn` every 100 ms until it returns something truthy; throws after `timeoutMs`. */
export async function eventually<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET as cluster admin: the parsed object, or null when the answer is not 200. */
export async function adminGetJson(admin: AdminClient, urlPath: string): Promise<any | null> {
  const res = await request(admin, "GET", urlPath);
  return res.status === 200 ? JSON.parse(res.body) : null;
}
