/**
 * `npm test`: the whole test suite against real parts, ending with one summary line
 * `tests: N passed, N failed, N skipped`.
 *
 * 0. type check and lint (a failure fails the run; they add no test counts);
 * 1. unit tests (vitest project `unit`; no cluster, mocks allowed), then the KubeVirt stand-in's
 *    tests (project `standin`: real QEMU guests, aggregation layer, controller);
 * 2. the stack of scripts/stack.ts: a fresh local cluster, database, production build and portal,
 *    with a real OpenID provider next to it (the `oidc` sign-in is on, local accounts too);
 * 3. integration tests (vitest project `integration`) through the portal's HTTP API;
 * 4. end-to-end tests (Playwright, Debian's Chromium) against the same server;
 * 5. the integration tests once more with the portal on PostgreSQL: a throwaway server
 *    (scripts/postgres.ts) and a child `scripts/test.ts --only integration` with TEST_DATABASE_URL
 *    (a child process, because the generated Prisma client is built for one provider at a time;
 *    the SQLite client is restored afterwards). HIKUBE_TEST_POSTGRES=off skips this step.
 *
 * Exits non-zero when a test failed, a step broke, or no test ran at all.
 * `npm test -- --only static|unit|standin|integration|e2e[,…]` runs some parts (with what they need).
 */
import fs from "node:fs";
import path from "node:path";
import { run, startStack, type Env, type Stack } from "./stack";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const reports = path.join(root, ".local", "reports");
fs.mkdirSync(reports, { recursive: true });

const only = (() => {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? (process.argv[i + 1] ?? "").split(",") : null;
})();
const wants = (suite: string) => !only || only.includes(suite);

type Counts = { passed: number; failed: number; skipped: number };
const totals: Counts = { passed: 0, failed: 0, skipped: 0 };
const problems: string[] = [];

function log(line: string): void {
  console.log(`[test] ${line}`);
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

// Set by the parent for the PostgreSQL pass: its own stack folder and report file.
const stackName = process.env.HIKUBE_TEST_STACK ?? "test";
const reportSuffix = process.env.HIKUBE_TEST_REPORT_SUFFIX ?? "";

async function vitest(project: string, env: Env): Promise<void> {
  const out = path.join(reports, `vitest-${project}${reportSuffix}.json`);
  fs.rmSync(out, { force: true });
  const code = await run("npx", ["vitest", "run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], env);
  add(`vitest ${project}${reportSuffix ? ` (${reportSuffix.slice(1)})` : ""}`, readVitest(out), code);
}

/** Step 5: the integration suite against a throwaway PostgreSQL server, in a child run. */
async function integrationOnPostgres(): Promise<void> {
  const { findPostgresBin, startPostgres } = await import("./postgres");
  if (!findPostgresBin()) {
    problems.push("PostgreSQL is not installed: run scripts/setup.sh (or set HIKUBE_TEST_POSTGRES=off)");
    return;
  }
  const pg = await startPostgres({ name: "test", log });
  try {
    log("integration tests again, with the portal on PostgreSQL");
    const suffix = "-postgresql";
    const out = path.join(reports, `vitest-integration${suffix}.json`);
    fs.rmSync(out, { force: true });
    const code = await run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "test.ts"), "--only", "integration"], {
      TEST_DATABASE_URL: pg.url, HIKUBE_TEST_STACK: "test-pg", HIKUBE_TEST_REPORT_SUFFIX: suffix, HIKUBE_TEST_POSTGRES: "off",
    });
    add("vitest integration (postgresql)", readVitest(out), code);
  } finally {
    await pg.stop();
    // The child generated the client for PostgreSQL: give the SQLite one back.
    await run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "db-setup.ts")], { DATABASE_URL: `file:${path.join(root, ".local", "test.db")}` });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  if (wants("static")) {
    // Not tests (no counts), but a red type check or lint fails the run like a failed test.
    log("type check (tsc) and lint (eslint)");
    if ((await run("npx", ["tsc", "--noEmit", "-p", "."])) !== 0) problems.push("type check failed (npx tsc --noEmit -p .)");
    if ((await run("npx", ["eslint", ".", "--max-warnings=0"])) !== 0) problems.push("lint failed (npm run lint)");
  }
  if (wants("unit")) await vitest("unit", {});
  // The KubeVirt stand-in's own tests (real QEMU guests, each file with a cluster of its own).
  if (wants("standin")) await vitest("standin", {});
  if (!wants("integration") && !wants("e2e")) return;
  let stack: Stack | null = null;
  try {
    stack = await startStack({ name: stackName, log, oidc: true });
    if (wants("integration")) await vitest("integration", stack.env);
    if (wants("e2e")) {
      const out = path.join(reports, "playwright.json");
      fs.rmSync(out, { force: true });
      const code = await run("npx", ["playwright", "test", "--reporter=list,json"], { ...stack.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
      add("playwright e2e", readPlaywright(out), code);
    }
  } finally {
    await stack?.stop();
  }
  if (wants("integration") && process.env.HIKUBE_TEST_POSTGRES !== "off") await integrationOnPostgres();
  log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main()
  .catch((err) => {
    problems.push(err instanceof Error ? err.message : String(err));
  })
  .finally(() => {
    for (const p of problems) console.error(`[test] problem: ${p}`);
    const ranNothing = totals.passed + totals.failed === 0;
    if (ranNothing) console.error("[test] problem: no test ran");
    // The PostgreSQL pass is a child run: its summary must not look like the run's last line.
    const label = reportSuffix ? `tests (${reportSuffix.slice(1)} pass)` : "tests";
    console.log(`${label}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    process.exit(totals.failed > 0 || problems.length > 0 || ranNothing ? 1 : 0);
  });
