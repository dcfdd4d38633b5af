/**
 * Starts everything the integration tests, end-to-end tests and benchmarks run against:
 * a fresh local cluster (unless KUBECONFIG is given), a fresh database, a production build of the
 * portal and the portal server on a free port. Used by scripts/test.ts and bench/.
 *
 * With `oidc: true` it also starts a real OpenID provider (tests/support/oidc-provider.ts, in this
 * process) before the portal and gives the portal OIDC_ISSUER / OIDC_CLIENT_ID / OIDC_CLIENT_SECRET,
 * so the `oidc` sign-in is on next to the local accounts.
 *
 * The local cluster's Prometheus (dev-cluster/prometheus.ts), when installed, becomes the portal's
 * `PROMETHEUS_URL` (unless one is given) and scrapes the portal's `/metrics` when it serves one.
 *
 * With `afterCluster`, a step runs once the cluster is up and may hand the portal (and the test
 * runners) more environment, e.g. a KUBECONFIG with other credentials than the local cluster's
 * portal certificate (scripts/test.ts: the Helm chart's ServiceAccount token).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "../dev-cluster/ports";

/** Environment variables for a child process. */
export type Env = Record<string, string | undefined>;

/** A running stack. */
export interface Stack {
  /** the portal's base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** what child processes (test runners) need: PORTAL_URL, DATABASE_URL, HIKUBE_CLUSTER_DIR, … */
  env: Env;
  /** stops the portal and the cluster */
  stop(): Promise<void>;
  /** the portal server's process id (benchmarks read its memory) */
  pid?: number;
}

const root = path.resolve(import.meta.dirname, "..");

/** Runs a command with inherited output; resolves with its exit code. */
export function run(cmd: string, args: string[], env: Env = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}


