/**
 * The stand-in's backup side against a real kube-apiserver (its own local cluster): the disk
 * controller and the backup controller with real files, the VM controller with an in-memory guest
 * runtime (what is checked is the objects, phases and bytes; real guests write and read their
 * disks in the portal's end-to-end test). Cozystack's RBAC for backups is checked by impersonation.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminGetJson, eventually, portalAccess } from "./test-support";
import type { AdminClient } from "../kube";
import type { GuestRuntime } from "./controller";

const dir = path.resolve(".local", `standin-backups-${process.pid}`);
process.env.HIKUBE_CLUSTER_DIR = dir;
process.env.HIKUBE_STANDIN = "off";

let admin: AdminClient;
let kube: typeof import("../kube");
let cluster: typeof import("../cluster");
const stops: (() => Promise<void>)[] = [];
const running = new Set<string>();
/** What the runtime was asked, in order: `start ns/vm`, `pause ns/vm`… */
const calls: string[] = [];
const ttlSeconds = 12;

const fakeGuests: GuestRuntime = {
  async start(key) {
    running.add(key);
    calls.push(`start ${key}`);
  },
  async stop(key) {
    running.delete(key);
    calls.push(`stop ${key}`);
  },
  isRunning: (key) => running.has(key),
  async pause(key) {
    calls.push(`pause ${key}`);
  },
  async resume(key) {
    calls.push(`resume ${key}`);
  },
  onExit: () => {},
};

