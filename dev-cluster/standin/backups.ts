/**
 * The stand-in's backup side (dev and tests only, never product logic): Cozystack's
 * backup-controller and its Velero strategy driver for VMInstance and VMDisk
 * (`backups.cozystack.io/v1alpha1`), with a local folder as the object store.
 *
 * Sources: cozystack/cozystack `api/backups/v1alpha1/DESIGN.md` (the driver contract),
 * `internal/backupcontroller/plan_controller.go` and `factory/backupjob.go` (Plans),
 * `internal/backupcontroller/velerostrategy_controller.go` (jobs, restore options),
 * `examples/backups/vmi/scenario-user-restore.md` (the in-place steps) and the default Velero
 * strategy's `ttl: 720h0m0s`.
 *
 * - Plan: `spec.schedule.cron` is standard 5-field cron in UTC (robfig/cron `ParseStandard`
 *   upstream; cron-parser here, which is given exactly five fields). When a run is due (at most
 *   300 s late: the starting deadline) a BackupJob `<plan>-<unix minutes>` is created with `planRef`,
 *   the plan's `applicationRef` (apiGroup defaulted to `apps.cozystack.io`) and `backupClassName`,
 *   controlled by the Plan. A schedule that does not parse gives the Plan the condition `Error=True`.
 *   Deleting a Plan deletes its BackupJobs (the garbage collector's work upstream; the local
 *   cluster has none), not their Backups.
 * - BackupJob: `Running` with `startedAt`; the BackupClass's strategy for the application's
 *   apiGroup+kind; the application's disks (a VMInstance's `spec.disks` in boot order, or one
 *   VMDisk) copied into `<storeDir>/<namespace>/<job>/` with their sha256, the guest paused through
 *   QEMU's monitor while its disks are read (and resumed unless it was paused before), so the copy
 *   is consistent; then the Backup (named after the job, no owner: it outlives the job) with
 *   `phase: Ready`, `artifact {uri, sizeBytes, checksum}` and `underlyingResources`, and the job
 *   `Succeeded` with `backupRef` and `completedAt`. Any failure: `Failed`, `completedAt` and a
 *   message; nothing is left in the store.
 * - Backups expire `ttlMs` after `takenAt` (720 h; `HIKUBE_BACKUP_TTL_SECONDS` shortens it for
 *   tests): the Backup and its files are deleted, as Velero's garbage collection deletes an
 *   expired backup.
 * - RestoreJob: the target is `targetApplicationRef`, else the Backup's application. In place (no
 *   `options.targetNamespace`, or the job's own): the VMs using the disks are halted (VirtualMachine
 *   `runStrategy: Halted`, the VMI gone), each disk's current file is kept aside as
 *   `<disk>-orig-<hash>.img` (`keepOriginalPVC`, default true), the backup's bytes are written
 *   back (checksums verified), the VMInstance gets its backed-up spec, and the VMs run again as
 *   the spec says. The VM keeps its IP and MAC (the stand-in derives both from the VM's
 *   namespace and name). A copy (`options.targetNamespace` another namespace, which must exist)
 *   writes the disk files first, then creates the VMDisks (whose DataVolumes adopt the files, see
 *   ./datavolumes.ts) and the VMInstance there; `failIfTargetExists` (default true) refuses an
 *   existing VMInstance or VMDisk of the same name. Another name in the same namespace is refused,
 *   as upstream (Velero restores volumes under their original names).
 * - A job found `Running` when the stand-in starts (it was interrupted) is marked `Failed`, as
 *   Velero marks backups and restores found InProgress at its start (velero pkg/controller).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CronExpressionParser } from "cron-parser";
import { request, type AdminClient } from "../kube";
import { inform, type InformedObject } from "./informer";
import { workQueue } from "./work-queue";
import { diskFile } from "./datavolumes";
import { isPausedVmi, type GuestRuntime } from "./controller";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Obj = InformedObject & { spec?: Record<string, Json>; status?: Record<string, Json>; metadata: InformedObject["metadata"] & { creationTimestamp?: string; ownerReferences?: { uid: string }[] } };

/** An application reference (corev1.TypedLocalObjectReference). */
export interface ApplicationRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/** The default Velero strategy's backup TTL: 720 h, in milliseconds. */
export const defaultBackupTtlMs = 720 * 3600 * 1000;
/** How late a Plan's run may still start (plan_controller.go's starting deadline), ms. */
export const startingDeadlineMs = 300_000;
const appsGroup = "apps.cozystack.io";
const group = "/apis/backups.cozystack.io/v1alpha1";

