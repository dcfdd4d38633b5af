/**
 * Issue 10, defect 10 (second half): the audit log is keyed by tenant id, not by tenant name.
 *
 * Regression: lib/server/audit/query.ts filtered a tenant's log by `tenantName`, so a tenant
 * deleted and re-created under the same name showed the old tenant's rows to the new tenant's
 * admins (page and CSV export alike). Now a tenant's log is the rows of its id; a deleted tenant's
 * history (rows whose tenantId was set to null) stays readable by platform admins: by its name
 * while no tenant of that name exists, and in the unfiltered log (here narrowed by action and
 * time) at any time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { clusterAdmin, getObject, portalUrl, signIn, type PortalClient } from "./helpers";
import { request as adminRequest } from "../../dev-cluster/kube";
import { getDb } from "../../lib/server/db/db";

const GiB = 2 ** 30;
const suffix = Math.random().toString(36).replace(/[^a-z]/g, "").slice(0, 6);
const tenant = `reborn${suffix}`;
const ns = `tenant-${tenant}`;
const quota = { cpuMillicores: 2000, memoryBytes: 4 * GiB, storageBytes: 20 * GiB, vmCount: 2, diskCount: 4, loadBalancers: 0 };
/** Markers of the old tenant's rows: its display name (in the update's request) and a disk name. */
const oldMarker = `Old incarnation ${suffix}`;
const oldDisk = `olddisk${suffix}`;
const newAdmin = `rebornadm${suffix}`;
const start = new Date(Date.now() - 1000).toISOString();

let admin: PortalClient;
let oldRowIds: string[] = [];

type Row = { id: string; tenantName: string; action: string; targetName: string | null; requestSummary: string };

async function page(client: PortalClient, query: string): Promise<Row[]> {
  const res = await client.call("GET", `/api/audit?${query}&limit=200`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

async function exportCsv(client: PortalClient, query: string): Promise<Record<string, string>[]> {
  const res = await fetch(`${portalUrl}/api/audit/export?format=csv&${query}`, { headers: { cookie: client.cookie } });
  expect(res.status).toBe(200);
  return parse(await res.text(), { columns: true }) as Record<string, string>[];
}

/**
 * Finishes the deletion of namespace `name` as the namespace controller would (the local cluster
 * runs none): deletes what the tenant put in it, clears its finalizers, deletes it again.
 */
async function finishNamespaceDeletion(name: string): Promise<void> {
  const client = clusterAdmin();
  for (const collection of [
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${name}/rolebindings`,
    `/api/v1/namespaces/${name}/resourcequotas`,
    `/api/v1/namespaces/${name}/limitranges`,
  ]) {
    const res = await adminRequest(client, "DELETE", collection);
    expect(res.status, res.body).toBeLessThan(300);
  }
  const current = await getObject(`/api/v1/namespaces/${name}`);
  if (!current) return;
  const finalized = { ...current, spec: { ...current.spec, finalizers: [] } };
  const fin = await adminRequest(client, "PUT", `/api/v1/namespaces/${name}/finalize`, JSON.stringify(finalized), "application/json");
  expect(fin.status, fin.body).toBe(200);
  await adminRequest(client, "DELETE", `/api/v1/namespaces/${name}`);
  const deadline = Date.now() + 10_000;
  while (await getObject(`/api/v1/namespaces/${name}`)) {
    if (Date.now() > deadline) throw new Error(`namespace ${name} is still there`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  admin = await signIn("admin", "admin-password");
});

afterAll(async () => {
  await admin.call("DELETE", `/api/admin/tenants/${tenant}?confirm=${tenant}`).catch(() => {});
  await getDb().$disconnect();
});

describe("a tenant re-created under a deleted tenant's name starts with an empty log", () => {
  it("writes the first tenant's rows under its id", async () => {
    expect((await admin.call("POST", "/api/admin/tenants", { name: tenant, displayName: "First", quota })).status).toBe(201);
    expect((await admin.call("PATCH", `/api/admin/tenants/${tenant}`, { displayName: oldMarker })).status).toBe(200);
    // a tenant route's mutation: refused (no such disk) but audited in the tenant
    expect((await admin.call("DELETE", `/api/tenants/${tenant}/disks/${oldDisk}`)).status).toBe(404);
    const rows = await page(admin, `tenant=${tenant}`);
    expect(rows.map((r) => r.action).sort()).toEqual(["disk.delete", "tenant.create", "tenant.update"]);
    oldRowIds = rows.map((r) => r.id);
  });

  it("keeps the deleted tenant's history readable by name while no tenant has that name", async () => {
    const res = await admin.call("DELETE", `/api/admin/tenants/${tenant}?confirm=${tenant}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await finishNamespaceDeletion(ns);
    const ids = (await page(admin, `tenant=${tenant}`)).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(oldRowIds));
    expect(ids).toHaveLength(oldRowIds.length + 1); // + the tenant.delete row
  });

  it("shows the new tenant's admins none of the old rows, in the page and in the CSV export", async () => {
    const created = await admin.call("POST", "/api/admin/tenants", { name: tenant, displayName: "Second", quota });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const member = await admin.call("POST", `/api/admin/tenants/${tenant}/members`, { username: newAdmin, level: "admin", password: "reborn-password" });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const tenantAdmin = await signIn(newAdmin, "reborn-password");

    const rows = await page(tenantAdmin, `tenant=${tenant}`);
    expect(rows.map((r) => r.action).sort()).toEqual(["member.create", "tenant.create"]);
    expect(rows.map((r) => r.id).filter((id) => oldRowIds.includes(id))).toEqual([]);
    expect(JSON.stringify(rows)).not.toContain(oldMarker);

    const csv = await exportCsv(tenantAdmin, `tenant=${tenant}`);
    expect(csv.map((r) => r.action).sort()).toEqual(["member.create", "tenant.create"]);
    expect(csv.some((r) => r.requestSummary.includes(oldMarker) || r.targetName === oldDisk)).toBe(false);
  });

  it("gives platform admins the new tenant's rows by its name too, and the old rows in the unfiltered log", async () => {
    const byName = await page(admin, `tenant=${tenant}`);
    expect(byName.map((r) => r.action).sort()).toEqual(["member.create", "tenant.create"]);
    const csvByName = await exportCsv(admin, `tenant=${tenant}`);
    expect(csvByName).toHaveLength(2);

    const since = encodeURIComponent(start);
    const updates = await page(admin, `action=tenant.update&actor=admin&from=${since}`);
    expect(updates.some((r) => oldRowIds.includes(r.id) && r.tenantName === tenant && r.requestSummary.includes(oldMarker))).toBe(true);
    const csvAll = await exportCsv(admin, `action=disk.delete&actor=admin&from=${since}`);
    expect(csvAll.some((r) => r.tenantName === tenant && r.targetName === oldDisk)).toBe(true);
  });

  it("keeps tenant admins out of the deleted tenant's history under another name, and of other tenants", async () => {
    const tenantAdmin = await signIn(newAdmin, "reborn-password");
    expect((await tenantAdmin.call("GET", "/api/audit")).status).toBe(422);
    expect((await tenantAdmin.call("GET", "/api/audit?tenant=acme")).status).toBe(404);
    const res = await fetch(`${portalUrl}/api/audit/export?format=csv&tenant=acme`, { headers: { cookie: tenantAdmin.cookie } });
    expect(res.status).toBe(404);
  });
});
