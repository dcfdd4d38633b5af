/**
 * The one place that loads the portal's cluster credentials.
 *
 * Order: in-cluster ServiceAccount (KUBERNETES_SERVICE_HOST set), then the file named by
 * KUBECONFIG, then the local development cluster's portal kubeconfig
 * (`$HIKUBE_CLUSTER_DIR/portal.kubeconfig`, default `.local/cluster/portal.kubeconfig`).
 *
 * These credentials are the portal's own identity. They are used (a) to impersonate the signed-in
 * user for every tenant call (see identity.ts) and (b) directly only for read-only status objects
 * (VirtualMachine, VirtualMachineInstance, DataVolume) after the gate has checked the user's level.
 * They never reach the browser.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

/** A ready-to-use connection: the API server's URL, a keep-alive TLS agent and auth headers. */
export interface KubeConnection {
  /** e.g. `https://127.0.0.1:16443` (no trailing slash) */
  server: string;
  agent: https.Agent;
  /** e.g. `{ Authorization: "Bearer …" }` for token credentials; empty for client certificates */
  authHeaders: Record<string, string>;
  /** where the credentials came from, for logs and error messages */
  source: string;
}

/** Path of the local development cluster's portal kubeconfig. */
export function localClusterKubeconfig(): string {
  const dir = process.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");
  return path.join(dir, "portal.kubeconfig");
}

/**
 * Loads the KubeConfig by the order above.
 * @throws Error when no credentials can be found
 */
export function loadKubeConfig(): { kc: KubeConfig; source: string } {
  const kc = new KubeConfig();
  if (process.env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    return { kc, source: "in-cluster service account" };
  }
  const file = process.env.KUBECONFIG || localClusterKubeconfig();
  if (!fs.existsSync(/*turbopackIgnore: true*/ file)) {
    throw new Error(`no cluster credentials: ${file} does not exist (run \`npm run cluster:up\` or set KUBECONFIG)`);
  }
  kc.loadFromFile(file);
  return { kc, source: file };
}

let cached: Promise<KubeConnection> | null = null;

async function connect(): Promise<KubeConnection> {
  const { kc, source } = loadKubeConfig();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`no current cluster in ${source}`);
  const opts: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const headers = (opts.headers ?? {}) as Record<string, string>;
  const agent = new https.Agent({
    ca: opts.ca,
    cert: opts.cert,
    key: opts.key,
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
    keepAlive: true,
    maxSockets: 64,
  });
  const authHeaders: Record<string, string> = {};
  if (headers.Authorization) authHeaders.Authorization = headers.Authorization;
  return { server: cluster.server.replace(/\/$/, ""), agent, authHeaders, source };
}

/**
 * The portal's connection, created once per process.
 * @throws Error when no credentials can be found (see {@link loadKubeConfig})
 */
export function getConnection(): Promise<KubeConnection> {
  if (!cached) {
    cached = connect().catch((err) => {
      cached = null; // try again on the next call: the cluster may come up later
      throw err;
    });
  }
  return cached;
}
