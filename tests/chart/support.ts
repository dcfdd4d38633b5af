/**
 * Helpers of the chart checks (tests/chart/chart.test.ts): run the Helm client built from
 * dev-cluster/build-helm, render charts/hikube-portal, and talk to the local kube-apiserver as
 * cluster admin (discovery, server-side dry-run, apply) or with a bearer token.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import YAML from "yaml";
import { adminClient, request, type AdminClient } from "../../dev-cluster/kube";
import type { KubeObject } from "../../dev-cluster/manifests";

/** The project's root folder. */
export const root = path.resolve(import.meta.dirname, "..", "..");

/** The chart's folder. */
export const chartDir = path.join(root, "charts", "hikube-portal");

/** The local cluster the checks run against: its state folder, admin client and API port. */
export interface LocalCluster {
  dir: string;
  admin: AdminClient;
  server: string;
  caFile: string;
}

/**
 * The running local cluster of HIKUBE_CLUSTER_DIR (default `.local/cluster`).
 * @throws Error when its state.json is missing (no cluster was started there)
 */
export function localCluster(): LocalCluster {
  const dir = process.env.HIKUBE_CLUSTER_DIR ?? path.join(root, ".local", "cluster");
  const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as { apiserverPort: number };
  const admin = adminClient(path.join(dir, "pki"), state.apiserverPort);
  return { dir, admin, server: admin.server, caFile: path.join(dir, "pki", "ca.crt") };
}

/**
 * The helm binary: HIKUBE_HELM when set (scripts/test.ts passes it), else the one
 * dev-cluster/scripts/ensure-helm.sh builds or finds in the cache.
 */
