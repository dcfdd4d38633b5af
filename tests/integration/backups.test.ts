/**
 * Backups and restores through the portal (lib/server/backups/backups.ts) against the real local
 * cluster: Cozystack's backup API (backups.cozystack.io) played by the stand-in, which copies the
 * VM's real disk files. What a user notices: a backup of her VM holds exactly its disk's bytes, a
 * Plan on a one-minute schedule backs it up on time, an expired Backup disappears, a restore brings
 * the old bytes back (in place, or as a copy in another tenant she administers), a BackupJob of a
 * VM that does not exist fails with a message; Cozystack's roles decide who may do what (victor
 * reads, bob sees nothing), and every attempt is audited.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request as adminRequest } from "../../dev-cluster/kube";
import { clusterAdmin, getObject, paths, sampleSshKey, signIn, uniqueName, waitFor, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";
import type { BackupsOverview } from "../../lib/shared/backup";

const clusterDir = process.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");
const diskFile = (ns: string, disk: string) => path.join(clusterDir, "disks", ns, `${disk}.img`);
const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const bk = (ns: string, plural: string, name = "") => `/apis/backups.cozystack.io/v1alpha1/namespaces/${ns}/${plural}${name ? `/${name}` : ""}`;

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
let admin: PortalClient;
const vm = uniqueName("bk");
const rootDisk = `${vm}-os`;
let planName = "";
let planCreatedAt = 0;
let backupName = "";
let backupSha = "";

const overview = async (query = `?vm=${vm}`): Promise<BackupsOverview> => {
  const res = await alice.call("GET", `/api/tenants/acme/backups${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** Writes `bytes` at offset 0 of a disk's file (what a guest writing its disk does to the volume). */
function overwrite(ns: string, disk: string, bytes: Buffer): void {
  const fd = fs.openSync(diskFile(ns, disk), "r+");
  fs.writeSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
}

async function vmState(client: PortalClient, tenant: string, name: string): Promise<string | undefined> {
  const res = await client.call("GET", `/api/tenants/${tenant}/vms`);
  return res.body.find?.((v: { name: string }) => v.name === name)?.powerState;
}