async function waitForHealth(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the portal server exited with code ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the portal did not answer ${url}/api/health within ${timeoutMs} ms`);
}

/** Options of {@link startStack}. */
export interface StackOptions {
  /** names the cluster folder (.local/<name>-cluster), the database (.local/<name>.db) and the build folder (.next-<name>) */
  name: string;
  log: (line: string) => void;
  /** start a real OpenID provider and switch the `oidc` sign-in on */
  oidc?: boolean;
  /**
   * Runs after the local cluster started (not with an outside KUBECONFIG), with the stack's
   * environment so far (HIKUBE_CLUSTER_DIR); resolves with more environment for the portal and
   * the test runners. A rejection stops the stack.
   */
  afterCluster?: (env: Env) => Promise<Env>;
  /**
   * Runs the portal from this image (scripts/image.ts) instead of a build of the tree: the
   * database is prepared by the image's own `scripts/db-setup.mjs`, then two replicas run behind
   * HAProxy (scripts/replicas.ts). PORTAL_URL is HAProxy's (the public URL: the Origin every
   * mutation must carry); REPLICA_A_URL… reach one replica. Needs a PostgreSQL TEST_DATABASE_URL.
   */
  image?: string;
}

/**
 * Starts the stack. `name` names the cluster folder (.local/<name>-cluster) and the database
 * (.local/<name>.db), so tests and benchmarks do not disturb `npm run dev`.
 * @throws Error when a step fails; whatever had started is stopped first
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const { log } = opts;
  process.chdir(root);
  const env: Env = {};
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    if (!process.env.KUBECONFIG) {
      env.HIKUBE_CLUSTER_DIR = process.env.HIKUBE_CLUSTER_DIR = path.join(root, ".local", `${opts.name}-cluster`);
      const cluster = await import("../dev-cluster/cluster");
      await cluster.stopCluster({ log: () => {} });
      fs.rmSync(path.join(env.HIKUBE_CLUSTER_DIR, "etcd-data"), { recursive: true, force: true });
      // a fresh Prometheus too: series of an earlier run's VMs of the same names would show
      fs.rmSync(path.join(env.HIKUBE_CLUSTER_DIR, "prometheus", "data"), { recursive: true, force: true });
      stops.push(() => cluster.stopCluster({ log: (l) => log(`cluster: ${l}`) }));
      await cluster.startCluster((l) => log(`cluster: ${l}`));
      if (opts.afterCluster) Object.assign(env, await opts.afterCluster({ ...env }));
      const { readPrometheusUrl, scrapeIntervalSeconds } = await import("../dev-cluster/prometheus");
      const prometheus = readPrometheusUrl();
      if (prometheus && !process.env.PROMETHEUS_URL) {
        env.PROMETHEUS_URL = prometheus;
        env.HIKUBE_METRICS_SCRAPE_SECONDS = String(scrapeIntervalSeconds);
      }
    }
    const dbFile = path.join(root, ".local", `${opts.name}.db`);
    if (!process.env.TEST_DATABASE_URL) for (const f of [dbFile, `${dbFile}-journal`]) fs.rmSync(f, { force: true });
    env.DATABASE_URL = process.env.DATABASE_URL = process.env.TEST_DATABASE_URL ?? `file:${dbFile}`;
    const { generateClient, setupDatabase } = await import("./db-setup");
    if (opts.image) {
      // the image's own database set-up (migrations, demo seed), as the chart's Job runs it
      const { container } = await import("./image");
      log(`db: ${opts.image} scripts/db-setup.mjs`);
      const out = await container("podman", ["run", "--rm", "--network", "host", "--read-only", "--tmpfs", "/tmp", "-e", `DATABASE_URL=${env.DATABASE_URL}`, opts.image, "scripts/db-setup.mjs"]);
      for (const line of out.trim().split("\n")) log(`db: ${line}`);
      // the tests read the database directly: this tree's client for the same provider
      await generateClient(env.DATABASE_URL, (l) => log(`db: ${l}`));
    } else {
      await setupDatabase({ databaseUrl: env.DATABASE_URL, log: (l) => log(`db: ${l}`) });
    }

    // Each stack builds into its own folder (.next-test, .next-bench…), so a benchmark does not
    // overwrite the build a test run is serving. tsconfig.json lists their type folders.
    env.NEXT_DIST_DIR = `.next-${opts.name}`;
    if (!opts.image) {
      log("building the portal (next build)");
      const buildCode = await run("npx", ["next", "build"], { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" });
      if (buildCode !== 0) throw new Error(`next build failed with exit code ${buildCode}`);
    }

    const port = await freePort();
    // With an image, the public URL is HAProxy's (every replica's NEXTAUTH_URL, the OIDC redirect).
    const url = `http://127.0.0.1:${port}`;
    Object.assign(env, {
      PORT: String(port), HOST: "127.0.0.1", NEXTAUTH_URL: url, PORTAL_URL: url,
      NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"), LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      // the portal answers GET /__test__/console-relay (the relay's upstream connection count)
      HIKUBE_TEST_HOOKS: "1",
      // the disk tests import from HTTP servers on the test machine's loopback (import-url-policy.ts)
      HIKUBE_IMPORT_ALLOWED_HOSTS: "127.0.0.1",
      // no load balancer to leave first: stopping the stack need not wait for the drain delay
      // (tests/integration/shutdown.test.ts starts its own portal with one)
      HIKUBE_SHUTDOWN_DELAY_SECONDS: "0",
    });
    if (opts.oidc) {
      const { startOidcProvider, oidcClient } = await import("../tests/support/oidc-provider");
      const provider = await startOidcProvider({ portalUrl: url });
      stops.push(() => provider.close());
      log(`OpenID provider at ${provider.issuer}`);
      Object.assign(env, { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: oidcClient.id, OIDC_CLIENT_SECRET: oidcClient.secret });
    }
    if (opts.image) {
      const { startReplicas } = await import("./replicas");
      const clusterDir = env.HIKUBE_CLUSTER_DIR ?? process.env.HIKUBE_CLUSTER_DIR;
      if (!clusterDir) throw new Error("an image stack needs the local cluster");
      const replicas = await startReplicas({
        image: opts.image, port, log,
        env: { ...env, NEXT_DIST_DIR: undefined, PORTAL_URL: undefined, HIKUBE_CLUSTER_DIR: undefined, KUBECONFIG: undefined,
          // HAProxy takes a stopping replica out within 500 ms (scripts/replicas.ts)
          HIKUBE_SHUTDOWN_DELAY_SECONDS: "2" },
        kubeconfig: env.KUBECONFIG ?? path.join(clusterDir, "portal.kubeconfig"),
      });
      stops.push(() => replicas.stop());
      Object.assign(env, replicas.env, { PORTAL_URL: replicas.url });
      return { url: replicas.url, env, stop: stopAll };
    }
    log(`starting the portal on ${url}`);
    // One node process (tsx as a loader, not the tsx/npx wrappers, whose children outlive a
    // SIGTERM), in its own process group so that stopping it stops everything it started.
    const server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      stdio: ["ignore", "inherit", "inherit"], detached: true,
      env: { ...process.env, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-server.pid!, signal);
      } catch {
        /* already gone */
      }
    };
    process.once("exit", () => killGroup("SIGKILL"));
    stops.push(async () => {
      if (server.exitCode !== null) return;
      killGroup("SIGTERM");
      for (let i = 0; i < 50 && server.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      killGroup("SIGKILL");
    });
    await waitForHealth(url, server, 90_000);
    if (env.PROMETHEUS_URL && env.HIKUBE_CLUSTER_DIR) await (await import("../dev-cluster/prometheus")).registerPortalIfItServesMetrics(url);
    return { url, env, stop: stopAll, pid: server.pid };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