export function helmBinary(): string {
  if (process.env.HIKUBE_HELM) return process.env.HIKUBE_HELM;
  const out = execFileSync("bash", [path.join(root, "dev-cluster", "scripts", "ensure-helm.sh")],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  return out.trim().split("\n").pop()!;
}

/** What one helm command printed, and its exit code. */
export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with its state folders under `.local/helm` (nothing written to the user's home). */
export function helm(args: string[]): HelmResult {
  const home = path.join(root, ".local", "helm");
  const res = spawnSync(helmBinary(), args, {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      HELM_CONFIG_HOME: path.join(home, "config"),
      HELM_CACHE_HOME: path.join(home, "cache"),
      HELM_DATA_HOME: path.join(home, "data"),
      // never a real cluster by accident: `helm template` needs none
      KUBECONFIG: path.join(home, "no-cluster.kubeconfig"),
    },
  });
  return { code: res.status ?? 1, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
}

/** The release the checks render: its name and namespace. */
export const release = { name: "hikube-portal", namespace: "hikube-portal" };

/**
 * Renders the chart (hooks included) for `kubeVersion` with the given values files and
 * `--set-json` pairs (numbers in them are read as a values file's are), as `helm template` does.
 * @returns the rendered objects, in helm's order
 * @throws Error with helm's message when the chart does not render (e.g. the schema refused a value)
 */
export function renderChart(opts: { kubeVersion: string; valuesFiles?: string[]; setJson?: string[] }): KubeObject[] {
  const args = ["template", release.name, chartDir, "--namespace", release.namespace, "--kube-version", opts.kubeVersion];
  for (const f of opts.valuesFiles ?? []) args.push("--values", f);
  for (const s of opts.setJson ?? []) args.push("--set-json", s);
  const res = helm(args);
  if (res.code !== 0) throw new Error(`helm template failed (${res.code}): ${res.stderr.trim()}`);
  return YAML.parseAllDocuments(res.stdout)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

/** Where a kind is served: its plural and whether it is namespaced. */
interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

const discovered = new Map<string, ResourceInfo>();

/**
 * Finds a kind in the API server's discovery documents (`/api/v1`, `/apis/<group>/<version>`).
 * @throws Error when the API server does not serve this apiVersion and kind
 */
async function resourceOf(admin: AdminClient, apiVersion: string, kind: string): Promise<ResourceInfo> {
  const key = `${apiVersion}/${kind}`;
  if (!discovered.has(key)) {
    const res = await request(admin, "GET", apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    if (res.status !== 200) throw new Error(`the API server does not serve ${apiVersion} (${res.status})`);
    const list = JSON.parse(res.body) as { resources: { name: string; kind: string; namespaced: boolean }[] };
    for (const r of list.resources) {
      if (!r.name.includes("/")) discovered.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    }
  }
  const info = discovered.get(key);
  if (!info) throw new Error(`the API server does not serve kind ${kind} in ${apiVersion}`);
  return info;
}

/** The REST path of an object, from discovery (namespaced objects go to `namespace`). */
export async function pathOf(admin: AdminClient, obj: KubeObject, namespace: string): Promise<string> {
  const { plural, namespaced } = await resourceOf(admin, obj.apiVersion, obj.kind);
  const base = obj.apiVersion.includes("/") ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  return `${base}${namespaced ? `/namespaces/${obj.metadata.namespace ?? namespace}` : ""}/${plural}/${obj.metadata.name}`;
}

/** The API server's answer to one server-side apply. */
export interface ApplyAnswer {
  status: number;
  /** the API's message when refused */
  message: string;
  /** admission warnings (the `Warning` headers), e.g. Pod Security violations */
  warnings: string[];
}

/**
 * Server-side apply of one object as cluster admin, with strict field validation (an unknown or
 * misplaced field is an error, not silently dropped). With `dryRun`, every admission step runs and
 * nothing is stored.
 */
export async function serverSideApply(admin: AdminClient, obj: KubeObject, opts: { namespace: string; dryRun: boolean }): Promise<ApplyAnswer> {
  const query = new URLSearchParams({ fieldManager: "hikube-chart-check", force: "true", fieldValidation: "Strict" });
  if (opts.dryRun) query.set("dryRun", "All");
  const res = await request(admin, "PATCH", `${await pathOf(admin, obj, opts.namespace)}?${query}`,
    JSON.stringify(obj), "application/apply-patch+yaml");
  const header = res.headers.warning;
  const warnings = (Array.isArray(header) ? header : header ? [header] : []);
  let message = "";
  if (res.status >= 300) {
    try {
      message = (JSON.parse(res.body) as { message?: string }).message ?? res.body;
    } catch {
      message = res.body;
    }
  }
  return { status: res.status, message, warnings };
}

/**
 * One request to the API server with a bearer token (the identity under test), trusting the
 * cluster's CA. Resolves with the status and parsed JSON body (or text).
 */
export function asToken(cluster: LocalCluster, token: string, method: string, urlPath: string, body?: unknown):
  Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(cluster.server + urlPath, {
      method,
      ca: fs.readFileSync(cluster.caFile),
      headers: { Authorization: `Bearer ${token}`, ...(payload ? { "Content-Type": "application/json" } : {}) },
      timeout: 10_000,
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* keep text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * Where the chart checks leave the kubeconfig of the chart's ServiceAccount token, in the cluster's
 * state folder; scripts/test.ts starts the portal with it (`--only chart`).
 */
export function chartKubeconfigPath(clusterDir: string): string {
  return path.join(clusterDir, "chart-portal.kubeconfig");
}

/**
 * Writes a kubeconfig that authenticates with `token` against the local cluster (mode 0600).
 * The portal loads it through KUBECONFIG like any other (lib/server/k8s/connection.ts).
 */
export function writeTokenKubeconfig(cluster: LocalCluster, token: string, file: string): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "hikube-dev", cluster: { server: cluster.server, "certificate-authority": cluster.caFile } }],
    users: [{ name: "chart-service-account", user: { token } }],
    contexts: [{ name: "chart-service-account@hikube-dev", context: { cluster: "hikube-dev", user: "chart-service-account" } }],
    "current-context": "chart-service-account@hikube-dev",
  };
  fs.writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
}
