/**
 * The VM list served from the shared watch caches (lib/server/k8s/watch-cache.ts) stays what the
 * cluster says, for the same user:
 * - a user whose RoleBinding is removed in the cluster (not in the portal's database) stops being
 *   served within the SubjectAccessReview window (10 s, SECURITY.md), on the list and on an open
 *   stream;
 * - after a burst of 100 creates and deletes written directly into the cluster, the portal's list
 *   equals the API server's list for that user (names and resourceVersions);
 * - the same for the disk list (VMDisk, its DataVolume and the VMInstance using it, from the same
 *   shared caches), whose open stream follows a VM attaching a disk;
 * - the list page's server rendering and the VM and disk streams share one watch per kind.
 */
import https from "node:https";
import { afterAll, describe, expect, it } from "vitest";
import { getConnection } from "../../lib/server/k8s/connection";
import { request as adminRequest } from "../../dev-cluster/kube";
import { clusterAdmin, metricSample, openDiskStream, openListStream, openVmStream, paths, portalUrl, scrapeMetrics, signIn, uniqueName, waitFor, type PortalClient } from "./helpers";

const ns = "tenant-acme";
const rbPath = (name = "") => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings${name ? `/${name}` : ""}`;

/**
 * Lists VMInstances (or the collection at `path`) straight from kube-apiserver as `user` in
 * `group`, impersonated as the portal does: name → resourceVersion.
 */
async function directList(user: string, group: string, path = paths.vmInstance(ns)): Promise<Map<string, string>> {
  const connection = await getConnection();
  const body = await new Promise<string>((resolve, reject) => {
    https.get(`${connection.server}${path}`, {
      agent: connection.agent, headers: { ...connection.authHeaders, Accept: "application/json", "Impersonate-User": user, "Impersonate-Group": [group] },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`direct list: ${res.statusCode}`))));
    }).on("error", reject);
  });
  const items = (JSON.parse(body) as { items: { metadata: { name: string; resourceVersion: string } }[] }).items;
  return new Map(items.map((i) => [i.metadata.name, i.metadata.resourceVersion]));
}

describe("the shared VM cache follows the cluster's RBAC", () => {
  const removed: any[] = [];
  afterAll(async () => {
    for (const rb of removed) {
      const { metadata, ...rest } = rb;
      await adminRequest(clusterAdmin(), "POST", rbPath(), JSON.stringify({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace } }));
    }
  });

  it("stops serving a user within 10 s of their RoleBinding's removal in the cluster, list and stream", async () => {
    const victor = await signIn("victor", "victor-password");
    expect((await victor.call("GET", "/api/tenants/acme/vms")).status).toBe(200);
    expect((await victor.call("GET", "/api/tenants/acme/disks")).status).toBe(200);
    const stream = openVmStream(victor.cookie);
    const diskStream = openDiskStream(victor.cookie);
    expect(await stream.ready).toBe(200);
    expect(await diskStream.ready).toBe(200);
    await waitFor("the streams' snapshots", 10_000, async () =>
      (stream.events.some((e) => e.event === "snapshot") && diskStream.events.some((e) => e.event === "snapshot") ? true : undefined));

    const rb = await adminRequest(clusterAdmin(), "GET", rbPath("tenant-acme-view"));
    expect(rb.status).toBe(200);
    removed.push(JSON.parse(rb.body));
    expect((await adminRequest(clusterAdmin(), "DELETE", rbPath("tenant-acme-view"))).status).toBe(200);
    const t0 = Date.now();
    // The window (10 s), plus what the API server's own RBAC needs to see the removal.
    const windowMs = 10_000 + 500;
    try {
      let lastServedStart = 0;
      const refused = await waitFor("a refusal", 15_000, async () => {
        const start = Date.now();
        const res = await victor.call("GET", "/api/tenants/acme/vms");
        if (res.status !== 200) return res;
        lastServedStart = start;
        return undefined;
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.reason).toBe("cluster_forbidden");
      // No request that started after the window was served.
      expect(lastServedStart - t0).toBeLessThanOrEqual(windowMs);
      // The open stream stops sending rows and says why (it checks every second).
      const said = await waitFor("the stream's refusal", 15_000, async () =>
        stream.events.find((e) => e.event === "unavailable" && e.data.code === "forbidden"));
      expect(said.at - t0).toBeLessThanOrEqual(windowMs + 1000);
      expect(stream.events.slice(stream.events.indexOf(said)).some((e) => e.event === "snapshot" || e.event === "upsert")).toBe(false);
      // The disk list, served from the same kind of caches, is refused the same way.
      const disksRefused = await victor.call("GET", "/api/tenants/acme/disks");
      expect(disksRefused.status).toBe(403);
      expect(disksRefused.body.error.reason).toBe("cluster_forbidden");
      const diskSaid = await waitFor("the disk stream's refusal", 15_000, async () =>
        diskStream.events.find((e) => e.event === "unavailable" && e.data.code === "forbidden"));
      expect(diskSaid.at - t0).toBeLessThanOrEqual(windowMs + 1000);
      expect(diskStream.events.slice(diskStream.events.indexOf(diskSaid)).some((e) => e.event === "snapshot" || e.event === "upsert")).toBe(false);
      // alice (another group) is still served.
      const alice = await signIn("alice", "alice-password");
      expect((await alice.call("GET", "/api/tenants/acme/vms")).status).toBe(200);
    } finally {
      stream.close();
      diskStream.close();
      const back = removed.pop();
      const { metadata, ...rest } = back;
      await adminRequest(clusterAdmin(), "POST", rbPath(), JSON.stringify({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace } }));
    }
    // Once the RoleBinding is back, the user is served again within the window.
    const again = await waitFor("service again", 15_000, async () => {
      const res = await victor.call("GET", "/api/tenants/acme/vms");
      return res.status === 200 ? res : undefined;
    });
    expect(Array.isArray(again.body)).toBe(true);
  }, 60_000);

  it("equals the API server's list for the same user after a burst of 100 creates and deletes", async () => {
    const alice = await signIn("alice", "alice-password");
    expect((await alice.call("GET", "/api/tenants/acme/vms")).status).toBe(200); // the cache is running
    const prefix = uniqueName("burst");
    const names = Array.from({ length: 100 }, (_, i) => `${prefix}-${i}`);
    const create = async (name: string) => {
      const vmi = { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name },
        spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Halted", disks: [], external: false, externalPorts: [22] } };
      const res = await adminRequest(clusterAdmin(), "POST", paths.vmInstance(ns), JSON.stringify(vmi));
      expect(res.status).toBe(201);
    };
    const remove = async (name: string) => {
      const res = await adminRequest(clusterAdmin(), "DELETE", paths.vmInstance(ns, name));
      expect([200, 202]).toContain(res.status);
    };
    try {
      // 100 creates, every other one deleted while the burst goes on, 10 at a time.
      for (let i = 0; i < names.length; i += 10) {
        const batch = names.slice(i, i + 10);
        await Promise.all(batch.map(create));
        await Promise.all(batch.filter((_, k) => k % 2 === 0).map(remove));
      }
      const mine = (rows: Map<string, string>) => [...rows].filter(([n]) => n.startsWith(`${prefix}-`)).sort();
      // The same names and resourceVersions on both sides, once the watch has delivered the burst.
      const equal = await waitFor("the cached list to equal the API server's", 10_000, async () => {
        const direct = await directList("alice", "tenant-acme-admin");
        const res = await alice.call("GET", "/api/tenants/acme/vms");
        const portal = new Map<string, string>((res.body as { name: string; resourceVersion: string }[]).map((r) => [r.name, r.resourceVersion]));
        return JSON.stringify([...direct].sort()) === JSON.stringify([...portal].sort()) ? { direct, portal } : undefined;
      });
      expect(mine(equal.portal)).toHaveLength(50);
      expect(mine(equal.portal)).toEqual(mine(equal.direct));
      // Pages for API clients walk the same rows.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { name: string }[]; nextCursor: string | null } } =
          await alice.call("GET", `/api/tenants/acme/vms?q=${prefix}&sort=name&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((r) => r.name));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(mine(equal.direct).map(([n]) => n).sort());
    } finally {
      await Promise.all(names.map((n) => adminRequest(clusterAdmin(), "DELETE", paths.vmInstance(ns, n))));
    }
  }, 90_000);

  it("serves the disk list from the shared caches: equal to the API server's after a burst, and live when a VM takes a disk", async () => {
    const alice = await signIn("alice", "alice-password");
    expect((await alice.call("GET", "/api/tenants/acme/disks")).status).toBe(200); // the caches are running
    const stream = openDiskStream(alice.cookie);
    expect(await stream.ready).toBe(200);
    await waitFor("the disk stream's snapshot", 10_000, async () => (stream.events.some((e) => e.event === "snapshot") ? true : undefined));
    const prefix = uniqueName("dburst");
    const names = Array.from({ length: 30 }, (_, i) => `${prefix}-${i}`);
    const vmName = `${prefix}-vm`;
    const create = async (name: string) => {
      const disk = { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name }, spec: { storage: "1Gi", storageClass: "replicated", optical: false } };
      const res = await adminRequest(clusterAdmin(), "POST", paths.vmDisk(ns), JSON.stringify(disk));
      expect(res.status).toBe(201);
    };
    const remove = async (name: string) => {
      const res = await adminRequest(clusterAdmin(), "DELETE", paths.vmDisk(ns, name));
      expect([200, 202, 404]).toContain(res.status);
    };
    try {
      // 30 creates, every other one deleted while the burst goes on, 10 at a time.
      for (let i = 0; i < names.length; i += 10) {
        const batch = names.slice(i, i + 10);
        await Promise.all(batch.map(create));
        await Promise.all(batch.filter((_, k) => k % 2 === 0).map(remove));
      }
      const mine = (rows: Map<string, string>) => [...rows].filter(([n]) => n.startsWith(`${prefix}-`)).sort();
      const equal = await waitFor("the cached disk list to equal the API server's", 10_000, async () => {
        const direct = await directList("alice", "tenant-acme-admin", paths.vmDisk(ns));
        const res = await alice.call("GET", "/api/tenants/acme/disks");
        const portal = new Map<string, string>((res.body as { name: string; resourceVersion: string }[]).map((r) => [r.name, r.resourceVersion]));
        return JSON.stringify([...direct].sort()) === JSON.stringify([...portal].sort()) ? { direct, portal } : undefined;
      });
      expect(mine(equal.portal)).toHaveLength(15);
      expect(mine(equal.portal)).toEqual(mine(equal.direct));
      // the disk page comes with its rows rendered on the server (no list request from the browser)
      const html = await (await fetch(`${portalUrl}/t/acme/disks`, { headers: { cookie: alice.cookie } })).text();
      const rendered = [...html.matchAll(/<th scope="row"[^>]*><span class="font-mono[^"]*">([a-z0-9-]+)<\/span>/g)].map((m) => m[1]);
      expect(rendered.filter((n) => n.startsWith(`${prefix}-`)).sort()).toEqual(mine(equal.portal).map(([n]) => n));

      // A VM written straight into the cluster takes disk 1: the open stream and the list say so.
      const taken = names[1];
      const vmi = { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: vmName },
        spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Halted", disks: [{ name: taken }], external: false, externalPorts: [22] } };
      expect((await adminRequest(clusterAdmin(), "POST", paths.vmInstance(ns), JSON.stringify(vmi))).status).toBe(201);
      const t0 = Date.now();
      const upsert = await waitFor("the disk stream's upsert naming the VM", 10_000, async () =>
        stream.events.find((e) => e.event === "upsert" && e.data.name === taken && e.data.attachedTo === vmName));
      expect(upsert.at - t0).toBeLessThan(5000);
      const listed = await alice.call("GET", "/api/tenants/acme/disks");
      expect((listed.body as { name: string; attachedTo: string | null }[]).find((r) => r.name === taken)?.attachedTo).toBe(vmName);
      // The deleted disks were removed from the stream too.
      expect(stream.events.some((e) => e.event === "remove" && e.data.name === names[0])).toBe(true);
    } finally {
      stream.close();
      await adminRequest(clusterAdmin(), "DELETE", paths.vmInstance(ns, vmName));
      await Promise.all(names.map(remove));
    }
  }, 90_000);
});

