/**
 * Two portal replicas from the image behind HAProxy, as an operator runs them (tests only):
 *
 *   HAProxy 127.0.0.1:<port>  ── round robin, every request and WebSocket, no stickiness ──┬─ replica a (podman, host network)
 *                                                                                          └─ replica b
 *
 * Each replica is `podman run` of the image (scripts/image.ts) with a read-only root filesystem,
 * a tmpfs /tmp, user 65532 (the image's), host networking on its own port, the cluster's
 * kubeconfig with its files inlined, mounted read-only and readable by that user only (as a
 * Kubernetes Secret volume would be), and the same database, session key and public URL
 * (HAProxy's). HAProxy (Debian's haproxy 2.6) health-checks `GET /readyz` every 500 ms (two
 * failures in a row take a replica out: a stopping replica within ~1 s of its SIGTERM, well inside
 * its 2 s drain delay), forwards the client address (`option forwardfor`; the replicas
 * run with TRUST_PROXY=1), retries a request on the other replica when a connection fails, comes
 * back empty or answers 503 (a stopping replica's kept-alive connections), and names the replica
 * that answered in `X-Hikube-Replica` (tests only: which replica served a stream or console).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { container } from "./image";
import { freePort } from "../dev-cluster/ports";

const root = path.resolve(import.meta.dirname, "..");

/** One running replica. */
export interface Replica {
  /** `a` or `b` (HAProxy's server name, answered in X-Hikube-Replica) */
  name: string;
  /** podman's container name */
  container: string;
  /** the replica's own URL, bypassing HAProxy */
  url: string;
}

/** The running replicas and their load balancer. */
export interface Replicas {
  /** HAProxy's URL: the portal's public URL */
  url: string;
  replicas: Replica[];
  /** Environment for test runners: REPLICAS_URL, REPLICA_A_URL, REPLICA_B_URL, REPLICA_A_CONTAINER… */
  env: Record<string, string>;
  /** stops HAProxy and removes the containers (their logs are saved under .local/reports first) */
  stop(): Promise<void>;
}

/** Options of {@link startReplicas}. */
export interface ReplicasOptions {
  image: string;
  /** the portal's environment (DATABASE_URL, NEXTAUTH_SECRET, OIDC_…, PROMETHEUS_URL…); PORT, HOST, NEXTAUTH_URL, TRUST_PROXY and KUBECONFIG are set here */
  env: Record<string, string | undefined>;
  /** the kubeconfig the replicas use (its certificate and key files are inlined into their copy) */
  kubeconfig: string;
  /** HAProxy's port (the public URL's, known to the caller beforehand); default a free one */
  port?: number;
  log: (line: string) => void;
}

