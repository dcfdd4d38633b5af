/**
 * Benchmark (on demand, not in CI): filtered pages of the audit log with 100,000 rows, on SQLite and
 * on PostgreSQL (a throwaway server of scripts/postgres.ts, when Debian's postgresql is installed).
 * Target named by the issue: a filtered page answers in under 200 ms (p99 here).
 *
 * It times lib/server/audit/query.ts `listAudit` (the query GET /api/audit runs) in-process, so
 * the figure is the database's share of a request. The generated Prisma client is built for one
 * provider at a time, so each database is measured in a child process after scripts/db-setup.ts
 * prepared it; the SQLite client is restored at the end.
 *
 * Run: `npm run bench:audit`. Env: BENCH_ROWS (100000), BENCH_ITERATIONS (200), BENCH_POSTGRES=off.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);
const targetMs = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Child: prepare the database of DATABASE_URL, seed `rows` rows and time the queries. */
async function measure(label: string): Promise<void> {
  const { setupDatabase } = await import("../scripts/db-setup");
  await setupDatabase({ databaseUrl: process.env.DATABASE_URL, log: (l) => console.log(`[bench] ${l}`) });
  // Imported after setupDatabase: it may just have (re)generated the client for this provider.
  const { getDb, disconnectDb } = await import("../lib/server/db/db");
  const { listAudit } = await import("../lib/server/audit/query");
  const db = getDb();
  await db.auditLog.deleteMany({});
  const start = Date.now();
  const day = 86_400_000;
  const now = Date.now();
  const actions = ["vm.create", "vm.delete", "vm.power", "vm.console", "disk.create", "disk.delete", "member.create", "quota.update", "tenant.update", "vm.vnc"];
  for (let i = 0; i < rows; i += 5000) {
    await db.auditLog.createMany({
      data: Array.from({ length: Math.min(5000, rows - i) }, (_, k) => {
        const n = i + k;
        return {
          createdAt: new Date(now - ((n * 7919) % (90 * day))),
          actor: `user${n % 50}`,
          tenantName: `tenant${n % 20}`,
          action: actions[n % actions.length],
          targetKind: "VMInstance",
          targetName: `vm-${n % 997}`,
          result: (n % 20 === 0 ? "denied" : n % 7 === 0 ? "failure" : "success") as "denied" | "failure" | "success",
          requestSummary: JSON.stringify({ name: `vm-${n % 997}`, instanceType: "u1.medium" }),
          ip: "127.0.0.1",
        };
      }),
    });
  }
  console.log(`[bench] ${label}: seeded ${rows} rows in ${((Date.now() - start) / 1000).toFixed(1)} s`);

  // a cursor 20 pages deep into one actor's rows
  let deepCursor: string | undefined;
  for (let p = 0; p < 20; p++) deepCursor = (await listAudit({ actor: "user7" }, 50, deepCursor)).nextCursor ?? undefined;

  const cases: [string, () => Promise<unknown>][] = [
    ["tenant, first page", () => listAudit({ tenant: "tenant3" }, 50)],
    ["tenant + result=denied", () => listAudit({ tenant: "tenant3", result: "denied" }, 50)],
    ["actor, page 21 (keyset)", () => listAudit({ actor: "user7" }, 50, deepCursor)],
    ["action + last 7 days", () => listAudit({ action: "vm.delete", from: new Date(now - 7 * day) }, 50)],
    ["no filter, first page", () => listAudit({}, 50)],
  ];
  for (const [name, run] of cases) {
    for (let i = 0; i < 20; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    console.log(`[bench] ${label.padEnd(10)} ${name.padEnd(26)} p50 ${p50.toFixed(2).padStart(7)} ms  p99 ${p99.toFixed(2).padStart(7)} ms  ` +
      `target ${targetMs} ms: ${p99 < targetMs ? "OK" : "OVER"}`);
  }
  await db.auditLog.deleteMany({});
  await disconnectDb();
}

function child(args: string[], databaseUrl: string): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ["--import", "tsx", ...args], {
      stdio: "inherit", env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    c.on("exit", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const log = (l: string) => console.log(`[bench] ${l}`);
  const sqliteFile = path.join(root, ".local", "bench-audit.db");
  for (const f of [sqliteFile, `${sqliteFile}-journal`]) fs.rmSync(f, { force: true });
  const sqliteUrl = `file:${sqliteFile}`;
  let failed = false;
  const self = path.join(root, "bench", "audit.ts");
  failed ||= (await child([self, "--measure", "SQLite"], sqliteUrl)) !== 0;

  const { findPostgresBin, startPostgres } = await import("../scripts/postgres");
  if (process.env.BENCH_POSTGRES !== "off" && findPostgresBin()) {
    const pg = await startPostgres({ name: "bench-audit", log });
    try {
      failed ||= (await child([self, "--measure", "PostgreSQL"], pg.url)) !== 0;
    } finally {
      await pg.stop();
      // give the SQLite client back
      await child([path.join(root, "scripts", "db-setup.ts")], sqliteUrl);
    }
  } else {
    log("PostgreSQL: not installed or BENCH_POSTGRES=off, skipped");
  }
  process.exitCode = failed ? 1 : 0;
}

const i = process.argv.indexOf("--measure");
(i >= 0 ? measure(process.argv[i + 1]) : main()).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
