/**
 * Starts and stops the local development cluster (dev and tests only): etcd and a real
 * kube-apiserver on loopback with RBAC, then the CRDs, catalogue, RBAC and seeded tenants.
 *
 * State lives in {@link stateDir}; ports are chosen once and kept in `state.json`, so a restarted
 * cluster comes back on the same address and a running portal reconnects by itself.
 * See ../shared/spec/dev-cluster.md for the flags and their sources.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { files, projectRoot, stateDir } from "./paths";
import { ensurePki } from "./pki";
import { freePort, portIsFree } from "./ports";
import { adminClient, apply, request, waitEstablished, type AdminClient } from "./kube";
import { prometheusArgs, prometheusBinary, prometheusFiles, writePrometheusConfig } from "./prometheus";
import { backupClasses, backupResourceDefinitions, catalogue, customResourceDefinitions, goldenImages, rbac, seededTenantObjects, storageClasses } from "./manifests";

/** What `state.json` holds. */
interface ClusterState {
  etcdPort: number;
  etcdPeerPort: number;
  apiserverPort: number;
  /** the KubeVirt stand-in's virt-api (aggregated API); chosen once so the APIService stays valid */
  virtApiPort?: number;
  /** the stand-in's virt-handler `/metrics` (dev-cluster/standin/metrics.ts), scraped by Prometheus */
  metricsPort?: number;
  /** the local Prometheus (dev-cluster/prometheus.ts) */
  prometheusPort?: number;
  pids: { etcd?: number; apiserver?: number; standin?: number; prometheus?: number };
}

/** What a started cluster offers its callers. */
export interface ClusterInfo {
  /** `https://127.0.0.1:<port>` */
  server: string;
  adminKubeconfig: string;
  portalKubeconfig: string;
}

type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`[cluster] ${line}\n`);

function readState(): ClusterState | null {
  try {
    return JSON.parse(fs.readFileSync(files.state, "utf8"));
  } catch {
    return null;
  }
}

function writeState(state: ClusterState): void {
  fs.writeFileSync(files.state, JSON.stringify(state, null, 2));
}

function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `cmd` detached from this process, output appended to `logFile`; returns its pid. */
function startDetached(cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): number {
  const fd = fs.openSync(logFile, "a");
  const child = spawn(cmd, args, { detached: true, stdio: ["ignore", fd, fd], cwd: projectRoot, env: env ?? process.env });
  fs.closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  return child.pid;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, pid?: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (pid && !isAlive(pid)) {
      const tail = logFile ? fs.readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
      throw new Error(`${what} exited during start-up; last lines of ${logFile}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms (see ${logFile})`);
}

function kubeconfig(server: string, pki: string, user: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: hikube-dev",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${path.join(pki, "ca.crt")}`,
    "users:",
    `- name: ${user}`,
    "  user:",
    `    client-certificate: ${path.join(pki, `${user}.crt`)}`,
    `    client-key: ${path.join(pki, `${user}.key`)}`,
    "contexts:",
    `- name: ${user}@hikube-dev`,
    "  context:",
    "    cluster: hikube-dev",
    `    user: ${user}`,
    `current-context: ${user}@hikube-dev`,
    "",
  ].join("\n");
}

