/**
 * Quotas hold under concurrency, against the real cluster and database: 50 VM creates at once in a
 * tenant with room for 10 VMs leave exactly 10 VMInstances, 40 clear 403 answers and 50 audit rows;
 * the same with 50 disks through the disk route against a storage quota, and a grow past it. Tenant globex (bob, admin); its quota row is set to "what it uses now + room"
 * and restored afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterAdmin, getObject, paths, signIn, uniqueName, type PortalClient } from "./helpers";
import { request as adminRequest } from "../../dev-cluster/kube";
import { getDb } from "../../lib/server/db/db";
import { getTenantAccess, type TenantAccess } from "../../lib/server/tenancy/tenancy";
import { getQuotaUsage } from "../../lib/server/quota/quota";
import type { QuotaAmounts } from "../../lib/shared/quota";

const ns = "tenant-globex";
const GiB = 2 ** 30;
let bob: PortalClient;
let access: TenantAccess;
let savedQuota: Awaited<ReturnType<ReturnType<typeof getDb>["quota"]["findUnique"]>>;

async function setQuota(limits: QuotaAmounts): Promise<void> {
  const data = { ...limits, memoryBytes: BigInt(limits.memoryBytes), storageBytes: BigInt(limits.storageBytes) };
  await getDb().quota.upsert({ where: { tenantId: access.tenant.id }, create: { tenantId: access.tenant.id, ...data }, update: data });
}

async function listNames(urlPath: string, prefix: string): Promise<string[]> {
  const list = await getObject<{ items: { metadata: { name: string } }[] }>(urlPath);
  return (list?.items ?? []).map((i) => i.metadata.name).filter((n) => n.startsWith(prefix));
}

async function deleteAll(urlPath: string, names: string[]): Promise<void> {
  await Promise.all(names.map((n) => adminRequest(clusterAdmin(), "DELETE", `${urlPath}/${n}`)));
}

beforeAll(async () => {
  bob = await signIn("bob", "bob-password");
  const user = await getDb().user.findUniqueOrThrow({ where: { username: "bob" } });
  const found = await getTenantAccess(
    { username: "bob", displayName: "Bob", source: "local", userId: user.id, isPlatformAdmin: false, groups: [] },
    "globex",
  );
  if (!found) throw new Error("bob has no access to globex");
  access = found;
  savedQuota = await getDb().quota.findUnique({ where: { tenantId: access.tenant.id } });
});

afterAll(async () => {
  if (savedQuota) {
    const { cpuMillicores, memoryBytes, storageBytes, vmCount, diskCount, loadBalancers } = savedQuota;
    await getDb().quota.update({
      where: { tenantId: access.tenant.id },
      data: { cpuMillicores, memoryBytes, storageBytes, vmCount, diskCount, loadBalancers },
    });
  }
  await getDb().$disconnect();
});

describe("50 concurrent VM creates with room for 10 VMs", () => {
  const prefix = uniqueName("rush");
  const names = Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`);

  afterAll(async () => {
    await deleteAll(paths.vmInstance(ns), await listNames(paths.vmInstance(ns), prefix));
    await deleteAll(paths.vmDisk(ns), await listNames(paths.vmDisk(ns), prefix));
  });

  it("creates exactly 10, answers 40 clear 403s and writes 50 audit rows", { timeout: 240_000 }, async () => {
    const usage = await getQuotaUsage(access);
    const big = 1e15;
    await setQuota({ cpuMillicores: 1e9, memoryBytes: big, storageBytes: big, vmCount: usage.vmCount + 10, diskCount: 100_000, loadBalancers: 100_000 });

    const answers = await Promise.all(names.map((name) => bob.call("POST", "/api/tenants/globex/vms", {
      name,
      instanceType: "u1.medium",
      instanceProfile: "ubuntu",
      rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "4Gi" },
      runStrategy: "Halted",
    })));

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    const refused = answers.filter((a) => a.status === 403);
    expect(refused, JSON.stringify(answers.filter((a) => a.status !== 201 && a.status !== 403).map((a) => a.body))).toHaveLength(40);
    for (const r of refused) {
      expect(r.body.error.code).toBe("quota_exceeded");
      // names the resource, the request and what remains
      expect(r.body.error.message).toMatch(/VMs: this request needs 1, \d+ of \d+ in use, 0 remaining/);
    }

    expect(await listNames(paths.vmInstance(ns), prefix)).toHaveLength(10);
    // a refused create leaves no root disk behind either
    expect(await listNames(paths.vmDisk(ns), prefix)).toHaveLength(10);

    const audit = await getDb().auditLog.findMany({ where: { action: "vm.create", targetName: { in: names } } });
    expect(audit).toHaveLength(50);
    expect(audit.filter((r) => r.result === "success")).toHaveLength(10);
    const failures = audit.filter((r) => r.result === "failure");
    expect(failures).toHaveLength(40);
    expect(failures[0].errorMessage).toMatch(/Quota of tenant globex exceeded/);
  });

  it("shows the tenant its limits and a usage that counts the new VMs", async () => {
    const res = await bob.call("GET", "/api/tenants/globex/quota");
    expect(res.status).toBe(200);
    expect(res.body.usage.vmCount).toBe(res.body.limits.vmCount);
    // ten u1.medium (1 vCPU, 4 GiB) at least
    expect(res.body.usage.cpuMillicores).toBeGreaterThanOrEqual(10_000);
    expect(res.body.usage.memoryBytes).toBeGreaterThanOrEqual(40 * GiB);
  });
});

describe("50 concurrent disk creates with room for 10 GiB", () => {
  const prefix = uniqueName("pile");

  afterAll(async () => {
    await deleteAll(paths.vmDisk(ns), await listNames(paths.vmDisk(ns), prefix));
  });

  it("creates exactly 10 one-GiB disks through the disk route, refuses 40 with quota_exceeded naming storage, audits 50", { timeout: 240_000 }, async () => {
    const usage = await getQuotaUsage(access);
    const big = 1e15;
    await setQuota({ cpuMillicores: 1e9, memoryBytes: big, storageBytes: usage.storageBytes + 10 * GiB, vmCount: 100_000, diskCount: 100_000, loadBalancers: 100_000 });

    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      bob.call("POST", "/api/tenants/globex/disks", { name: `${prefix}-${i}`, storage: "1Gi" })));

    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    const refused = answers.filter((a) => a.status === 403);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.body.error.code).toBe("quota_exceeded");
      expect(r.body.error.message).toMatch(/storage: this request needs 1 GiB, .* in use, 0 B remaining/);
    }
    expect(await listNames(paths.vmDisk(ns), prefix)).toHaveLength(10);
    const rows = await getDb().auditLog.findMany({ where: { action: "disk.create", targetName: { startsWith: prefix } } });
    expect(rows.map((r) => r.result).sort()).toEqual([...Array(40).fill("failure"), ...Array(10).fill("success")]);
  });

  it("refuses to grow a disk past the storage quota, and lets it grow within it", async () => {
    const [first] = await listNames(paths.vmDisk(ns), prefix);
    const tooBig = await bob.call("PATCH", `/api/tenants/globex/disks/${first}`, { storage: "3Gi" });
    expect(tooBig.status).toBe(403);
    expect(tooBig.body.error.message).toMatch(/storage: this request needs 2 GiB/);
    const usage = await getQuotaUsage(access);
    await setQuota({ cpuMillicores: 1e9, memoryBytes: 1e15, storageBytes: usage.storageBytes + 2 * GiB, vmCount: 100_000, diskCount: 100_000, loadBalancers: 100_000 });
    expect((await bob.call("PATCH", `/api/tenants/globex/disks/${first}`, { storage: "3Gi" })).status).toBe(200);
  });
});