const api = {
  ns: (ns: string, plural: string, name = "") => `${group}/namespaces/${ns}/${plural}${name ? `/${name}` : ""}`,
  backupClass: (name: string) => `${group}/backupclasses/${name}`,
  vmInstance: (ns: string, name = "") => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances${name ? `/${name}` : ""}`,
  vmDisk: (ns: string, name: string) => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vmdisks/${name}`,
  vm: (ns: string, name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}`,
  vmi: (ns: string, name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`,
};

/** A job's failure, with the message the job's status gets. */
class JobFailure extends Error {}

/** `ref` with its apiGroup defaulted (NormalizeApplicationRef upstream). */
export function normalizeRef(ref: Partial<ApplicationRef> | undefined): ApplicationRef {
  return { apiGroup: ref?.apiGroup || appsGroup, kind: ref?.kind ?? "", name: ref?.name ?? "" };
}

/**
 * The next runs of a 5-field cron expression (UTC), or an Error naming the problem.
 * @param after runs strictly after this instant
 */
export function parseSchedule(cron: string, after: Date): { prev: () => Date; next: () => Date } {
  if (cron.trim().split(/\s+/).length !== 5) throw new Error(`expected exactly 5 fields, found ${cron.trim().split(/\s+/).filter(Boolean).length}: "${cron}"`);
  const it = CronExpressionParser.parse(cron, { currentDate: after, tz: "UTC" });
  return { prev: () => it.prev().toDate(), next: () => it.next().toDate() };
}

/** What a backup holds besides the disk files (`manifest.json` in its store folder). */
interface Manifest {
  application: ApplicationRef;
  /** the VMInstance's spec at backup time (VMInstance backups) */
  instance?: Record<string, Json>;
  disks: { name: string; spec: Record<string, Json>; sha256: string; bytes: number }[];
}

/** The backup controller's inputs. */
export interface BackupControllerOptions {
  admin: AdminClient;
  /** where DataVolume files live (./datavolumes.ts diskFile) */
  dataDir: string;
  /** the object store: `<storeDir>/<namespace>/<backup>/` */
  storeDir: string;
  /** the guests, to pause one while its disks are read */
  guests: Pick<GuestRuntime, "isRunning" | "pause" | "resume">;
  /** backup lifetime, default {@link defaultBackupTtlMs} */
  ttlMs?: number;
  log?: (line: string) => void;
}

/** A running backup controller. */
export interface BackupController {
  stop(): Promise<void>;
}

/**
 * A backup artifact's checksum: `sha256:<hex>` of its one disk's bytes, or for several disks the
 * sha256 of their `<sha256>  <name>` lines in boot order (a manifest digest, as sha256sum prints
 * them), so each byte is hashed once.
 */
export function artifactChecksum(disks: { name: string; sha256: string }[]): string {
  if (disks.length === 1) return `sha256:${disks[0].sha256}`;
  return `sha256:${crypto.createHash("sha256").update(disks.map((d) => `${d.sha256}  ${d.name}\n`).join("")).digest("hex")}`;
}

/** Copies `from` to `to` (sparse: zero blocks are skipped) and returns its sha256 (hex) and size in bytes. */
export async function copyWithChecksum(from: string, to: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash("sha256");
  const src = await fs.promises.open(from, "r");
  const dst = await fs.promises.open(`${to}.part`, "w");
  const buf = Buffer.alloc(1 << 20);
  const zeros = Buffer.alloc(buf.length);
  let pos = 0;
  try {
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      // memcmp against zeros (a byte loop in JS would cost seconds per GiB)
      if (!chunk.equals(zeros.subarray(0, bytesRead))) await dst.write(chunk, 0, bytesRead, pos);
      pos += bytesRead;
    }
    await dst.truncate(pos);
    await dst.sync();
  } finally {
    await src.close();
    await dst.close();
  }
  await fs.promises.rename(`${to}.part`, to);
  return { sha256: hash.digest("hex"), bytes: pos };
}

