/**
 * A throwaway PostgreSQL server for tests and benchmarks (Debian's `postgresql` package: initdb and
 * pg_ctl from /usr/lib/postgresql/<newest>/bin), listening on 127.0.0.1 on a free port, with
 * trust authentication for the superuser `postgres`, fsync off, and its data deleted on stop.
 *
 * PostgreSQL refuses to run as root. As root, the data folder is a fresh folder under the system's
 * temporary folder owned by the `postgres` system user (the package creates it), and initdb and
 * pg_ctl run as that user through `runuser -u postgres`; as anyone else they run as the current
 * user with the data in `.local/<name>-postgres`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../dev-cluster/ports";

/** A running server. */
export interface PostgresServer {
  /** e.g. postgresql://postgres@127.0.0.1:41234/postgres */
  url: string;
  /** stops the server and deletes its data */
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "..");

/** The bin folder of the newest installed PostgreSQL, or null when none is installed. */
export function findPostgresBin(): string | null {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], "bin") : null;
}

function runAs(asPostgres: boolean, cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  const [file, argv] = asPostgres ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: "/" });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Initializes and starts a server.
 * @param opts.name names the data folder (`.local/<name>-postgres` when not root)
 * @throws Error when PostgreSQL is not installed or a step fails (its output in the message)
 */
export async function startPostgres(opts: { name: string; log: (line: string) => void }): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (Debian package `postgresql`; scripts/setup.sh installs it)");
  const isRoot = process.getuid?.() === 0;
  let dataDir: string;
  if (isRoot) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `hikube-${opts.name}-postgres-`));
    const uid = Number((await runAs(false, "id", ["-u", "postgres"])).output.trim());
    const gid = Number((await runAs(false, "id", ["-g", "postgres"])).output.trim());
    if (!Number.isInteger(uid)) throw new Error("no `postgres` system user to run PostgreSQL as (install Debian's postgresql)");
    fs.chownSync(dataDir, uid, gid);
    fs.chmodSync(dataDir, 0o700);
  } else {
    dataDir = path.join(root, ".local", `${opts.name}-postgres`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  const must = async (cmd: string, args: string[]) => {
    const r = await runAs(isRoot, path.join(bin, cmd), args);
    if (r.code !== 0) throw new Error(`${cmd} failed (${r.code}):\n${r.output.trim()}`);
  };
  const port = await freePort();
  await must("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"]);
  await must("pg_ctl", [
    "-D", dataDir, "-l", path.join(dataDir, "server.log"), "-w", "-t", "60",
    "-o", `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    "start",
  ]);
  opts.log(`PostgreSQL (${path.basename(path.dirname(bin))}) on 127.0.0.1:${port}, data in ${dataDir}`);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await runAs(isRoot, path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
