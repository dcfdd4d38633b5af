/**
 * `npm test`: the whole test suite against real parts, ending with one summary line
 * `tests: N passed, N failed[, N skipped]`.
 *
 * 1. unit tests (vitest project `unit`; no cluster);
 * 2. a fresh local cluster in .local/test-cluster (unless KUBECONFIG is given), a fresh database
 *    (SQLite .local/test.db, or TEST_DATABASE_URL), a production build of the portal in
 *    .next-test, and the portal server on a free port;
 * 3. integration tests (vitest project `integration`) through the portal's HTTP API;
 * 4. end-to-end tests (Playwright, Debian's Chromium) against the same server.
 *
 * Exits non-zero when a test failed, a step broke, or no test ran at all.
 * `npm test -- --only unit|integration|e2e` runs one suite (with what it needs).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/** Environment variables for a child process. */
type Env = Record<string, string | undefined>;

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const reports = path.join(root, ".local", "reports");
fs.mkdirSync(reports, { recursive: true });

const only = (() => {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? process.argv[i + 1] : null;
})();
const wants = (suite: string) => !only || only === suite;

type Counts = { passed: number; failed: number; skipped: number };
const totals: Counts = { passed: 0, failed: 0, skipped: 0 };
const problems: string[] = [];
const children: ChildProcess[] = [];

function log(line: string): void {
  console.log(`[test] ${line}`);
}

function run(cmd: string, args: string[], env: Env = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function readVitest(file: string): Counts | null {
  if (!fs.existsSync(file)) return null;
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  return { passed: r.numPassedTests ?? 0, failed: r.numFailedTests ?? 0, skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) };
}

function readPlaywright(file: string): Counts | null {
  if (!fs.existsSync(file)) return null;
  const s = JSON.parse(fs.readFileSync(file, "utf8")).stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0 };
}

function add(suite: string, counts: Counts | null, exitCode: number): void {
  if (!counts) {
    problems.push(`${suite}: no report (exit code ${exitCode})`);
    return;
  }
  log(`${suite}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (exitCode !== 0 && counts.failed === 0) problems.push(`${suite}: exit code ${exitCode} with no failed test (a file failed to load?)`);
}

async function vitest(project: string, env: Env): Promise<void> {
  const out = path.join(reports, `vitest-${project}.json`);
  fs.rmSync(out, { force: true });
  const code = await run("npx", ["vitest", "run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], env);
  add(`vitest ${project}`, readVitest(out), code);
}

async function waitForHealth(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the portal server exited with code ${server.exitCode}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the portal did not answer ${url}/api/health within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  const started = Date.now();
  if (wants("unit")) await vitest("unit", {});
  if (!wants("integration") && !wants("e2e")) return;

  // A cluster of its own, so a running `npm run dev` is not disturbed and every run starts clean.
  const env: Env = {};
  let stopCluster: (() => Promise<void>) | null = null;
  if (!process.env.KUBECONFIG) {
    env.HIKUBE_CLUSTER_DIR = process.env.HIKUBE_CLUSTER_DIR = path.join(root, ".local", "test-cluster");
    const cluster = await import("../dev-cluster/cluster");
    await cluster.stopCluster({ log: () => {} });
    fs.rmSync(path.join(env.HIKUBE_CLUSTER_DIR, "etcd-data"), { recursive: true, force: true });
    await cluster.startCluster((l) => log(`cluster: ${l}`));
    stopCluster = () => cluster.stopCluster({ log: (l) => log(`cluster: ${l}`) });
  }
  try {
    const dbFile = path.join(root, ".local", "test.db");
    if (!process.env.TEST_DATABASE_URL) for (const f of [dbFile, `${dbFile}-journal`]) fs.rmSync(f, { force: true });
    env.DATABASE_URL = process.env.DATABASE_URL = process.env.TEST_DATABASE_URL ?? `file:${dbFile}`;
    const { setupDatabase } = await import("./db-setup");
    await setupDatabase({ databaseUrl: env.DATABASE_URL, log: (l) => log(`db: ${l}`) });

    env.NEXT_DIST_DIR = ".next-test";
    log("building the portal (next build)");
    const buildCode = await run("npx", ["next", "build"], { ...env, NODE_ENV: "production" });
    if (buildCode !== 0) throw new Error(`next build failed with exit code ${buildCode}`);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    Object.assign(env, {
      PORT: String(port), HOST: "127.0.0.1", NEXTAUTH_URL: url, PORTAL_URL: url,
      NEXTAUTH_SECRET: crypto.randomBytes(32).toString("hex"), LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    });
    log(`starting the portal on ${url}`);
    const server = spawn("npx", ["tsx", "server.ts"], { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env, NODE_ENV: "production" } });
    children.push(server);
    await waitForHealth(url, server, 90_000);

    if (wants("integration")) await vitest("integration", env);
    if (wants("e2e")) {
      const out = path.join(reports, "playwright.json");
      fs.rmSync(out, { force: true });
      const code = await run("npx", ["playwright", "test", "--reporter=list,json"], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
      add("playwright e2e", readPlaywright(out), code);
    }
    server.kill("SIGTERM");
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    if (stopCluster) await stopCluster();
    log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

main()
  .catch((err) => {
    problems.push(err instanceof Error ? err.message : String(err));
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    for (const p of problems) console.error(`[test] problem: ${p}`);
    const ranNothing = totals.passed + totals.failed === 0;
    if (ranNothing) console.error("[test] problem: no test ran");
    console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    process.exit(totals.failed > 0 || problems.length > 0 || ranNothing ? 1 : 0);
  });
