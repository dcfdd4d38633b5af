/**
 * The Helm chart (charts/hikube-portal) proven against the real local kube-apiserver:
 * `helm lint`; `helm template` with the default values and with ci/production-values.yaml; every
 * rendered object accepted by a server-side dry-run with strict field validation and no admission
 * warning; the pods meeting the restricted Pod Security Standard as the API server enforces it;
 * then the chart's ServiceAccount, ClusterRole and ClusterRoleBinding applied for real and a token
 * of that ServiceAccount requested (TokenRequest).
 *
 * The last test writes `<cluster>/chart-portal.kubeconfig` with that token; scripts/test.ts
 * (`--only chart`) then starts the portal with it and runs the integration suite, which passes only
 * if the chart's RBAC is enough. Needs HIKUBE_CLUSTER_DIR: a running local cluster.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { request } from "../../dev-cluster/kube";
import { rbac, type KubeObject } from "../../dev-cluster/manifests";
import {
  asToken, chartDir, chartKubeconfigPath, helm, localCluster, release, renderChart, serverSideApply, writeTokenKubeconfig,
  type LocalCluster,
} from "./support";

const productionValues = path.join(chartDir, "ci", "production-values.yaml");
const valueSets = [
  { name: "default", files: [] as string[] },
  { name: "production", files: [productionValues] },
];

let cluster: LocalCluster;
let kubeVersion: string;
const rendered = new Map<string, KubeObject[]>();

const find = (objects: KubeObject[], kind: string) => {
  const obj = objects.find((o) => o.kind === kind);
  if (!obj) throw new Error(`the chart rendered no ${kind}`);
  return obj as any;
};

beforeAll(async () => {
  cluster = localCluster();
  fs.rmSync(chartKubeconfigPath(cluster.dir), { force: true });
  const version = await request(cluster.admin, "GET", "/version");
  kubeVersion = JSON.parse(version.body).gitVersion;
  // The release's namespace, for real, with the restricted Pod Security Standard enforced (pods)
  // and warned about (Deployments, Jobs): the dry-runs below go through that admission.
  const namespace: KubeObject = {
    apiVersion: "v1", kind: "Namespace",
    metadata: { name: release.namespace, labels: {
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    } },
  };
  const applied = await serverSideApply(cluster.admin, namespace, { namespace: release.namespace, dryRun: false });
  expect(applied.status, applied.message).toBeLessThan(300);
  for (const set of valueSets) rendered.set(set.name, renderChart({ kubeVersion, valuesFiles: set.files }));
});

describe("the Helm chart charts/hikube-portal", () => {
  it("passes helm lint --strict with the default values and with the production values", () => {
    for (const set of valueSets) {
      const res = helm(["lint", "--strict", chartDir, "--namespace", release.namespace, ...set.files.flatMap((f) => ["--values", f])]);
      expect(res.code, `${set.name} values:\n${res.stdout}${res.stderr}`).toBe(0);
    }
  });

  it("refuses values its schema does not know, and an Ingress rule open to everyone", () => {
    const unknown = helm(["template", release.name, chartDir, "--set", "replica=3"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/additional propert.*replica/i);
    const openToAll = helm(["template", release.name, chartDir, "--set-json", "networkPolicy.ingressFrom=[]"]);
    expect(openToAll.code).not.toBe(0);
    expect(openToAll.stderr).toMatch(/ingressFrom/);
  });

  it.each(valueSets)("renders the portal's objects and reads Secrets by name only ($name values)", ({ name }) => {
    const objects = rendered.get(name)!;
    expect(objects.map((o) => o.kind).sort()).toEqual([
      "ClusterRole", "ClusterRoleBinding", "Deployment", "Ingress", "Job", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount",
    ]);
    // The chart never carries a secret: the pods read the operator's Secrets by name.
    const env = (obj: any) => obj.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
    const portalEnv = env(find(objects, "Deployment"));
    for (const secret of ["DATABASE_URL", "NEXTAUTH_SECRET", ...(name === "production" ? ["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] : [])]) {
      const entry = portalEnv.find((e) => e.name === secret);
      expect(entry?.valueFrom?.secretKeyRef?.name, secret).toBeTruthy();
      expect(entry?.value, secret).toBeUndefined();
    }
    expect(env(find(objects, "Job")).find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toBeTruthy();
  });

  it.each(valueSets)("has every object accepted by kube-apiserver's server-side dry-run, strict and without warnings ($name values)", async ({ name }) => {
    const refused: string[] = [];
    for (const obj of rendered.get(name)!) {
      const res = await serverSideApply(cluster.admin, obj, { namespace: release.namespace, dryRun: true });
      if (res.status >= 300) refused.push(`${obj.kind}/${obj.metadata.name}: ${res.status} ${res.message}`);
      for (const warning of res.warnings) refused.push(`${obj.kind}/${obj.metadata.name}: warning ${warning}`);
    }
    expect(refused).toEqual([]);
  });

  it.each(valueSets)("runs pods the API server admits under the restricted Pod Security Standard ($name values)", async ({ name }) => {
    const objects = rendered.get(name)!;
    const refused: string[] = [];
    for (const owner of [find(objects, "Deployment"), find(objects, "Job")]) {
      const pod: KubeObject = {
        apiVersion: "v1", kind: "Pod",
        metadata: { name: `chart-check-${owner.kind.toLowerCase()}`, namespace: release.namespace, labels: owner.spec.template.metadata.labels },
        spec: { ...owner.spec.template.spec, ...(owner.kind === "Job" ? {} : { restartPolicy: "Always" }) },
      };
      const res = await serverSideApply(cluster.admin, pod, { namespace: release.namespace, dryRun: true });
      if (res.status >= 300) refused.push(`${owner.kind}: ${res.status} ${res.message}`);
      for (const warning of res.warnings) refused.push(`${owner.kind}: warning ${warning}`);
    }
    expect(refused).toEqual([]);
  });

  it("keeps two replicas serving through upgrades, drains and node loss, behind long-lived console connections", () => {
    const objects = rendered.get("default")!;
    const deployment = find(objects, "Deployment");
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: "kubernetes.io/hostname", maxSkew: 1 });
    expect(find(objects, "PodDisruptionBudget").spec.maxUnavailable).toBe(1);
    expect(container.livenessProbe.httpGet.path).toBe("/livez");
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
    expect(container.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    // the portal's own shutdown ends before the kubelet's SIGKILL, its drain delay before that
    const envValue = (name: string) => Number(container.env.find((e: { name: string }) => e.name === name)?.value);
    expect(envValue("HIKUBE_SHUTDOWN_TIMEOUT_SECONDS")).toBe(pod.terminationGracePeriodSeconds - 5);
    expect(envValue("HIKUBE_SHUTDOWN_DELAY_SECONDS")).toBeLessThan(envValue("HIKUBE_SHUTDOWN_TIMEOUT_SECONDS"));
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(find(objects, "ServiceAccount").automountServiceAccountToken).toBe(false);
    const annotations = find(objects, "Ingress").metadata.annotations;
    expect(Number(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"])).toBeGreaterThanOrEqual(3600);
    expect(Number(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"])).toBeGreaterThanOrEqual(3600);
    const job = find(objects, "Job");
    expect(job.metadata.annotations["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(job.spec.template.spec.containers[0].image).toBe(container.image);
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    // never the demo accounts (published passwords, a platform admin) in a production database
    expect(job.spec.template.spec.containers[0].command).toContain("--no-seed");
  });

  it("writes large user ids and timeouts as integers, which Helm reads from values files as floats", () => {
    // e.g. an OpenShift-style user id: printed as 1.00068e+09 it would not even parse as a Pod
    const objects = renderChart({ kubeVersion, setJson: ["securityContext={\"runAsUser\":1000680000,\"runAsGroup\":1000680000}",
      "ingress.streamTimeoutSeconds=1000000", "migrations.activeDeadlineSeconds=1000000"] });
    expect(find(objects, "Deployment").spec.template.spec.securityContext).toMatchObject({ runAsUser: 1000680000, runAsGroup: 1000680000, fsGroup: 1000680000 });
    expect(find(objects, "Ingress").metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]).toBe("1000000");
    expect(find(objects, "Job").spec.activeDeadlineSeconds).toBe(1000000);
  });

  it("grants exactly the rules of the local cluster's hikube:portal ClusterRole", () => {
    const normalize = (rules: Record<string, string[]>[]) =>
      rules.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort().map(([k, v]) => [k, [...v].sort()])))).sort();
    const devRole = rbac().find((o) => o.kind === "ClusterRole" && o.metadata.name === "hikube:portal") as any;
    for (const set of valueSets) {
      expect(normalize(find(rendered.get(set.name)!, "ClusterRole").rules), set.name).toEqual(normalize(devRole.rules));
    }
  });

  it("gives a token of the chart's ServiceAccount the portal's rights and nothing more", async () => {
    const objects = rendered.get("default")!;
    for (const kind of ["ServiceAccount", "ClusterRole", "ClusterRoleBinding"]) {
      const res = await serverSideApply(cluster.admin, find(objects, kind), { namespace: release.namespace, dryRun: false });
      expect(res.status, `${kind}: ${res.message}`).toBeLessThan(300);
    }
    const account = find(objects, "ServiceAccount").metadata.name as string;
    const tokenRequest = await request(cluster.admin, "POST", `/api/v1/namespaces/${release.namespace}/serviceaccounts/${account}/token`,
      JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 6 * 3600 } }));
    expect(tokenRequest.status, tokenRequest.body).toBe(201);
    const token = JSON.parse(tokenRequest.body).status.token as string;

    const whoami = await asToken(cluster, token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
    expect(whoami.body.status?.userInfo?.username).toBe(`system:serviceaccount:${release.namespace}:${account}`);

    type Attributes = { verb: string; resource: string; group?: string; namespace?: string; name?: string };
    const can = async (attrs: Attributes) => {
      const res = await asToken(cluster, token, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: attrs } });
      return res.body.status?.allowed === true;
    };
    const allowed: Attributes[] = [
      { verb: "impersonate", resource: "users" },
      { verb: "impersonate", resource: "groups" },
      { verb: "watch", group: "kubevirt.io", resource: "virtualmachineinstances", namespace: "tenant-acme" },
      { verb: "list", group: "cdi.kubevirt.io", resource: "datavolumes", namespace: "tenant-acme" },
      { verb: "get", resource: "services", namespace: "tenant-acme" },
      { verb: "list", group: "storage.k8s.io", resource: "storageclasses" },
      { verb: "get", resource: "configmaps", namespace: "cdi", name: "cdi-uploadproxy" },
      // the shared list caches, and the SubjectAccessReview that checks each user before serving them
      { verb: "watch", group: "apps.cozystack.io", resource: "vminstances", namespace: "tenant-acme" },
      { verb: "list", group: "apps.cozystack.io", resource: "vmdisks", namespace: "tenant-acme" },
      { verb: "create", group: "authorization.k8s.io", resource: "subjectaccessreviews" },
    ];
    const denied: Attributes[] = [
      { verb: "list", resource: "secrets", namespace: release.namespace },
      { verb: "get", resource: "configmaps", namespace: "cdi", name: "cdi-config" },
      { verb: "list", resource: "configmaps", namespace: "cdi" },
      { verb: "create", group: "apps.cozystack.io", resource: "vminstances", namespace: "tenant-acme" },
      { verb: "delete", group: "apps.cozystack.io", resource: "vmdisks", namespace: "tenant-acme" },
      { verb: "update", group: "kubevirt.io", resource: "virtualmachines", namespace: "tenant-acme" },
      { verb: "list", resource: "events", namespace: "tenant-acme" },
      { verb: "create", resource: "pods", namespace: release.namespace },
      { verb: "impersonate", resource: "serviceaccounts", namespace: "kube-system" },
    ];
    for (const attrs of allowed) expect(await can(attrs), `allowed: ${JSON.stringify(attrs)}`).toBe(true);
    for (const attrs of denied) expect(await can(attrs), `denied: ${JSON.stringify(attrs)}`).toBe(false);

    // Only now, with the rights proven, does the integration suite get this identity.
    writeTokenKubeconfig(cluster, token, chartKubeconfigPath(cluster.dir));
  });
});