/** Builds (first time) or finds the binaries; returns the folder holding kube-apiserver and etcd. */
function ensureBinaries(log: Log): string {
  log("checking binaries (first run builds kube-apiserver from the Go module proxy: 5-20 min)");
  const out = execFileSync("bash", [path.join(projectRoot, "dev-cluster", "scripts", "ensure-binaries.sh")],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  return out.trim().split("\n").pop()!;
}

async function isReady(client: AdminClient): Promise<boolean> {
  const res = await request(client, "GET", "/readyz");
  return res.status === 200;
}

/**
 * Starts the cluster unless it already runs, then (re)applies the objects it installs.
 * Idempotent; prints what it does through `log`. Throws with the failing step's log tail.
 */
export async function startCluster(log: Log = defaultLog): Promise<ClusterInfo> {
  const t0 = Date.now();
  fs.mkdirSync(stateDir, { recursive: true });
  const bin = ensureBinaries(log);
  log("certificates");
  ensurePki(files.pki);

  let state = readState();
  if (!state) {
    state = { etcdPort: 0, etcdPeerPort: 0, apiserverPort: 0, pids: {} };
    const preferred = { etcdPort: 23790, etcdPeerPort: 23800, apiserverPort: 16443 };
    for (const key of ["etcdPort", "etcdPeerPort", "apiserverPort"] as const) {
      state[key] = process.env.HIKUBE_CLUSTER_DIR || !(await portIsFree(preferred[key])) ? await freePort() : preferred[key];
    }
    writeState(state);
  }
  const client = adminClient(files.pki, state.apiserverPort);
  const server = `https://127.0.0.1:${state.apiserverPort}`;

  if (!isAlive(state.pids.etcd)) {
    log(`starting etcd on 127.0.0.1:${state.etcdPort}`);
    const peer = `http://127.0.0.1:${state.etcdPeerPort}`;
    const clientUrl = `http://127.0.0.1:${state.etcdPort}`;
    state.pids.etcd = startDetached(path.join(bin, "etcd"), [
      "--name", "hikube-dev", "--data-dir", files.etcdData,
      "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `hikube-dev=${peer}`,
    ], files.etcdLog);
    writeState(state);
    await waitFor("etcd", async () => (await fetch(`${clientUrl}/health`)).ok, 20_000, state.pids.etcd, files.etcdLog);
  }

  if (isAlive(state.pids.apiserver) && !(await isReady(client).catch(() => false))) {
    // Still starting, or shutting down after a SIGTERM (graceful termination can take a while):
    // wait for one or the other, then start a new one if it went away.
    log("waiting for the running kube-apiserver to become ready or exit");
    await waitFor("kube-apiserver", () => isReady(client), 90_000, state.pids.apiserver, files.apiserverLog).catch(() => {});
  }
  if (!isAlive(state.pids.apiserver) || !(await isReady(client).catch(() => false))) {
    if (!isAlive(state.pids.apiserver)) {
      log(`starting kube-apiserver on ${server}`);
      const pki = (f: string) => path.join(files.pki, f);
      state.pids.apiserver = startDetached(path.join(bin, "kube-apiserver"), [
        `--etcd-servers=http://127.0.0.1:${state.etcdPort}`,
        "--bind-address=127.0.0.1", `--secure-port=${state.apiserverPort}`, "--advertise-address=127.0.0.1",
        "--endpoint-reconciler-type=none", "--service-cluster-ip-range=10.0.0.0/24",
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${pki("sa.key")}`, `--service-account-signing-key-file=${pki("sa.key")}`,
        `--tls-cert-file=${pki("apiserver.crt")}`, `--tls-private-key-file=${pki("apiserver.key")}`,
        `--client-ca-file=${pki("ca.crt")}`,
        "--authorization-mode=RBAC",
        "--disable-admission-plugins=ServiceAccount",
        "--allow-privileged=true",
        // Aggregation layer (the KubeVirt stand-in registers subresources.kubevirt.io behind it).
        `--requestheader-client-ca-file=${pki("front-proxy-ca.crt")}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${pki("front-proxy-client.crt")}`,
        `--proxy-client-key-file=${pki("front-proxy-client.key")}`,
        "--profiling=false",
      ], files.apiserverLog);
      writeState(state);
    }
    log("waiting for kube-apiserver /readyz");
    await waitFor("kube-apiserver", () => isReady(client), 60_000, state.pids.apiserver, files.apiserverLog);
  }

  fs.writeFileSync(files.adminKubeconfig, kubeconfig(server, files.pki, "admin"));
  fs.writeFileSync(files.portalKubeconfig, kubeconfig(server, files.pki, "portal"));

  log("installing CustomResourceDefinitions (Cozystack apps and backups, KubeVirt, CDI, instance types)");
  const crds = [...customResourceDefinitions(), ...backupResourceDefinitions()];
  for (const obj of crds) await apply(client, obj);
  await waitEstablished(client, crds.map((c) => c.metadata.name));
  log("installing RBAC, seeded tenants and the instance-type catalogue");
  const namespaces = [...seededTenantObjects(), ...goldenImages()].filter((o) => o.kind === "Namespace");
  await Promise.all(namespaces.map((obj) => apply(client, obj)));
  const objects = [...rbac(), ...seededTenantObjects(), ...goldenImages(), ...catalogue(), ...storageClasses(), ...backupClasses()].filter((o) => o.kind !== "Namespace");
  await Promise.all(objects.map((obj) => apply(client, obj)));
  if (process.env.HIKUBE_STANDIN !== "off") await ensureStandin(state, client, log);
  await ensurePrometheus(state, log);
  client.agent.destroy();
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${server} (kubeconfig: ${files.portalKubeconfig})`);
  return { server, adminKubeconfig: files.adminKubeconfig, portalKubeconfig: files.portalKubeconfig };
}

/**
 * Starts the KubeVirt stand-in (dev-cluster/standin/main.ts) unless it runs, then waits until the
 * API server reports its APIService Available. The first start builds the guest image (about a
 * minute); `HIKUBE_STANDIN=off` skips the stand-in (benchmarks that create VirtualMachines).
 */
async function ensureStandin(state: ClusterState, client: AdminClient, log: Log): Promise<void> {
  if (!state.virtApiPort || !state.metricsPort) {
    state.virtApiPort ??= await freePort();
    state.metricsPort ??= await freePort();
    writeState(state);
  }
  if (!isAlive(state.pids.standin)) {
    log("starting the KubeVirt stand-in (controller, virt-api, QEMU guests)");
    state.pids.standin = startDetached(process.execPath, ["--import", "tsx", path.join(projectRoot, "dev-cluster", "standin", "main.ts")],
      files.standinLog, { ...process.env, HIKUBE_CLUSTER_DIR: stateDir, HIKUBE_VIRT_API_PORT: String(state.virtApiPort),
        HIKUBE_METRICS_PORT: String(state.metricsPort) });
    writeState(state);
  }
  log("waiting for the stand-in's APIService v1.subresources.kubevirt.io to be Available");
  await waitFor("the KubeVirt stand-in", async () => {
    const res = await request(client, "GET", "/apis/apiregistration.k8s.io/v1/apiservices/v1.subresources.kubevirt.io");
    if (res.status !== 200) return false;
    const conditions: { type: string; status: string }[] = JSON.parse(res.body).status?.conditions ?? [];
    return conditions.some((c) => c.type === "Available" && c.status === "True");
  }, 300_000, state.pids.standin, files.standinLog);
}

/**
 * Starts the local Prometheus (dev-cluster/prometheus.ts) unless it runs, scraping the stand-in's
 * metrics, and writes its URL for the portal's start scripts. Without the `prometheus` binary (or
 * with `HIKUBE_PROMETHEUS=off`) it only says so: the cluster works without metrics.
 */
async function ensurePrometheus(state: ClusterState, log: Log): Promise<void> {
  const bin = prometheusBinary();
  if (!bin) {
    fs.rmSync(prometheusFiles.url, { force: true });
    log("no Prometheus (Debian package `prometheus`; scripts/setup.sh installs it): the portal's metrics stay unconfigured");
    return;
  }
  if (!state.prometheusPort || !state.metricsPort) {
    state.prometheusPort ??= await freePort();
    state.metricsPort ??= await freePort();
    writeState(state);
  }
  writePrometheusConfig(state.metricsPort);
  const url = `http://127.0.0.1:${state.prometheusPort}`;
  if (!isAlive(state.pids.prometheus)) {
    log(`starting Prometheus on ${url} (scrapes every 5 s; data in ${prometheusFiles.data})`);
    state.pids.prometheus = startDetached(bin, prometheusArgs(state.prometheusPort), prometheusFiles.log);
    writeState(state);
  }
  await waitFor("Prometheus", async () => (await fetch(`${url}/-/ready`)).ok, 60_000, state.pids.prometheus, prometheusFiles.log);
  fs.writeFileSync(prometheusFiles.url, url + "\n");
}

/** PIDs of processes whose command line mentions `dir` (QEMU guests of this cluster). */
function qemuPidsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes("qemu-system") && cmdline.includes(dir)) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** Sends `signal` to a process group started by {@link startDetached}; false when it is gone. */
function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Stops kube-apiserver and etcd (SIGTERM, then SIGKILL after 5 s). With `purge`, deletes the state. */
export async function stopCluster(opts: { purge?: boolean; log?: Log } = {}): Promise<void> {
  const log = opts.log ?? defaultLog;
  const state = readState();
  const standin = state?.pids.standin;
  if (standin && isAlive(standin)) {
    // The stand-in's group includes its QEMU guests: none may outlive the cluster.
    log(`stopping the KubeVirt stand-in (pid ${standin}) and its guests`);
    killGroup(standin, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (isAlive(standin) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    killGroup(standin, "SIGKILL");
  }
  // Guests run in process groups of their own; any left by a stand-in that died uncleanly are
  // found by their sockets under this cluster's folder.
  for (const pid of qemuPidsUnder(path.join(stateDir, "vms"))) {
    log(`stopping a leftover guest (pid ${pid})`);
    killGroup(pid, "SIGKILL");
  }
  for (const name of ["prometheus", "apiserver", "etcd"] as const) {
    const pid = state?.pids[name];
    if (!isAlive(pid)) continue;
    log(`stopping ${name} (pid ${pid})`);
    process.kill(pid!, "SIGTERM");
    const deadline = Date.now() + 5000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid!, "SIGKILL");
  }
  fs.rmSync(prometheusFiles.url, { force: true });
  if (state) {
    state.pids = {};
    writeState(state);
  }
  if (opts.purge) {
    log(`removing ${stateDir}`);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