beforeAll(async () => {
  [alice, victor, bob, admin] = await Promise.all([
    signIn("alice", "alice-password"), signIn("victor", "victor-password"), signIn("bob", "bob-password"), signIn("admin", "admin-password"),
  ]);
  const res = await alice.call("POST", "/api/tenants/acme/vms", {
    name: vm, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
    sshKeys: [sampleSshKey], external: false, runStrategy: "Always",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await waitFor(`${vm} Running`, 120_000, async () => (await vmState(alice, "acme", vm)) === "Running" || undefined);
  // A Plan on a one-minute schedule, checked at the end (its first run is at the next minute).
  const plan = await alice.call("POST", `/api/tenants/acme/vms/${vm}/backup-plans`, { cron: "* * * * *" });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  planName = plan.body.name;
  planCreatedAt = Date.now();
}, 180_000);

afterAll(async () => {
  await alice?.call("DELETE", `/api/tenants/acme/vms/${vm}?withDisks=true`);
  await getDb().$disconnect();
});

describe("backups of a VM through the portal", () => {
  it("Back up now: the BackupJob succeeds and its Backup holds the VM's disk, byte for byte (size and sha256), kept 720 h", async () => {
    overwrite("tenant-acme", rootDisk, crypto.randomBytes(64 * 1024));
    backupSha = sha256(diskFile("tenant-acme", rootDisk));
    const res = await alice.call("POST", `/api/tenants/acme/vms/${vm}/backups`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ vm, origin: "manual", plan: null });
    const job = await waitFor("BackupJob Succeeded", 60_000, async () => {
      const j = (await overview()).jobs.find((x) => x.name === res.body.name);
      return j?.phase === "Succeeded" || j?.phase === "Failed" ? j : undefined;
    });
    expect(job).toMatchObject({ phase: "Succeeded", backup: res.body.name, message: null });
    backupName = job.backup!;
    const backup = (await overview()).backups.find((b) => b.name === backupName)!;
    expect(backup).toMatchObject({ vm, phase: "Ready", origin: "manual", checksum: `sha256:${backupSha}`, sizeBytes: fs.statSync(diskFile("tenant-acme", rootDisk)).size });
    expect(Date.parse(backup.expiresAt) - Date.parse(backup.takenAt)).toBe(720 * 3600 * 1000);
    // the tenant's Backups page lists it too
    expect((await overview("")).backups.map((b) => b.name)).toContain(backupName);
    const audit = await getDb().auditLog.findFirst({ where: { action: "backup.create", actor: "alice", targetName: vm, result: "success" } });
    expect(audit).not.toBeNull();
  }, 90_000);

  it("victor (view) sees the backups but may not back up, restore or plan (403); bob (not a member) gets 404 for all", async () => {
    const seen = await victor.call("GET", `/api/tenants/acme/backups?vm=${vm}`);
    expect(seen.status).toBe(200);
    expect(seen.body.backups.map((b: { name: string }) => b.name)).toContain(backupName);
    const attempts: [string, string, unknown][] = [
      ["POST", `/api/tenants/acme/vms/${vm}/backups`, {}],
      ["POST", `/api/tenants/acme/backups/${backupName}/restore`, { mode: "in-place" }],
      ["POST", `/api/tenants/acme/vms/${vm}/backup-plans`, { cron: "0 3 * * *" }],
      ["DELETE", `/api/tenants/acme/backup-plans/${planName}`, undefined],
    ];
    for (const [method, url, body] of attempts) {
      const v = await victor.call(method, url, body);
      expect(v.status, `${method} ${url}`).toBe(403);
      expect(v.body.error.reason).toBe("role_too_low");
      expect((await bob.call(method, url, body)).status, `${method} ${url}`).toBe(404);
    }
    expect((await bob.call("GET", `/api/tenants/acme/backups?vm=${vm}`)).status).toBe(404);
    expect((await bob.call("GET", "/api/tenants/acme/backups")).status).toBe(404);
    const denied = await getDb().auditLog.count({ where: { actor: "victor", action: { in: ["backup.create", "backup.restore", "plan.create", "plan.delete"] }, result: "denied" } });
    expect(denied).toBeGreaterThanOrEqual(4);
    const restores = await getObject<{ items: { spec: { backupRef: { name: string } } }[] }>(bk("tenant-acme", "restorejobs"));
    expect(restores!.items.filter((r) => r.spec.backupRef.name === backupName)).toEqual([]);
  });

  it("refuses a schedule that is not 5-field cron, naming the field", async () => {
    for (const cron of ["every day", "* * * * * *", "61 * * * *"]) {
      const res = await alice.call("POST", `/api/tenants/acme/vms/${vm}/backup-plans`, { cron });
      expect(res.status, cron).toBe(422);
      expect(res.body.error).toMatchObject({ reason: "invalid_field", field: "cron" });
    }
  });

  it("allows at most 4 backup plans per VM (each adds a backup per run that no tenant can delete)", async () => {
    const extra: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await alice.call("POST", `/api/tenants/acme/vms/${vm}/backup-plans`, { cron: `${i} 3 * * *` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      extra.push(res.body.name);
    }
    const fifth = await alice.call("POST", `/api/tenants/acme/vms/${vm}/backup-plans`, { cron: "0 4 * * *" });
    expect(fifth.status).toBe(409);
    expect(fifth.body.error).toMatchObject({ reason: "plan_limit", message: `VM "${vm}" already has 4 backup plans: delete one before adding another.` });
    for (const plan of extra) expect((await alice.call("DELETE", `/api/tenants/acme/backup-plans/${plan}`)).status).toBe(200);
    expect((await overview()).plans.map((p) => p.name)).toEqual([planName]);
  });

  it("a BackupJob of a VM that does not exist fails with a message, shown by the portal", async () => {
    const name = `ghost-${Date.now().toString(36)}`;
    const res = await adminRequest(clusterAdmin(), "POST", bk("tenant-acme", "backupjobs"), JSON.stringify({
      apiVersion: "backups.cozystack.io/v1alpha1", kind: "BackupJob", metadata: { name },
      spec: { applicationRef: { apiGroup: "apps.cozystack.io", kind: "VMInstance", name: "ghost" }, backupClassName: "cozy-default" },
    }));
    expect(res.status, res.body).toBe(201);
    const job = await waitFor("ghost job Failed", 30_000, async () => (await overview("")).jobs.find((j) => j.name === name && j.phase === "Failed"));
    expect(job.message).toBe('VMInstance "ghost" not found in namespace "tenant-acme"');
    // and the portal refuses a backup of a VM that does not exist before asking the cluster
    const refused = await alice.call("POST", "/api/tenants/acme/vms/ghost/backups", {});
    expect(refused.status).toBe(404);
    expect(refused.body.error.reason).toBe("vm_not_found");
  });

  it("an expired Backup disappears (taken more than 720 h ago)", async () => {
    const name = `old-${Date.now().toString(36)}`;
    const takenAt = new Date(Date.now() - 721 * 3600 * 1000).toISOString();
    const res = await adminRequest(clusterAdmin(), "POST", bk("tenant-acme", "backups"), JSON.stringify({
      apiVersion: "backups.cozystack.io/v1alpha1", kind: "Backup", metadata: { name },
      spec: { applicationRef: { apiGroup: "apps.cozystack.io", kind: "VMInstance", name: vm },
        strategyRef: { apiGroup: "strategy.backups.cozystack.io", kind: "Velero", name: "cozy-default-velero-vminstance" }, takenAt },
      status: { phase: "Ready", artifact: { uri: `velero://cozy-velero/tenant-acme-${name}`, sizeBytes: 1 } },
    }));
    expect(res.status, res.body).toBe(201);
    await waitFor("expired Backup gone", 15_000, async () => ((await getObject(bk("tenant-acme", "backups", name))) === null ? true : undefined));
    expect((await overview()).backups.map((b) => b.name)).not.toContain(name);
    expect((await overview()).backups.map((b) => b.name)).toContain(backupName); // a fresh one stays
  });

  it("restores in place: the overwritten disk gets the backup's bytes back, and the VM runs again", async () => {
    overwrite("tenant-acme", rootDisk, crypto.randomBytes(64 * 1024));
    expect(sha256(diskFile("tenant-acme", rootDisk))).not.toBe(backupSha);
    const res = await alice.call("POST", `/api/tenants/acme/backups/${backupName}/restore`, { mode: "in-place" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ backup: backupName, vm, targetTenant: null });
    // a second restore of the same VM while this one runs is refused
    const again = await alice.call("POST", `/api/tenants/acme/backups/${backupName}/restore`, { mode: "in-place" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ reason: "restore_in_progress", message: `A restore of VM "${vm}" is already running; wait for it to finish.` });
    const done = await waitFor("restore final", 90_000, async () => {
      const r = (await overview()).restores.find((x) => x.name === res.body.name);
      return r?.phase === "Succeeded" || r?.phase === "Failed" ? r : undefined;
    });
    expect(done).toMatchObject({ phase: "Succeeded", message: null });
    expect(sha256(diskFile("tenant-acme", rootDisk))).toBe(backupSha);
    await waitFor(`${vm} Running again`, 60_000, async () => (await vmState(alice, "acme", vm)) === "Running" || undefined);
  }, 180_000);

  it("restores as a copy into globex for a user who administers both tenants: a VM there with the same bytes; refused otherwise", async () => {
    const refused = await alice.call("POST", `/api/tenants/acme/backups/${backupName}/restore`, { mode: "copy", tenant: "globex" });
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({ reason: "tenant_not_found", field: "tenant" });
    const same = await alice.call("POST", `/api/tenants/acme/backups/${backupName}/restore`, { mode: "copy", tenant: "acme" });
    expect(same.status).toBe(422);
    expect(same.body.error.field).toBe("tenant");
    const added = await admin.call("POST", "/api/admin/tenants/globex/members", { username: "alice", level: "admin" });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    try {
      const alice2 = await signIn("alice", "alice-password");
      const res = await alice2.call("POST", `/api/tenants/acme/backups/${backupName}/restore`, { mode: "copy", tenant: "globex" });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ vm, targetTenant: "globex" });
      const done = await waitFor("copy final", 90_000, async () => {
        const r = (await overview()).restores.find((x) => x.name === res.body.name);
        return r?.phase === "Succeeded" || r?.phase === "Failed" ? r : undefined;
      });
      expect(done).toMatchObject({ phase: "Succeeded" });
      expect(await getObject(paths.vmInstance("tenant-globex", vm))).not.toBeNull();
      expect(sha256(diskFile("tenant-globex", rootDisk))).toBe(backupSha);
      await waitFor("the copy Running in globex", 60_000, async () => (await vmState(alice2, "globex", vm)) === "Running" || undefined);
      // the source VM was not touched by the copy
      expect(await vmState(alice2, "acme", vm)).toBe("Running");
      // a second copy finds the name taken
      const twice = await alice2.call("POST", `/api/tenants/acme/backups/${backupName}/restore`, { mode: "copy", tenant: "globex" });
      expect(twice.status).toBe(409);
      expect(twice.body.error.reason).toBe("vm_exists_in_tenant");
      expect((await alice2.call("DELETE", `/api/tenants/globex/vms/${vm}?withDisks=true`)).status).toBe(200);
    } finally {
      await admin.call("DELETE", "/api/admin/tenants/globex/members/alice");
    }
  }, 240_000);

  it("the one-minute Plan made a BackupJob at its minute; deleting the Plan takes its jobs, not its backups", async () => {
    const job = await waitFor("a BackupJob of the Plan", 130_000, async () => (await overview()).jobs.find((j) => j.plan === planName && j.phase === "Succeeded"));
    // named after the minute it ran for (plan controller: <plan>-<unix minutes>), created within that minute
    const minute = Number(job.name.slice(planName.length + 1));
    expect(job.name).toBe(`${planName}-${minute}`);
    expect(minute * 60_000).toBeGreaterThan(planCreatedAt - 1000); // the first minute after the Plan was made
    expect(Date.parse(job.createdAt) - minute * 60_000).toBeLessThan(15_000);
    expect(job.origin).toBe("plan");
    const backup = (await overview()).backups.find((b) => b.name === job.backup);
    expect(backup).toMatchObject({ origin: "plan", plan: planName, phase: "Ready" });
    expect((await alice.call("DELETE", `/api/tenants/acme/backup-plans/${planName}`)).status).toBe(200);
    await waitFor("the Plan's jobs gone", 20_000, async () => ((await overview()).jobs.some((j) => j.plan === planName) ? undefined : true));
    const after = await overview();
    expect(after.plans.map((p) => p.name)).not.toContain(planName);
    expect(after.backups.map((b) => b.name)).toContain(job.backup);
  }, 150_000);
});