async function waitFor(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms (last: ${last.slice(0, 300)})`);
}

/**
 * A kubeconfig with its file references (`certificate-authority`, `client-certificate`,
 * `client-key`) replaced by the files' contents (`…-data`), so that it can be mounted alone.
 */
export function inlineKubeconfig(file: string): string {
  const config = YAML.parse(fs.readFileSync(file, "utf8")) as { clusters?: { cluster: Record<string, string> }[]; users?: { user: Record<string, string> }[] };
  const inline = (obj: Record<string, string>, key: string) => {
    if (!obj[key]) return;
    obj[`${key}-data`] = fs.readFileSync(path.resolve(path.dirname(file), obj[key])).toString("base64");
    delete obj[key];
  };
  for (const c of config.clusters ?? []) inline(c.cluster, "certificate-authority");
  for (const u of config.users ?? []) {
    inline(u.user, "client-certificate");
    inline(u.user, "client-key");
  }
  return YAML.stringify(config);
}

/**
 * Resolves once HAProxy at `url` balances over both replicas again (each needs two passed checks,
 * rise 2 × 500 ms): of four requests in a row, some come from a and some from b.
 * @throws Error naming the replicas seen when that does not happen within `timeoutMs`
 */
export async function waitForBothReplicas(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await fetch(`${url}/livez`)).headers.get("x-hikube-replica") ?? "");
    if (seen.has("a") && seen.has("b")) return;
    if (Date.now() > deadline) throw new Error(`HAProxy does not balance over both replicas (saw ${[...seen].join(", ")})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** HAProxy's configuration for the two replicas (see the file header). */
export function haproxyConfig(port: number, replicas: { name: string; port: number }[]): string {
  return [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 1h",
    "  timeout server 1h",
    "  timeout tunnel 1h",
    "  timeout http-keep-alive 10s",
    // a /readyz slower than this (a busy replica) is a failed check; two in a row take it out
    "  timeout check 3s",
    "  option redispatch 1",
    "  retries 3",
    "  retry-on conn-failure empty-response 503",
    "frontend portal",
    `  bind 127.0.0.1:${port}`,
    "  default_backend replicas",
    "backend replicas",
    "  balance roundrobin",
    "  option forwardfor",
    "  option httpchk GET /readyz",
    "  http-check expect status 200",
    "  http-response set-header X-Hikube-Replica %[srv_name]",
    "  default-server inter 500ms fall 2 rise 2",
    ...replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check`),
    "",
  ].join("\n");
}

/**
 * Starts two replicas and HAProxy, and waits until HAProxy serves `/readyz` through both.
 * @throws Error when a replica or HAProxy does not come up (everything started is stopped first)
 */
export async function startReplicas(opts: ReplicasOptions): Promise<Replicas> {
  const { log } = opts;
  const lbPort = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${lbPort}`;
  const started: Replica[] = [];
  let haproxy: ChildProcess | null = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hikube-replicas-"));
  const reports = path.join(root, ".local", "reports");
  fs.mkdirSync(reports, { recursive: true });

  const stop = async () => {
    haproxy?.kill("SIGTERM");
    for (const r of started) {
      const logs = await container("podman", ["logs", r.container]).catch(() => "");
      fs.writeFileSync(path.join(reports, `replica-${r.name}.log`), logs);
      await container("podman", ["rm", "-f", "-t", "0", r.container]).catch(() => {});
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, inlineKubeconfig(opts.kubeconfig), { mode: 0o400 });
    fs.chownSync(kubeconfig, 65532, 65532);
    fs.chmodSync(dir, 0o755);
    const ports = [await freePort(), await freePort()];
    for (const [i, name] of ["a", "b"].entries()) {
      const containerName = `hikube-replica-${name}-${lbPort}`;
      await container("podman", ["rm", "-f", "-t", "0", containerName]).catch(() => {});
      const env = { ...opts.env, PORT: String(ports[i]), HOST: "127.0.0.1", NEXTAUTH_URL: url, TRUST_PROXY: "1", KUBECONFIG: "/var/run/hikube/kubeconfig" };
      const envArgs = Object.entries(env).filter(([, v]) => v !== undefined).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
      const mountArgs = ["-v", `${kubeconfig}:/var/run/hikube/kubeconfig:ro`];
      await container("podman", ["run", "-d", "--name", containerName, "--network", "host", "--read-only", "--tmpfs", "/tmp:rw,size=64m",
        "--stop-timeout", "30", ...mountArgs, ...envArgs, opts.image]);
      started.push({ name, container: containerName, url: `http://127.0.0.1:${ports[i]}` });
      log(`replica ${name}: ${containerName} on http://127.0.0.1:${ports[i]}`);
    }
    for (const r of started) await waitFor(`${r.url}/readyz`, 90_000, `replica ${r.name}`);

    const cfg = path.join(dir, "haproxy.cfg");
    fs.writeFileSync(cfg, haproxyConfig(lbPort, started.map((r, i) => ({ name: r.name, port: ports[i] }))));
    haproxy = spawn("haproxy", ["-f", cfg, "-db"], { stdio: ["ignore", "inherit", "inherit"] });
    process.once("exit", () => haproxy?.kill("SIGKILL"));
    await waitFor(`${url}/readyz`, 20_000, "HAProxy");
    await waitForBothReplicas(url, 10_000);
    log(`HAProxy on ${url} (round robin over ${started.map((r) => r.name).join(", ")})`);
    const env: Record<string, string> = { REPLICAS_URL: url };
    for (const r of started) {
      env[`REPLICA_${r.name.toUpperCase()}_URL`] = r.url;
      env[`REPLICA_${r.name.toUpperCase()}_CONTAINER`] = r.container;
    }
    return { url, replicas: started, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