const acme = "tenant-acme";
const globex = "tenant-globex";
const apps = (ns: string, plural: string, name = "") => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/${plural}${name ? `/${name}` : ""}`;
const bk = (ns: string, plural: string, name = "") => `/apis/backups.cozystack.io/v1alpha1/namespaces/${ns}/${plural}${name ? `/${name}` : ""}`;
const getJson = (p: string) => adminGetJson(admin, p);
const diskPath = (ns: string, disk: string) => path.join(dir, "disks", ns, `${disk}.img`);
const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

async function post(p: string, obj: unknown) {
  const res = await kube.request(admin, "POST", p, JSON.stringify(obj));
  expect(res.status, res.body).toBe(201);
  return JSON.parse(res.body);
}

/** Writes `bytes` at offset 0 of a disk's file, as a guest writing its disk would. */
function writeMarker(ns: string, disk: string, bytes: Buffer) {
  const fd = fs.openSync(diskPath(ns, disk), "r+");
  fs.writeSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
}
const readMarker = (ns: string, disk: string, n: number) => {
  const fd = fs.openSync(diskPath(ns, disk), "r");
  const buf = Buffer.alloc(n);
  fs.readSync(fd, buf, 0, n, 0);
  fs.closeSync(fd);
  return buf;
};

const job = (name: string, applicationRef: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "backups.cozystack.io/v1alpha1", kind: "BackupJob", metadata: { name },
  spec: { applicationRef, backupClassName: "cozy-default", ...extra },
});
const restore = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "backups.cozystack.io/v1alpha1", kind: "RestoreJob", metadata: { name }, spec });
const finished = (ns: string, plural: string, name: string, timeoutMs = 30_000) => eventually(`${plural}/${name} final`, async () => {
  const o = await getJson(bk(ns, plural, name));
  return (o?.status?.phase === "Succeeded" || o?.status?.phase === "Failed") && o;
}, timeoutMs);

beforeAll(async () => {
  cluster = await import("../cluster");
  kube = await import("../kube");
  const { startController } = await import("./controller");
  const { startDiskController, diskFile } = await import("./datavolumes");
  const { startBackupController } = await import("./backups");
  await cluster.startCluster(() => {});
  const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
  admin = kube.adminClient(path.join(dir, "pki"), state.apiserverPort);
  const dataDir = path.join(dir, "disks");
  const controller = await startController({ admin, guests: fakeGuests, diskFile: (ns, dv) => diskFile(dataDir, ns, dv) });
  const disks = await startDiskController({ admin, dataDir });
  const backups = await startBackupController({ admin, dataDir, storeDir: path.join(dir, "backups"), guests: fakeGuests, ttlMs: ttlSeconds * 1000 });
  stops.push(() => backups.stop(), () => disks.stop(), () => controller.stop());
  // alice's VM "db" with a blank 8 MiB data disk, running.
  await post(apps(acme, "vmdisks"), { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name: "db-data" }, spec: { source: {}, storage: "8Mi" } });
  await eventually("disk populated", async () => (await getJson(`/apis/cdi.kubevirt.io/v1beta1/namespaces/${acme}/datavolumes/vm-disk-db-data`))?.status?.phase === "Succeeded");
  await post(apps(acme, "vminstances"), { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: "db" },
    spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Always", disks: [{ name: "db-data" }] } });
  await eventually("VM running", async () => running.has(`${acme}/vm-instance-db`));
}, 120_000);

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => {});
  admin?.agent.destroy();
  await cluster?.stopCluster({ purge: true, log: () => {} });
});

describe("stand-in backups (backups.cozystack.io)", () => {
  const marker = crypto.randomBytes(4096);

  it("a BackupJob of a running VM copies its disk with the guest paused, and makes a Ready Backup with size and checksum", async () => {
    writeMarker(acme, "db-data", marker);
    const wholeDisk = sha(diskPath(acme, "db-data"));
    calls.length = 0;
    await post(bk(acme, "backupjobs"), job("db-1", { apiGroup: "apps.cozystack.io", kind: "VMInstance", name: "db" }));
    const done = await finished(acme, "backupjobs", "db-1");
    expect(done.status).toMatchObject({ phase: "Succeeded", backupRef: { name: "db-1" } });
    expect(Date.parse(done.status.completedAt)).toBeGreaterThanOrEqual(Date.parse(done.status.startedAt));
    expect(calls).toEqual([`pause ${acme}/vm-instance-db`, `resume ${acme}/vm-instance-db`]);
    const backup = await getJson(bk(acme, "backups", "db-1"));
    expect(backup.metadata.ownerReferences).toBeUndefined(); // outlives its job
    expect(backup.spec).toMatchObject({
      applicationRef: { apiGroup: "apps.cozystack.io", kind: "VMInstance", name: "db" },
      strategyRef: { apiGroup: "strategy.backups.cozystack.io", kind: "Velero", name: "cozy-default-velero-vminstance" },
      takenAt: done.status.startedAt,
    });
    expect(backup.status).toMatchObject({
      phase: "Ready",
      artifact: { uri: `velero://cozy-velero/${acme}-db-1`, sizeBytes: 8 * 2 ** 20, checksum: `sha256:${wholeDisk}` },
      underlyingResources: { dataVolumes: [{ dataVolumeName: "vm-disk-db-data", applicationName: "db-data" }] },
    });
  });

  it("a BackupJob of a VM that does not exist, or with an unknown BackupClass, fails with a message", async () => {
    await post(bk(acme, "backupjobs"), job("ghost-1", { kind: "VMInstance", name: "ghost" }));
    expect((await finished(acme, "backupjobs", "ghost-1")).status).toMatchObject({ phase: "Failed", message: `VMInstance "ghost" not found in namespace "${acme}"` });
    await post(bk(acme, "backupjobs"), job("db-nope", { kind: "VMInstance", name: "db" }, { backupClassName: "nope" }));
    expect((await finished(acme, "backupjobs", "db-nope")).status).toMatchObject({ phase: "Failed", message: 'BackupClass "nope" not found' });
    expect(await getJson(bk(acme, "backups", "ghost-1"))).toBeNull();
  });

  it("the API refuses a change of a BackupJob's backupClassName (immutable, as upstream's CEL rule)", async () => {
    const res = await kube.request(admin, "PATCH", bk(acme, "backupjobs", "db-1"), JSON.stringify({ spec: { backupClassName: "other" } }), "application/merge-patch+json");
    expect(res.status).toBe(422);
    expect(res.body).toContain("backupClassName is immutable");
  });

  it("restores in place: the VM is halted, its disk replaced by the backup's (the old one kept aside), then it runs again", async () => {
    writeMarker(acme, "db-data", crypto.randomBytes(4096)); // overwritten after the backup
    calls.length = 0;
    await post(bk(acme, "restorejobs"), restore("db-back", {
      backupRef: { name: "db-1" }, targetApplicationRef: { apiGroup: "apps.cozystack.io", kind: "VMInstance", name: "db" },
      options: { keepOriginalPVC: true, keepOriginalIpAndMac: true },
    }));
    expect((await finished(acme, "restorejobs", "db-back")).status.phase).toBe("Succeeded");
    expect(readMarker(acme, "db-data", 4096).equals(marker)).toBe(true);
    await eventually("VM running again", async () => running.has(`${acme}/vm-instance-db`));
    expect(calls[0]).toBe(`stop ${acme}/vm-instance-db`);
    expect(calls).toContain(`start ${acme}/vm-instance-db`);
    expect(fs.readdirSync(path.join(dir, "disks", acme)).filter((f) => /^db-data-orig-[0-9a-f]{6}\.img$/.test(f))).toHaveLength(1);
    const vm = await getJson(`/apis/kubevirt.io/v1/namespaces/${acme}/virtualmachines/vm-instance-db`);
    expect(vm.spec.runStrategy).toBe("Always");
  });

  it("restores a copy into another namespace: VMDisk, DataVolume (claim adopted) and VMInstance there, with the same bytes", async () => {
    await post(bk(acme, "restorejobs"), restore("db-copy", { backupRef: { name: "db-1" }, options: { targetNamespace: globex, keepOriginalIpAndMac: false } }));
    expect((await finished(acme, "restorejobs", "db-copy")).status.phase).toBe("Succeeded");
    expect(readMarker(globex, "db-data", 4096).equals(marker)).toBe(true);
    const dv = await eventually("adopted DataVolume", async () => {
      const d = await getJson(`/apis/cdi.kubevirt.io/v1beta1/namespaces/${globex}/datavolumes/vm-disk-db-data`);
      return d?.status?.phase === "Succeeded" && d;
    });
    expect(dv.status.conditions.find((c: { type: string }) => c.type === "Running").message).toBe("Claim adopted");
    expect(readMarker(globex, "db-data", 4096).equals(marker)).toBe(true); // not re-imported
    expect((await getJson(apps(globex, "vminstances", "db"))).spec.disks).toEqual([{ name: "db-data" }]);
    await eventually("copy running", async () => running.has(`${globex}/vm-instance-db`));
    // A second copy finds it there (failIfTargetExists defaults to true).
    await post(bk(acme, "restorejobs"), restore("db-copy-2", { backupRef: { name: "db-1" }, options: { targetNamespace: globex } }));
    expect((await finished(acme, "restorejobs", "db-copy-2")).status).toMatchObject({ phase: "Failed", message: `VMInstance "db" already exists in namespace "${globex}" (options.failIfTargetExists)` });
  });

  it("refuses a restore under another name in the same namespace, into a namespace that does not exist, or of a missing Backup", async () => {
    await post(bk(acme, "restorejobs"), restore("rename", { backupRef: { name: "db-1" }, targetApplicationRef: { apiGroup: "apps.cozystack.io", kind: "VMInstance", name: "db2" } }));
    expect((await finished(acme, "restorejobs", "rename")).status.message).toContain("Use options.targetNamespace");
    await post(bk(acme, "restorejobs"), restore("nowhere", { backupRef: { name: "db-1" }, options: { targetNamespace: "tenant-nowhere" } }));
    expect((await finished(acme, "restorejobs", "nowhere")).status.message).toBe('target namespace "tenant-nowhere" does not exist');
    await post(bk(acme, "restorejobs"), restore("missing", { backupRef: { name: "nope" } }));
    expect((await finished(acme, "restorejobs", "missing")).status).toMatchObject({ phase: "Failed", message: `Backup "nope" not found in namespace "${acme}"` });
    expect(await getJson(apps(acme, "vminstances", "db2"))).toBeNull();
  });

  it("a Plan whose schedule does not parse gets the Error condition; deleting a Plan deletes its BackupJobs, not their Backups", async () => {
    await post(bk(acme, "plans"), { apiVersion: "backups.cozystack.io/v1alpha1", kind: "Plan", metadata: { name: "bad" },
      spec: { applicationRef: { kind: "VMInstance", name: "db" }, backupClassName: "cozy-default", schedule: { type: "cron", cron: "every day" } } });
    const cond = await eventually("Error condition", async () => (await getJson(bk(acme, "plans", "bad")))?.status?.conditions?.find((c: { type: string }) => c.type === "Error"));
    expect(cond).toMatchObject({ status: "True", message: expect.stringContaining("Failed to parse cron spec") });
    const plan = await post(bk(acme, "plans"), { apiVersion: "backups.cozystack.io/v1alpha1", kind: "Plan", metadata: { name: "nightly" },
      spec: { applicationRef: { kind: "VMInstance", name: "db" }, backupClassName: "cozy-default", schedule: { type: "cron", cron: "0 3 * * *" } } });
    await post(bk(acme, "backupjobs"), job("nightly-1", { kind: "VMInstance", name: "db" }, {
      planRef: { name: "nightly" },
    }));
    await kube.request(admin, "PATCH", bk(acme, "backupjobs", "nightly-1"), JSON.stringify({ metadata: { ownerReferences: [
      { apiVersion: "backups.cozystack.io/v1alpha1", kind: "Plan", name: "nightly", uid: plan.metadata.uid, controller: true }] } }), "application/merge-patch+json");
    expect((await finished(acme, "backupjobs", "nightly-1")).status.phase).toBe("Succeeded");
    expect((await getJson(bk(acme, "backups", "nightly-1"))).spec.planRef).toEqual({ name: "nightly" });
    await kube.request(admin, "DELETE", bk(acme, "plans", "nightly"));
    await eventually("plan's job deleted", async () => (await getJson(bk(acme, "backupjobs", "nightly-1"))) === null);
    expect(await getJson(bk(acme, "backupjobs", "db-1"))).not.toBeNull();
  });

  it("a Backup expires after the TTL: the object and its stored data are gone", async () => {
    const store = path.join(dir, "backups", acme, "db-1");
    expect(fs.existsSync(path.join(store, "manifest.json"))).toBe(true);
    const takenAt = Date.parse((await getJson(bk(acme, "backups", "db-1"))).spec.takenAt);
    await eventually("db-1 expired", async () => (await getJson(bk(acme, "backups", "db-1"))) === null, 30_000);
    expect(Date.now() - takenAt).toBeGreaterThanOrEqual(ttlSeconds * 1000);
    await eventually("store folder removed", async () => !fs.existsSync(store));
  });

  it("tenant roles: view reads backups but cannot create jobs; admin creates jobs but cannot write Backups", async () => {
    const portal = portalAccess(dir);
    const viewer = { "Impersonate-User": "victor", "Impersonate-Group": ["tenant-acme-view"] };
    const adminUser = { "Impersonate-User": "alice", "Impersonate-Group": ["tenant-acme-admin"] };
    expect((await portal.call(viewer, "GET", bk(acme, "backups"))).status).toBe(200);
    expect((await portal.call(viewer, "GET", bk(acme, "plans"))).status).toBe(200);
    expect((await portal.call(viewer, "POST", bk(acme, "backupjobs"), job("v-1", { kind: "VMInstance", name: "db" }))).status).toBe(403);
    expect((await portal.call(adminUser, "POST", bk(acme, "backupjobs"), job("a-1", { kind: "VMInstance", name: "db" }))).status).toBe(201);
    const forged = { apiVersion: "backups.cozystack.io/v1alpha1", kind: "Backup", metadata: { name: "forged" },
      spec: { applicationRef: { kind: "VMInstance", name: "db" }, strategyRef: { kind: "Velero", name: "x" }, takenAt: new Date().toISOString() } };
    expect((await portal.call(adminUser, "POST", bk(acme, "backups"), forged)).status).toBe(403);
    expect((await portal.call(adminUser, "GET", bk(globex, "backups"))).status).toBe(403);
    const roles = await getJson("/apis/rbac.authorization.k8s.io/v1/clusterroles/cozy:backups:admin");
    expect(roles.metadata.labels).toEqual({ "rbac.cozystack.io/aggregate-to-tenant-admin": "true" });
  });
});
