/**
 * A minimal admin client for the local cluster's set-up (dev and tests only): server-side apply
 * and readiness checks over HTTPS with the admin client certificate. The portal's own cluster
 * access lives in lib/server/k8s/ and never uses these credentials.
 */
import fs from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import https from "node:https";
import path from "node:path";
import type { KubeObject } from "./manifests";

/** Admin connection to one API server. */
export interface AdminClient {
  server: string;
  agent: https.Agent;
}

/** An admin client using the certificates in `pkiDir` against `https://127.0.0.1:<port>`. */
export function adminClient(pkiDir: string, port: number): AdminClient {
  return {
    server: `https://127.0.0.1:${port}`,
    agent: new https.Agent({
      ca: fs.readFileSync(path.join(pkiDir, "ca.crt")),
      cert: fs.readFileSync(path.join(pkiDir, "admin.crt")),
      key: fs.readFileSync(path.join(pkiDir, "admin.key")),
      keepAlive: true,
    }),
  };
}

/**
 * One HTTPS request; resolves with the status, body text and response headers (e.g. `warning`,
 * which carries admission warnings), rejects on network errors only.
 */
export function request(client: AdminClient, method: string, urlPath: string, body?: string, contentType?: string):
  Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = https.request(client.server + urlPath, {
      method, agent: client.agent, timeout: 10_000,
      headers: body ? { "Content-Type": contentType ?? "application/json", "Content-Length": Buffer.byteLength(body) } : {},
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
    req.on("error", reject);
    req.end(body);
  });
}

const plurals: Record<string, string> = {
  CustomResourceDefinition: "customresourcedefinitions",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
  RoleBinding: "rolebindings",
  Namespace: "namespaces",
  ConfigMap: "configmaps",
  Service: "services",
  APIService: "apiservices",
  StorageClass: "storageclasses",
  DataVolume: "datavolumes",
  VirtualMachineClusterInstancetype: "virtualmachineclusterinstancetypes",
  VirtualMachineClusterPreference: "virtualmachineclusterpreferences",
  BackupClass: "backupclasses",
};

/** The REST path of an object, e.g. `/apis/rbac.authorization.k8s.io/v1/namespaces/x/rolebindings/y`. */
export function objectPath(obj: KubeObject): string {
  const plural = plurals[obj.kind];
  if (!plural) throw new Error(`no plural known for kind ${obj.kind}`);
  const base = obj.apiVersion.includes("/") ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : "";
  return `${base}${ns}/${plural}/${obj.metadata.name}`;
}

/** Server-side apply (field manager `hikube-dev-cluster`, forced); throws with the API's message. */
export async function apply(client: AdminClient, obj: KubeObject): Promise<void> {
  const res = await request(client, "PATCH", `${objectPath(obj)}?fieldManager=hikube-dev-cluster&force=true`,
    JSON.stringify(obj), "application/apply-patch+yaml");
  if (res.status >= 300) {
    throw new Error(`apply ${obj.kind}/${obj.metadata.name} failed (${res.status}): ${res.body.slice(0, 500)}`);
  }
}

/** Waits until every CRD named has the Established condition (throws after `timeoutMs`). */
export async function waitEstablished(client: AdminClient, names: string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const res = await request(client, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      const conditions = res.status === 200 ? (JSON.parse(res.body).status?.conditions ?? []) : [];
      if (conditions.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
