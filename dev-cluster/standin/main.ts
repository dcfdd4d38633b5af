/**
 * The KubeVirt stand-in process (dev and tests only), started detached by dev-cluster/cluster.ts
 * in its own process group: the controller, the disk controller (VMDisk → DataVolume, disk files
 * under `<state>/disks`), the backup controller (Cozystack's backups.cozystack.io with Velero's
 * part played on `<state>/backups`, ./backups.ts), virt-api behind the aggregation layer, and the QEMU guests. It registers
 * the APIServices `v1.subresources.kubevirt.io` and `v1beta1.upload.cdi.kubevirt.io` (UploadTokenRequests,
 * served by the same server), runs CDI's upload proxy on its own port (URL in ConfigMap
 * `cdi/cdi-uploadproxy`, data `url`; see ./upload.ts), fills ResourceQuota statuses (./quota-status.ts), and stops every guest when it gets SIGTERM or SIGINT.
 *
 * Env: HIKUBE_CLUSTER_DIR (the cluster's state folder), HIKUBE_VIRT_API_PORT (chosen once by the
 * cluster so the APIService stays valid), HIKUBE_METRICS_PORT (virt-handler's `/metrics` for
 * Prometheus, ./metrics.ts; chosen once by the cluster), HIKUBE_MAX_VMS (guest cap, default 4),
 * HIKUBE_BACKUP_TTL_SECONDS (how long Backups live, default 720 h; ./backups.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { files, stateDir } from "../paths";
import { adminClient, apply } from "../kube";
import { startController } from "./controller";
import { diskFile, startDiskController } from "./datavolumes";
import { startBackupController } from "./backups";
import { startVirtApi } from "./virt-api";
import { apiServiceObjects } from "./register";
import { UploadTokens, startUploadProxy, uploadProxyObjects, uploadTokenApi } from "./upload";
import { GuestPool, ensureGuestImage } from "./qemu";
import { startQuotaStatus } from "./quota-status";
import { startMetricsServer } from "./metrics";
import { QemuRuntime } from "./runtime";

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const state = JSON.parse(fs.readFileSync(files.state, "utf8"));
  const admin = adminClient(files.pki, state.apiserverPort);
  log("building or finding the guest image");
  await ensureGuestImage();
  const pool = new GuestPool();
  const runtime = new QemuRuntime(pool, path.join(stateDir, "vms"));
  const dataDir = path.join(stateDir, "disks");
  const controller = await startController({ admin, guests: runtime, log, diskFile: (ns, dv) => diskFile(dataDir, ns, dv) });
  const disks = await startDiskController({ admin, dataDir, log });
  const ttlSeconds = Number(process.env.HIKUBE_BACKUP_TTL_SECONDS ?? 0);
  const backups = await startBackupController({
    admin, dataDir, storeDir: path.join(stateDir, "backups"), guests: runtime, log,
    ttlMs: ttlSeconds > 0 ? ttlSeconds * 1000 : undefined,
  });
  const tokens = new UploadTokens();
  const virtApi = await startVirtApi({
    pkiDir: files.pki, port: Number(process.env.HIKUBE_VIRT_API_PORT ?? 0), admin,
    consoles: runtime.consoles(), lifecycle: controller, log, extraApis: [uploadTokenApi({ admin, tokens, log })],
  });
  const quotaStatus = startQuotaStatus({ admin, log });
  const metrics = await startMetricsServer({ port: Number(process.env.HIKUBE_METRICS_PORT ?? 0), guests: () => pool.list() });
  const uploadProxy = await startUploadProxy({ pkiDir: files.pki, admin, tokens, dataDir, log });
  for (const obj of apiServiceObjects(virtApi.port, fs.readFileSync(path.join(files.pki, "ca.crt"), "utf8"))) await apply(admin, obj);
  for (const obj of uploadProxyObjects(uploadProxy.url)) await apply(admin, obj);
  log(`stand-in ready: virt-api on 127.0.0.1:${virtApi.port}, upload proxy ${uploadProxy.url}, metrics on 127.0.0.1:${metrics.port}/metrics, at most ${pool.max} guests`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log("stopping: guests, controller, virt-api");
    quotaStatus.stop();
    await controller.stop().catch(() => {});
    await disks.stop().catch(() => {});
    await backups.stop().catch(() => {});
    await pool.stopAll().catch(() => {});
    await virtApi.close().catch(() => {});
    await uploadProxy.close().catch(() => {});
    await metrics.close().catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
}

main().catch((err) => {
  log(`stand-in failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
