/**
 * The part of kube-controller-manager's resource-quota controller the local cluster needs (dev and
 * tests only): it fills `status.hard` and `status.used` of every ResourceQuota. Without a status,
 * the API server's ResourceQuota admission refuses every object the quota covers ("status unknown
 * for quota"; k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go), so a tenant
 * created by the portal, which gets ResourceQuota `tenant-quota`, could not create anything.
 *
 * Usage is recounted once a second: `count/<plural>.<group>` and `services.loadbalancers` by
 * listing; `requests.*`/`limits.*` and PVC counts are 0 (the stand-in runs no pods or PVCs: its
 * guests are QEMU processes and its disks are files). The admission plugin itself adds each
 * admitted object to `status.used` in between, as in a real cluster.
 */
import { request, type AdminClient } from "../kube";

interface ResourceQuota {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

async function getJson<T>(admin: AdminClient, urlPath: string): Promise<T | null> {
  const res = await request(admin, "GET", urlPath);
  return res.status === 200 ? (JSON.parse(res.body) as T) : null;
}

/** Counts what `key` of a quota measures in `namespace` (see the file header). */
async function measure(admin: AdminClient, namespace: string, key: string): Promise<string> {
  const count = /^count\/([a-z0-9.-]+)$/.exec(key);
  if (count) {
    const [plural, ...groupParts] = count[1].split(".");
    const group = groupParts.join(".");
    const base = group ? `/apis/${group}/${await preferredVersion(admin, group)}` : "/api/v1";
    const list = await getJson<{ items: unknown[] }>(admin, `${base}/namespaces/${namespace}/${plural}`);
    return String(list?.items.length ?? 0);
  }
  if (key === "services.loadbalancers" || key === "services") {
    const list = await getJson<{ items: { spec?: { type?: string } }[] }>(admin, `/api/v1/namespaces/${namespace}/services`);
    const items = list?.items ?? [];
    return String(key === "services" ? items.length : items.filter((s) => s.spec?.type === "LoadBalancer").length);
  }
  return "0";
}

const versions = new Map<string, string>();
async function preferredVersion(admin: AdminClient, group: string): Promise<string> {
  if (!versions.has(group)) {
    const g = await getJson<{ preferredVersion?: { version: string } }>(admin, `/apis/${group}`);
    versions.set(group, g?.preferredVersion?.version ?? "v1");
  }
  return versions.get(group)!;
}

/**
 * Starts the loop. It never throws: a failed round is retried on the next tick.
 * @returns stop()
 */
export function startQuotaStatus(opts: { admin: AdminClient; intervalMs?: number; log: (line: string) => void }): { stop(): void } {
  const { admin } = opts;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const list = await getJson<{ items: ResourceQuota[] }>(admin, "/api/v1/resourcequotas");
      for (const rq of list?.items ?? []) {
        const hard = rq.spec?.hard ?? {};
        const used: Record<string, string> = {};
        for (const key of Object.keys(hard)) used[key] = await measure(admin, rq.metadata.namespace, key);
        if (JSON.stringify(rq.status?.hard ?? {}) === JSON.stringify(hard) && JSON.stringify(rq.status?.used ?? {}) === JSON.stringify(used)) continue;
        // A 409 (the admission plugin or an edit changed it meanwhile) is retried next tick.
        await request(admin, "PUT", `/api/v1/namespaces/${rq.metadata.namespace}/resourcequotas/${rq.metadata.name}/status`,
          JSON.stringify({ ...rq, status: { hard, used } }));
      }
    } catch (err) {
      opts.log(`quota status: ${err instanceof Error ? err.message : err}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 1000);
  void tick();
  return { stop: () => clearInterval(timer) };
}