/** Starts the backup controller (Plans, BackupJobs, Backups' expiry, RestoreJobs in every namespace). */
export async function startBackupController(opts: BackupControllerOptions): Promise<BackupController> {
  const { admin, dataDir, storeDir, guests } = opts;
  const log = opts.log ?? (() => {});
  const ttlMs = opts.ttlMs ?? defaultBackupTtlMs;
  const abort = new AbortController();
  const plans = new Map<string, Obj>();
  const backups = new Map<string, Obj>();
  /** VMs (`ns/vm-instance-X`) whose disks a job is reading or writing: one job at a time each. */
  const vmLocks = new Map<string, Promise<void>>();

  const get = async (p: string): Promise<Obj | null> => {
    const res = await request(admin, "GET", p);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${res.body.slice(0, 200)}`);
    return JSON.parse(res.body);
  };
  const send = async (method: string, p: string, body: unknown, contentType = "application/json"): Promise<{ status: number; obj: Obj | null; text: string }> => {
    const res = await request(admin, method, p, JSON.stringify(body), contentType);
    if (res.status >= 300 && res.status !== 404 && res.status !== 409) throw new Error(`${method} ${p}: ${res.status} ${res.body.slice(0, 300)}`);
    return { status: res.status, obj: res.status < 300 && res.body ? JSON.parse(res.body) : null, text: res.body };
  };
  const setStatus = (p: string, status: Record<string, unknown>) => send("PATCH", `${p}/status`, { status }, "application/merge-patch+json");
  const now = () => new Date().toISOString();

  /** Runs `work` with the VMs of `keys` locked (sorted, so two jobs cannot deadlock). */
  const withVms = async <T>(keys: string[], work: () => Promise<T>): Promise<T> => {
    const sorted = [...new Set(keys)].sort();
    const previous = sorted.map((k) => vmLocks.get(k) ?? Promise.resolve());
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    for (const k of sorted) vmLocks.set(k, mine);
    await Promise.all(previous);
    try {
      return await work();
    } finally {
      release();
      for (const k of sorted) if (vmLocks.get(k) === mine) vmLocks.delete(k);
    }
  };

  /** The application's disks in boot order, and the VMInstances using them. */
  const applicationDisks = async (ns: string, ref: ApplicationRef): Promise<{ instance: Obj | null; disks: string[] }> => {
    if (ref.kind === "VMInstance") {
      const instance = await get(api.vmInstance(ns, ref.name));
      if (!instance) throw new JobFailure(`VMInstance "${ref.name}" not found in namespace "${ns}"`);
      return { instance, disks: ((instance.spec?.disks ?? []) as { name: string }[]).map((d) => d.name) };
    }
    return { instance: null, disks: [ref.name] };
  };

  /** VMInstances of `ns` that use any of `disks` (their VMs must not run while the disks are written). */
  const instancesUsing = async (ns: string, disks: string[]): Promise<string[]> => {
    const list = await get(api.vmInstance(ns));
    const items = ((list as unknown as { items?: Obj[] } | null)?.items ?? []);
    return items.filter((i) => ((i.spec?.disks ?? []) as { name: string }[]).some((d) => disks.includes(d.name))).map((i) => i.metadata.name);
  };

  // --- BackupJobs --------------------------------------------------------------------------------
  const runBackup = async (job: Obj): Promise<{ backupName: string }> => {
    const ns = job.metadata.namespace!;
    const ref = normalizeRef(job.spec?.applicationRef);
    const className: string = job.spec?.backupClassName ?? "";
    const backupClass = await get(api.backupClass(className));
    if (!backupClass) throw new JobFailure(`BackupClass "${className}" not found`);
    const strategy = ((backupClass.spec?.strategies ?? []) as { application: { apiGroup?: string; kind: string }; strategyRef: ApplicationRef }[])
      .find((s) => (s.application.apiGroup || appsGroup) === ref.apiGroup && s.application.kind === ref.kind);
    if (!strategy) throw new JobFailure(`BackupClass "${className}" has no strategy for ${ref.apiGroup}/${ref.kind}`);
    const { instance, disks } = await applicationDisks(ns, ref);
    const diskSpecs: Record<string, Json>[] = [];
    for (const d of disks) {
      const disk = await get(api.vmDisk(ns, d));
      if (!disk) throw new JobFailure(`VMDisk "${d}" not found in namespace "${ns}"`);
      if (!fs.existsSync(diskFile(dataDir, ns, `vm-disk-${d}`))) throw new JobFailure(`the volume of VMDisk "${d}" holds no data yet (DataVolume vm-disk-${d} not populated)`);
      diskSpecs.push(disk.spec ?? {});
    }
    const users = instance ? [instance.metadata.name] : await instancesUsing(ns, disks);
    const folder = path.join(storeDir, ns, job.metadata.name);
    const manifest: Manifest = { application: ref, instance: instance?.spec, disks: [] };
    await fs.promises.rm(folder, { recursive: true, force: true });
    await fs.promises.mkdir(folder, { recursive: true });
    try {
      await withVms(users.map((u) => `${ns}/vm-instance-${u}`), async () => {
        // Consistent copy: the running guests' vCPUs stop while their disks are read (QMP stop/cont).
        const paused: string[] = [];
        for (const u of users) {
          const key = `${ns}/vm-instance-${u}`;
          if (!guests.isRunning(key)) continue;
          const vmi = await get(api.vmi(ns, `vm-instance-${u}`));
          if (isPausedVmi(vmi as never)) continue; // paused by its user: stays paused
          await guests.pause(key);
          paused.push(key);
        }
        try {
          for (const [i, d] of disks.entries()) {
            const copied = await copyWithChecksum(diskFile(dataDir, ns, `vm-disk-${d}`), path.join(folder, `${d}.img`));
            manifest.disks.push({ name: d, spec: diskSpecs[i], ...copied });
          }
        } finally {
          for (const key of paused) await guests.resume(key).catch((err) => log(`resume ${key}: ${err instanceof Error ? err.message : err}`));
        }
      });
      await fs.promises.writeFile(path.join(folder, "manifest.json"), JSON.stringify(manifest, null, 2));
      const veleroName = `${ns}-${job.metadata.name}`;
      const backup = {
        apiVersion: "backups.cozystack.io/v1alpha1", kind: "Backup",
        metadata: { name: job.metadata.name, namespace: ns, labels: {
          "backups.cozystack.io/owned-by.BackupJobName": job.metadata.name,
          "backups.cozystack.io/owned-by.BackupJobNamespace": ns,
        } },
        spec: {
          applicationRef: ref,
          ...(job.spec?.planRef?.name ? { planRef: { name: job.spec.planRef.name } } : {}),
          strategyRef: { apiGroup: strategy.strategyRef.apiGroup, kind: strategy.strategyRef.kind, name: strategy.strategyRef.name },
          takenAt: job.status?.startedAt ?? now(),
          driverMetadata: { "velero.io/backup-name": veleroName, "velero.io/backup-namespace": "cozy-velero" },
        },
        status: {
          phase: "Ready",
          artifact: { uri: `velero://cozy-velero/${veleroName}`, sizeBytes: manifest.disks.reduce((n, d) => n + d.bytes, 0), checksum: artifactChecksum(manifest.disks) },
          underlyingResources: {
            dataVolumes: disks.map((d) => ({ dataVolumeName: `vm-disk-${d}`, applicationName: d })),
          },
        },
      };
      const created = await send("POST", api.ns(ns, "backups"), backup);
      if (created.status === 409) throw new JobFailure(`Backup "${job.metadata.name}" already exists in namespace "${ns}"`);
      return { backupName: job.metadata.name };
    } catch (err) {
      await fs.promises.rm(folder, { recursive: true, force: true });
      throw err;
    }
  };

  // --- RestoreJobs ----------------------------------------------------------------------------------
  /** Halts VM `vm-instance-<name>` and waits until its guest and VMI are gone (60 s at most). */
  const halt = async (ns: string, name: string) => {
    const vmName = `vm-instance-${name}`;
    await send("PATCH", api.vm(ns, vmName), { spec: { runStrategy: "Halted" } }, "application/merge-patch+json");
    const deadline = Date.now() + 60_000;
    while (guests.isRunning(`${ns}/${vmName}`) || (await get(api.vmi(ns, vmName)))) {
      if (Date.now() > deadline) throw new JobFailure(`VM "${name}" did not stop within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** Creates the backed-up VMDisk `d` in `ns` (its file written first: its DataVolume adopts it). */
  const createDisk = (ns: string, d: Manifest["disks"][number]) => send("POST", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vmdisks`,
    { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name: d.name, namespace: ns }, spec: d.spec });

  /** Writes the backup's disk `d` to `target`, verifying its checksum. */
  const writeBack = async (folder: string, d: Manifest["disks"][number], target: string) => {
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const { sha256 } = await copyWithChecksum(path.join(folder, `${d.name}.img`), target);
    if (sha256 !== d.sha256) throw new JobFailure(`the backup's copy of VMDisk "${d.name}" is damaged (sha256 ${sha256}, expected ${d.sha256})`);
  };

  const runRestore = async (rj: Obj) => {
    const ns = rj.metadata.namespace!;
    const backupName: string = rj.spec?.backupRef?.name ?? "";
    const backup = await get(api.ns(ns, "backups", backupName));
    if (!backup) throw new JobFailure(`Backup "${backupName}" not found in namespace "${ns}"`);
    if (backup.status?.phase !== "Ready") throw new JobFailure(`Backup "${backupName}" is not Ready (phase ${backup.status?.phase || "none"})`);
    const source = normalizeRef(backup.spec?.applicationRef);
    const target = rj.spec?.targetApplicationRef ? normalizeRef(rj.spec.targetApplicationRef) : source;
    if (target.kind !== source.kind || target.apiGroup !== source.apiGroup) {
      throw new JobFailure(`targetApplicationRef is a ${target.kind}, the backup holds a ${source.kind}`);
    }
    const options = (rj.spec?.options ?? {}) as { targetNamespace?: string; failIfTargetExists?: boolean; keepOriginalPVC?: boolean };
    const targetNs = options.targetNamespace || ns;
    const copy = targetNs !== ns;
    if (!copy && target.name !== source.name) {
      throw new JobFailure(`restoring ${source.kind} "${source.name}" as "${target.name}" in the same namespace is not supported: `
        + "volumes are restored under their original names. Use options.targetNamespace to restore a copy into another namespace");
    }
    const folder = path.join(storeDir, ns, backupName);
    const manifest = JSON.parse(await fs.promises.readFile(path.join(folder, "manifest.json"), "utf8").catch(() => {
      throw new JobFailure(`the data of Backup "${backupName}" is missing from the backup storage`);
    })) as Manifest;

    if (copy) {
      if (!(await get(`/api/v1/namespaces/${targetNs}`))) throw new JobFailure(`target namespace "${targetNs}" does not exist`);
      if (options.failIfTargetExists !== false) {
        if (source.kind === "VMInstance" && (await get(api.vmInstance(targetNs, target.name)))) {
          throw new JobFailure(`VMInstance "${target.name}" already exists in namespace "${targetNs}" (options.failIfTargetExists)`);
        }
        for (const d of manifest.disks) {
          if (await get(api.vmDisk(targetNs, d.name))) throw new JobFailure(`VMDisk "${d.name}" already exists in namespace "${targetNs}" (options.failIfTargetExists)`);
        }
      }
      const written: string[] = [];
      try {
        for (const d of manifest.disks) {
          const file = diskFile(dataDir, targetNs, `vm-disk-${d.name}`);
          if (await get(api.vmDisk(targetNs, d.name))) continue; // failIfTargetExists: false keeps existing disks
          await writeBack(folder, d, file);
          written.push(file);
          await createDisk(targetNs, d);
        }
        if (source.kind === "VMInstance" && manifest.instance && !(await get(api.vmInstance(targetNs, target.name)))) {
          const created = await send("POST", api.vmInstance(targetNs),
            { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: target.name, namespace: targetNs }, spec: manifest.instance });
          if (created.status >= 300) throw new JobFailure(`creating VMInstance "${target.name}" in "${targetNs}": ${created.text.slice(0, 200)}`);
        }
      } catch (err) {
        for (const f of written) await fs.promises.rm(f, { force: true });
        throw err;
      }
      return;
    }

    // In place: halt the VMs using the disks, set the current volumes aside, write the backup's.
    const disks = manifest.disks.map((d) => d.name);
    const users = [...new Set([...(source.kind === "VMInstance" ? [source.name] : []), ...(await instancesUsing(ns, disks))])];
    await withVms(users.map((u) => `${ns}/vm-instance-${u}`), async () => {
      const present: string[] = [];
      for (const u of users) {
        if (await get(api.vmInstance(ns, u))) {
          await halt(ns, u);
          present.push(u);
        }
      }
      const setAside: { file: string; aside: string }[] = [];
      try {
        for (const d of manifest.disks) {
          const file = diskFile(dataDir, ns, `vm-disk-${d.name}`);
          if (fs.existsSync(file) && options.keepOriginalPVC !== false) {
            const aside = file.replace(/\.img$/, `-orig-${crypto.randomBytes(3).toString("hex")}.img`);
            await fs.promises.rename(file, aside);
            setAside.push({ file, aside });
          }
          await writeBack(folder, d, file);
          if (!(await get(api.vmDisk(ns, d.name)))) {
            await createDisk(ns, d);
          }
        }
      } catch (err) {
        // Roll back: the original volumes return.
        for (const { file, aside } of setAside) await fs.promises.rename(aside, file).catch(() => {});
        for (const u of present) await resumeRunStrategy(ns, u);
        throw err;
      }
      if (source.kind === "VMInstance" && manifest.instance) {
        const current = await get(api.vmInstance(ns, source.name));
        if (current) {
          await send("PUT", api.vmInstance(ns, source.name), { ...current, spec: manifest.instance });
        } else {
          await send("POST", api.vmInstance(ns),
            { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: source.name, namespace: ns }, spec: manifest.instance });
        }
      }
      for (const u of present) await resumeRunStrategy(ns, u);
    });
  };

  /** The VM of VMInstance `name` runs again as its spec says (the Helm release resumed upstream). */
  const resumeRunStrategy = async (ns: string, name: string) => {
    const inst = await get(api.vmInstance(ns, name));
    if (!inst) return;
    const runStrategy: string = inst.spec?.runStrategy ?? (inst.spec?.running === false ? "Halted" : "Always");
    await send("PATCH", api.vm(ns, `vm-instance-${name}`), { spec: { runStrategy } }, "application/merge-patch+json");
  };

  /**
   * One BackupJob or RestoreJob, as upstream's drivers run them (DESIGN.md): a final job is left
   * alone; one found Running was interrupted (this process restarted) and is Failed; otherwise
   * Running with `startedAt`, then `run`, then Succeeded with what `run` returns (e.g.
   * `backupRef`) and `completedAt`, or Failed with `completedAt` and the message.
   * @param kind `BackupJob` or `RestoreJob`; `what` names it in messages (`backup`, `restore`)
   */
  const reconcileJobOf = (kind: "BackupJob" | "RestoreJob", what: string, run: (job: Obj) => Promise<Record<string, unknown>>) =>
    async (key: string) => {
      const [ns, name] = key.split("/");
      const p = api.ns(ns, `${kind.toLowerCase()}s`, name);
      const job = await get(p);
      if (!job || job.metadata.deletionTimestamp) return;
      const phase: string = job.status?.phase ?? "";
      if (phase === "Succeeded" || phase === "Failed") return;
      if (phase === "Running") {
        await setStatus(p, { phase: "Failed", completedAt: now(), message: `the ${what} was interrupted (the backup controller restarted while it ran)` });
        return;
      }
      const startedAt = now();
      await setStatus(p, { phase: "Running", startedAt });
      job.status = { ...job.status, startedAt };
      const t0 = Date.now();
      try {
        const result = await run(job);
        await setStatus(p, { phase: "Succeeded", ...result, completedAt: now() });
        log(`${kind} ${key} succeeded in ${Date.now() - t0} ms`);
      } catch (err) {
        const message = err instanceof JobFailure ? err.message : `${what} failed: ${err instanceof Error ? err.message : err}`;
        await setStatus(p, { phase: "Failed", completedAt: now(), message });
        log(`${kind} ${key} failed: ${message}`);
      }
    };

  // --- Plans and expiry --------------------------------------------------------------------------
  const planErrors = new Map<string, string>();
  const tickPlan = async (plan: Obj) => {
    const ns = plan.metadata.namespace!;
    const name = plan.metadata.name;
    const p = api.ns(ns, "plans", name);
    const cron: string = plan.spec?.schedule?.cron ?? "";
    let runAt: Date;
    try {
      runAt = parseSchedule(cron, new Date()).prev();
    } catch (err) {
      const message = `Failed to parse cron spec: ${err instanceof Error ? err.message : err}`;
      if (planErrors.get(`${ns}/${name}`) !== message) {
        planErrors.set(`${ns}/${name}`, message);
        await setStatus(p, { conditions: [{ type: "Error", status: "True", reason: "InvalidSchedule", message, lastTransitionTime: now() }] });
      }
      return;
    }
    if (planErrors.delete(`${ns}/${name}`)) await setStatus(p, { conditions: [] });
    const created = Date.parse(plan.metadata.creationTimestamp ?? "") || 0;
    // The first run is the schedule's first time after the Plan was created (robfig/cron's
    // Next(creationTimestamp)); a run missed by more than the starting deadline is not made up for.
    if (runAt.getTime() <= created || Date.now() - runAt.getTime() > startingDeadlineMs) return;
    const jobName = `${name}-${Math.floor(runAt.getTime() / 60_000)}`;
    if (plansDone.has(`${ns}/${jobName}`)) return;
    const res = await send("POST", api.ns(ns, "backupjobs"), {
      apiVersion: "backups.cozystack.io/v1alpha1", kind: "BackupJob",
      metadata: { name: jobName, namespace: ns, ownerReferences: [{ apiVersion: "backups.cozystack.io/v1alpha1", kind: "Plan", name, uid: plan.metadata.uid, controller: true }] },
      spec: { planRef: { name }, applicationRef: normalizeRef(plan.spec?.applicationRef), backupClassName: plan.spec?.backupClassName },
    });
    if (res.status < 300 || res.status === 409) plansDone.add(`${ns}/${jobName}`);
    if (res.status < 300) log(`Plan ${ns}/${name}: BackupJob ${jobName} for the run of ${runAt.toISOString()}`);
  };
  const plansDone = new Set<string>();

  const expire = async (backup: Obj) => {
    const takenAt = Date.parse(backup.spec?.takenAt ?? "");
    if (!Number.isFinite(takenAt) || Date.now() < takenAt + ttlMs) return;
    const ns = backup.metadata.namespace!;
    await send("DELETE", api.ns(ns, "backups", backup.metadata.name), undefined);
    await fs.promises.rm(path.join(storeDir, ns, backup.metadata.name), { recursive: true, force: true });
    backups.delete(`${ns}/${backup.metadata.name}`);
    log(`Backup ${ns}/${backup.metadata.name} expired (taken ${new Date(takenAt).toISOString()}, TTL ${ttlMs / 1000} s)`);
  };

  const ticker = setInterval(() => {
    for (const plan of plans.values()) void tickPlan(plan).catch((err) => log(`plan ${plan.metadata.name}: ${err instanceof Error ? err.message : err}`));
    for (const backup of backups.values()) void expire(backup).catch((err) => log(`expiry of ${backup.metadata.name}: ${err instanceof Error ? err.message : err}`));
  }, 1000);
  ticker.unref();

  const jobs = workQueue(reconcileJobOf("BackupJob", "backup", async (job) => ({ backupRef: { name: (await runBackup(job)).backupName } })),
    { signal: abort.signal, log, label: "BackupJob" });
  const restores = workQueue(reconcileJobOf("RestoreJob", "restore", async (job) => {
    await runRestore(job);
    return {};
  }), { signal: abort.signal, log, label: "RestoreJob" });
  await Promise.all([
    inform<Obj>(admin, `${group}/backupjobs`, { upsert: (k) => jobs.enqueue(k), remove: () => {} }, abort.signal),
    inform<Obj>(admin, `${group}/restorejobs`, { upsert: (k) => restores.enqueue(k), remove: () => {} }, abort.signal),
    inform<Obj>(admin, `${group}/plans`, {
      upsert: (k, o) => plans.set(k, o),
      remove: (k, o) => {
        plans.delete(k);
        // The garbage collector's part: the Plan's BackupJobs go with it (their Backups stay).
        void (async () => {
          const list = await get(api.ns(o.metadata.namespace!, "backupjobs")) as unknown as { items?: Obj[] } | null;
          for (const j of list?.items ?? []) {
            if (j.metadata.ownerReferences?.some((r) => r.uid === o.metadata.uid)) await send("DELETE", api.ns(o.metadata.namespace!, "backupjobs", j.metadata.name), undefined);
          }
        })().catch((err) => log(`deleting the BackupJobs of Plan ${k}: ${err instanceof Error ? err.message : err}`));
      },
    }, abort.signal),
    inform<Obj>(admin, `${group}/backups`, {
      upsert: (k, o) => backups.set(k, o),
      remove: (k, o) => {
        backups.delete(k);
        void fs.promises.rm(path.join(storeDir, o.metadata.namespace!, o.metadata.name), { recursive: true, force: true });
      },
    }, abort.signal),
  ]);
  log(`backup controller watching Plans, BackupJobs, Backups (TTL ${ttlMs / 1000} s) and RestoreJobs; store ${storeDir}`);
  return {
    async stop() {
      abort.abort();
      clearInterval(ticker);
      await Promise.allSettled([...jobs.inFlight(), ...restores.inFlight()]);
    },
  };
}
