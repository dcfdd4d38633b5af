/**
 * Benchmark (on demand, not in CI): how long the local cluster's backup driver takes to copy a
 * 1 GiB VM disk into its store with its sha256 (dev-cluster/standin/backups.ts `copyWithChecksum`:
 * read in 1 MiB chunks, hashed, zero chunks left as holes), which is most of a BackupJob's and a
 * RestoreJob's time, against what the machine's own tools take for the same work
 * (`cp --sparse=always` then `sha256sum` of the copy). The disk is a sparse file of BENCH_DISK_GIB
 * GiB (default 1) holding BENCH_DATA_MIB MiB of random data (default 256) at its start, as a
 * guest's partly used disk. The file was just written, so its data is in the page cache (dropping
 * it needs root): the figures are the copy's CPU and write cost, the first run's writes the coldest.
 *
 * Run: `npx tsx bench/backup-disk.ts`. A whole backup or restore through the portal, guest paused
 * and VM halted included, is timed by e2e/backups.spec.ts (it prints both).
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { copyWithChecksum } from "../dev-cluster/standin/backups";

const gib = Number(process.env.BENCH_DISK_GIB ?? 1);
const dataMib = Number(process.env.BENCH_DATA_MIB ?? 256);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hikube-bench-backup-"));
const disk = path.join(dir, "disk.img");

try {
  const fd = fs.openSync(disk, "w");
  fs.ftruncateSync(fd, gib * 2 ** 30);
  for (let i = 0; i < dataMib; i++) fs.writeSync(fd, crypto.randomBytes(2 ** 20), 0, 2 ** 20, i * 2 ** 20);
  fs.closeSync(fd);
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ours: number[] = [];
  const tools: number[] = [];
  let same = true;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const { sha256 } = await copyWithChecksum(disk, path.join(dir, "ours.img"));
    ours.push(performance.now() - t0);
    const t1 = performance.now();
    execFileSync("cp", ["--sparse=always", disk, path.join(dir, "tools.img")]);
    const out = execFileSync("sha256sum", [path.join(dir, "tools.img")], { encoding: "utf8" });
    tools.push(performance.now() - t1);
    same &&= out.startsWith(sha256);
    fs.rmSync(path.join(dir, "ours.img"));
    fs.rmSync(path.join(dir, "tools.img"));
  }
  console.log(`disk ${gib} GiB (${dataMib} MiB of data), ${runs} runs, ${os.cpus().length} CPUs ${os.cpus()[0]?.model ?? ""}`);
  console.log(`copy + sha256, stand-in driver: p50 ${p50(ours).toFixed(0)} ms (runs ${ours.map((x) => x.toFixed(0)).join(", ")})`);
  console.log(`cp --sparse=always + sha256sum:  p50 ${p50(tools).toFixed(0)} ms (runs ${tools.map((x) => x.toFixed(0)).join(", ")})`);
  console.log(`same checksum: ${same}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
