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
import { logger } from "../logger";

/** A ready-to-use connection: the API server's URL, a keep-alive TLS agent and auth headers. */
export interface KubeConnection {
  /** e.g. `https://127.0.0.1:16443` (no trailing slash) */
  server: string;
  /** for requests that end: lists, gets, reviews, changes (64 sockets, kept alive) */
  agent: https.Agent;
  /**
   * for watches and console upgrades, which hold a socket for minutes: no socket limit, so they
   * never queue the requests of {@link agent} behind them (each active tenant holds up to four
   * watches, k8s/watch-cache.ts)
   */
  longLivedAgent: https.Agent;
  /**
   * e.g. `{ Authorization: "Bearer …" }` for token credentials; empty for client certificates.
   * A token read from a file (the in-cluster ServiceAccount's projected token, which the kubelet
   * rotates) is read again when older than a minute: read the header at each request, never keep it.
   */
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

/** How long a token read from a file is used before the file is read again (client-go's period). */
export const TOKEN_FILE_REREAD_MS = 60_000;

/**
 * Headers whose `Authorization` is `Bearer <token of file>`, the file read again on the first use
 * after {@link TOKEN_FILE_REREAD_MS}: the kubelet rotates a projected ServiceAccount token (by default
 * at 80% of its lifetime), and a token read once stops working when it expires. As client-go's
 * `NewCachedFileTokenSource` (k8s.io/client-go/transport/token_source.go, used by rest.InClusterConfig).
 * A failed read keeps the previous token (logged): the file is replaced atomically, so this is rare.
 * @param initial the header value read when the connection was made
 */
export function rereadingTokenHeaders(file: string, initial: string, now: () => number = Date.now): Record<string, string> {
  let value = initial;
  let readAt = now();
  const headers: Record<string, string> = {};
  Object.defineProperty(headers, "Authorization", {
    enumerable: true,
    get() {
      if (now() - readAt >= TOKEN_FILE_REREAD_MS) {
        readAt = now();
        try {
          const token = fs.readFileSync(/*turbopackIgnore: true*/ file, "utf8").trim();
          if (token) value = `Bearer ${token}`;
        } catch (err) {
          logger.warn({ err: (err as Error).message, file }, "cannot read the cluster token again; keeping the previous one");
        }
      }
      return value;
    },
  });
  return headers;
}

let cached: Promise<KubeConnection> | null = null;

async function connect(): Promise<KubeConnection> {
  const { kc, source } = loadKubeConfig();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`no current cluster in ${source}`);
  const opts: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const headers = (opts.headers ?? {}) as Record<string, string>;
  const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized ?? true };
  const agent = new https.Agent({ ...tls, keepAlive: true, maxSockets: 64 });
  const longLivedAgent = new https.Agent({ ...tls, keepAlive: true, maxSockets: Infinity });
  // in-cluster (client-node's loadFromCluster) and kubeconfig `auth-provider: tokenFile` users
  const tokenFile = (kc.getCurrentUser()?.authProvider?.config as Record<string, string> | undefined)?.tokenFile;
  let authHeaders: Record<string, string> = {};
  if (headers.Authorization && tokenFile) authHeaders = rereadingTokenHeaders(tokenFile, headers.Authorization);
  else if (headers.Authorization) authHeaders.Authorization = headers.Authorization;
  return { server: cluster.server.replace(/\/$/, ""), agent, longLivedAgent, authHeaders, source };
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
