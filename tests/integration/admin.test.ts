/**
 * The platform admin's API against the real cluster and database: non-admins are refused (403,
 * audited) on every admin route; a tenant is created with its namespace, RoleBindings,
 * ResourceQuota and LimitRange, and rolled back when a later step fails; members are added (a new
 * local account signs in and sees the tenant), changed and removed; a quota edit reaches the
 * ResourceQuota within 1 s and needs a confirmation below usage; a tenant is deleted only when empty.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, getObject, paths, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let admin: PortalClient;
let alice: PortalClient;
let victor: PortalClient;
const GiB = 2 ** 30;
const suffix = Math.random().toString(36).replace(/[^a-z]/g, "").slice(0, 6);
const tenant = `adm${suffix}`;
const ns = `tenant-${tenant}`;
const quota = { cpuMillicores: 8000, memoryBytes: 32 * GiB, storageBytes: 200 * GiB, vmCount: 5, diskCount: 10, loadBalancers: 2 };

const rbPath = (namespace: string, name = "") => `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings${name ? `/${name}` : ""}`;
const rqPath = (namespace: string) => `/api/v1/namespaces/${namespace}/resourcequotas/tenant-quota`;
const lrPath = (namespace: string) => `/api/v1/namespaces/${namespace}/limitranges/tenant-limits`;

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() - start > timeoutMs) return { value, ms: Date.now() - start };
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  [admin, alice, victor] = await Promise.all([
    signIn("admin", "admin-password"),
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
  ]);
});

afterAll(async () => {
  await getDb().$disconnect();
});

describe("only platform admins", () => {
  const routes: [string, string, unknown?][] = [
    ["GET", "/api/admin/tenants"],
    ["POST", "/api/admin/tenants", { name: "sneaky", displayName: "Sneaky", quota }],
    ["PATCH", "/api/admin/tenants/acme", { displayName: "Mine now" }],
    ["DELETE", "/api/admin/tenants/acme?confirm=acme"],
    ["GET", "/api/admin/tenants/acme/members"],
    ["POST", "/api/admin/tenants/acme/members", { username: "mallory", level: "super-admin", password: "mallory-password" }],
    ["PATCH", "/api/admin/tenants/acme/members/victor", { level: "super-admin" }],
    ["DELETE", "/api/admin/tenants/acme/members/victor"],
    ["GET", "/api/admin/tenants/acme/quota"],
    ["PUT", "/api/admin/tenants/acme/quota", quota],
  ];

  it.each(routes)("refuses %s %s to alice (tenant admin) and victor with 403, and audits it", async (method, path, body) => {
    const since = new Date();
    for (const who of [alice, victor]) {
      const res = await who.call(method, path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.message).toMatch(/platform administrators/);
    }
    const rows = await getDb().auditLog.findMany({ where: { createdAt: { gte: since }, actor: { in: ["alice", "victor"] }, result: "denied" } });
    expect(rows.map((r) => r.actor).sort()).toEqual(["alice", "victor"]);
  });

  it("answers 401 without a session and changed nothing", async () => {
    expect((await anonymous.call("GET", "/api/admin/tenants")).status).toBe(401);
    expect((await alice.call("GET", "/api/tenants")).body).toEqual([{ name: "acme", displayName: "ACME Corporation", role: "admin" }]);
    expect(await getDb().user.findUnique({ where: { username: "mallory" } })).toBeNull();
  });
});

describe("tenant lifecycle", () => {
  it("creates the tenant: namespace, four RoleBindings, ResourceQuota, LimitRange, rows", async () => {
    const res = await admin.call("POST", "/api/admin/tenants", { name: tenant, displayName: "Admin Test", quota });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: tenant, namespace: ns, displayName: "Admin Test", quota });

    expect((await getObject(`/api/v1/namespaces/${ns}`)).metadata.labels).toMatchObject({ "tenant.cozystack.io/name": tenant });
    const bindings = (await getObject(rbPath(ns))).items;
    expect(bindings.map((b: { roleRef: { name: string }; subjects: { name: string }[] }) => [b.roleRef.name, b.subjects[0].name]).sort()).toEqual([
      ["hikube:tenant:admin", `tenant-${tenant}-admin`],
      ["hikube:tenant:super-admin", `tenant-${tenant}-super-admin`],
      ["hikube:tenant:use", `tenant-${tenant}-use`],
      ["hikube:tenant:view", `tenant-${tenant}-view`],
    ]);
    expect((await getObject(rqPath(ns))).spec.hard).toEqual({
      "requests.cpu": "8",
      "requests.memory": String(32 * GiB),
      "requests.storage": String(200 * GiB),
      "count/vminstances.apps.cozystack.io": "5",
      "count/vmdisks.apps.cozystack.io": "10",
      "services.loadbalancers": "2",
    });
    expect(await getObject(lrPath(ns))).not.toBeNull();
    const row = await getDb().tenant.findUnique({ where: { name: tenant }, include: { quota: true } });
    expect(row?.quota?.vmCount).toBe(5);

    const list = await admin.call("GET", "/api/admin/tenants");
    expect(list.body.map((t: { name: string }) => t.name)).toContain(tenant);
  });

  it("refuses a taken name (409) and a bad name (422), both on field name", async () => {
    const taken = await admin.call("POST", "/api/admin/tenants", { name: tenant, displayName: "Again", quota });
    expect(taken.status).toBe(409);
    expect(taken.body.error.field).toBe("name");
    const bad = await admin.call("POST", "/api/admin/tenants", { name: "Bad-Name", displayName: "Bad", quota });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("name");
  });

  it("rolls back the cluster objects when the database step fails", async () => {
    const name = `rb${suffix}`;
    // A row that already claims the namespace makes the final insert fail (unique namespace).
    const squatter = await getDb().tenant.create({ data: { name: `sq${suffix}`, namespace: `tenant-${name}`, displayName: "Squatter" } });
    try {
      const res = await admin.call("POST", "/api/admin/tenants", { name, displayName: "Rolled back", quota });
      expect(res.status).toBe(409);
      expect(await getDb().tenant.findUnique({ where: { name } })).toBeNull();
      expect((await getObject(rbPath(`tenant-${name}`))).items).toEqual([]);
      expect(await getObject(rqPath(`tenant-${name}`))).toBeNull();
      expect(await getObject(lrPath(`tenant-${name}`))).toBeNull();
      const nsObj = await getObject(`/api/v1/namespaces/tenant-${name}`);
      // gone, or going (the local cluster has no namespace controller to finish the deletion)
      expect(nsObj === null || Boolean(nsObj.metadata.deletionTimestamp)).toBe(true);
    } finally {
      await getDb().tenant.delete({ where: { id: squatter.id } });
    }
  });

  it("renames the display name", async () => {
    const res = await admin.call("PATCH", `/api/admin/tenants/${tenant}`, { displayName: "Admin Test Renamed" });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe("Admin Test Renamed");
  });
});

describe("members", () => {
  const username = `user${suffix}`;

  it("adds a new local account that can sign in and sees the tenant at its level", async () => {
    const res = await admin.call("POST", `/api/admin/tenants/${tenant}/members`, { username, level: "admin", displayName: "New Colleague", password: "colleague-password" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const user = await signIn(username, "colleague-password");
    expect((await user.call("GET", "/api/tenants")).body).toEqual([{ name: tenant, displayName: "Admin Test Renamed", role: "admin" }]);
    const audit = await getDb().auditLog.findFirst({ where: { action: "member.create", targetName: username } });
    expect(audit?.requestSummary).not.toContain("colleague-password");
  });

  it("refuses a duplicate (409) and an unknown user without a password (422 on password)", async () => {
    const dup = await admin.call("POST", `/api/admin/tenants/${tenant}/members`, { username, level: "view" });
    expect(dup.status).toBe(409);
    const nobody = await admin.call("POST", `/api/admin/tenants/${tenant}/members`, { username: `ghost${suffix}`, level: "view" });
    expect(nobody.status).toBe(422);
    expect(nobody.body.error.field).toBe("password");
  });

  it("changes the level and removes the member, effective at once", async () => {
    const user = await signIn(username, "colleague-password");
    expect((await admin.call("PATCH", `/api/admin/tenants/${tenant}/members/${username}`, { level: "view" })).status).toBe(200);
    expect((await user.call("GET", "/api/tenants")).body[0].role).toBe("view");
    const members = await admin.call("GET", `/api/admin/tenants/${tenant}/members`);
    expect(members.body).toEqual([{ username, displayName: "New Colleague", level: "view", source: "local" }]);
    expect((await admin.call("DELETE", `/api/admin/tenants/${tenant}/members/${username}`)).status).toBe(200);
    expect((await user.call("GET", "/api/tenants")).body).toEqual([]);
    // back as admin for the quota tests below
    expect((await admin.call("POST", `/api/admin/tenants/${tenant}/members`, { username, level: "admin" })).status).toBe(201);
  });
});

describe("quota edits", () => {
  const username = `user${suffix}`;
  const vm = uniqueName("q");

  it("shows a new quota in the namespace's ResourceQuota within 1 s", async () => {
    const res = await admin.call("PUT", `/api/admin/tenants/${tenant}/quota`, { ...quota, vmCount: 7 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { value, ms } = await waitFor(() => getObject(rqPath(ns)), (rq) => rq?.spec.hard["count/vminstances.apps.cozystack.io"] === "7", 1000);
    expect(value.spec.hard["count/vminstances.apps.cozystack.io"]).toBe("7");
    expect(ms).toBeLessThan(1000);
    expect((await getDb().quota.findFirst({ where: { tenant: { name: tenant } } }))?.vmCount).toBe(7);
  });

  it("needs a confirmation to go below usage, and says what is over", async () => {
    // the stand-in fills the ResourceQuota's status, without which the API server refuses creates
    await waitFor(() => getObject(rqPath(ns)), (rq) => rq?.status?.hard?.["count/vminstances.apps.cozystack.io"] === "7", 10_000);
    const user = await signIn(username, "colleague-password");
    const created = await user.call("POST", `/api/tenants/${tenant}/vms`, {
      name: vm, instanceType: "u1.medium", instanceProfile: "ubuntu",
      rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "10Gi" }, runStrategy: "Halted",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const lowered = { ...quota, vmCount: 0, storageBytes: 5 * GiB };
    const refused = await admin.call("PUT", `/api/admin/tenants/${tenant}/quota`, lowered);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/VMs \(1 in use, new limit 0\)/);
    expect(refused.body.error.details.over.map((o: { resource: string }) => o.resource)).toEqual(["storageBytes", "vmCount"]);
    expect((await getObject(rqPath(ns))).spec.hard["count/vminstances.apps.cozystack.io"]).toBe("7");

    const confirmed = await admin.call("PUT", `/api/admin/tenants/${tenant}/quota`, { ...lowered, confirmOverUsage: true });
    expect(confirmed.status).toBe(200);
    expect((await getObject(rqPath(ns))).spec.hard["count/vminstances.apps.cozystack.io"]).toBe("0");
    const next = await user.call("POST", `/api/tenants/${tenant}/vms`, {
      name: uniqueName("q"), instanceType: "u1.medium", instanceProfile: "ubuntu",
      rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "4Gi" }, runStrategy: "Halted",
    });
    expect(next.status).toBe(403);
    expect(next.body.error.code).toBe("quota_exceeded");
  });

  it("deletes the tenant only when empty and with its name typed", async () => {
    const notEmpty = await admin.call("DELETE", `/api/admin/tenants/${tenant}?confirm=${tenant}`);
    expect(notEmpty.status).toBe(409);
    expect(notEmpty.body.error.message).toMatch(/1 VM\(s\) and 1 disk\(s\)/);
    const wrong = await admin.call("DELETE", `/api/admin/tenants/${tenant}?confirm=acme`);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.field).toBe("confirm");

    const user = await signIn(username, "colleague-password");
    expect((await user.call("DELETE", `/api/tenants/${tenant}/vms/${vm}?withDisks=true`)).status).toBe(200);
    await waitFor(() => getObject(paths.vmInstance(ns, vm)), (o) => o === null, 5000);
    const res = await admin.call("DELETE", `/api/admin/tenants/${tenant}?confirm=${tenant}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await getDb().tenant.findUnique({ where: { name: tenant } })).toBeNull();
    const nsObj = await getObject(`/api/v1/namespaces/${ns}`);
    expect(nsObj === null || Boolean(nsObj.metadata.deletionTimestamp)).toBe(true);
    // the audit trail keeps the tenant's name
    const rows = await getDb().auditLog.findMany({ where: { tenantName: tenant, action: "tenant.delete" } });
    expect(rows.map((r) => r.result).sort()).toEqual(["failure", "failure", "success"]);
  });
});