describe("one upstream watch per kind for a tenant, however its lists are opened", () => {
  const suffix = Math.random().toString(36).replace(/[^a-z]/g, "").slice(0, 6);
  const tenant = `wat${suffix}`;
  const GiB = 2 ** 30;
  let admin: PortalClient;
  afterAll(async () => {
    await admin?.call("DELETE", `/api/admin/tenants/${tenant}?confirm=${tenant}`);
  });

  /** Open upstream watches by resource, from the portal's /metrics. */
  async function watches(): Promise<Record<string, number>> {
    const text = await scrapeMetrics();
    return Object.fromEntries(["vminstances", "virtualmachines", "vmdisks", "datavolumes"]
      .map((resource) => [resource, metricSample(text, "hikube_upstream_watches_open", { resource })]));
  }

  /**
   * Review finding (issue 13): Next compiles pages and route handlers separately, each with its own
   * copy of the watch cache module, so the page's server rendering and the live lists each started
   * a watch per kind, and the stream never recognised the rows the page had rendered.
   */
  it("shares the caches between the page's server rendering and the VM and disk streams: one watch per kind, and the stream answers `current` for the rendered rows", async () => {
    admin = await signIn("admin", "admin-password");
    const quota = { cpuMillicores: 4000, memoryBytes: 8 * GiB, storageBytes: 20 * GiB, vmCount: 2, diskCount: 2, loadBalancers: 0 };
    const created = await admin.call("POST", "/api/admin/tenants", { name: tenant, displayName: "Watch Test", quota });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const member = await admin.call("POST", `/api/admin/tenants/${tenant}/members`, { username: `w${suffix}`, level: "view", password: "watcher-password" });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const viewer = await signIn(`w${suffix}`, "watcher-password");
    const before = await watches();

    // the list page, rendered on the server from the tenant's caches, carries its rows' version
    const page = await fetch(`${portalUrl}/t/${tenant}/vms`, { headers: { cookie: viewer.cookie } });
    expect(page.status).toBe(200);
    const version = /\\?"version\\?":\\?"([a-z0-9]+\.\d+\.[a-z0-9]+\.\d+)\\?"/.exec(await page.text())?.[1];
    expect(version, "the page's rows come from the caches, with their version").toBeDefined();

    const streams = [
      openListStream(viewer.cookie, `/api/tenants/${tenant}/vms/events?known=${version}`),
      openVmStream(viewer.cookie, tenant), openVmStream(viewer.cookie, tenant),
      openDiskStream(viewer.cookie, tenant), openDiskStream(viewer.cookie, tenant), openDiskStream(viewer.cookie, tenant),
    ];
    try {
      expect(await Promise.all(streams.map((s) => s.ready))).toEqual(streams.map(() => 200));
      await waitFor("a first event on every stream", 15_000, async () => (streams.every((s) => s.events.length > 0) ? true : undefined));
      // the rows the page rendered are still the cache's: no snapshot needed
      expect(streams[0].events[0].event).toBe("current");
      expect(streams[1].events[0].event).toBe("snapshot");
      const after = await watches();
      expect(Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]))).toEqual({ vminstances: 1, virtualmachines: 1, vmdisks: 1, datavolumes: 1 });
    } finally {
      for (const s of streams) s.close();
    }
  }, 60_000);
});
