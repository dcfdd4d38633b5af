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
 * 4b. the development portal exactly as the README starts it (`npm run dev`, its own cluster
 *    folder, database and port), signed into in Chromium (Playwright project `dev`);
 * 5. the image (Containerfile, scripts/image.ts: buildah, cached by its inputs; its build starts
 *    with step 0 and runs beside it), then the
 *    integration tests once more with the portal on PostgreSQL, run from that image: a throwaway
 *    server (scripts/postgres.ts), the image's own db-setup, two replicas behind HAProxy
 *    (scripts/replicas.ts; the tests talk to HAProxy), and a child `scripts/test.ts --only integration,replicas` with
 *    TEST_DATABASE_URL and HIKUBE_TEST_IMAGE (a child process, because the generated Prisma client
 *    is built for one provider at a time; the SQLite client is restored afterwards), without the
 *    files that prove only the cluster side or need one process without a proxy
 *    (`clusterOnlyIntegrationFiles`); then the replica scenario, in Chromium (Playwright project
 *    `replicas`: a replica stopped under an open console and VM list) and at the protocol level
 *    (vitest project `replicas`: tests/replicas). HIKUBE_TEST_POSTGRES=off skips this step.
 * 2b. before the portal starts, the Helm chart (charts/hikube-portal) against that cluster (vitest
 *    project `chart`: helm lint, helm template with the default and the production values,
 *    server-side dry-run of every object, the chart's RBAC applied and a token of its
 *    ServiceAccount requested); the portal of step 2 then runs with that token instead of the
 *    local cluster's portal certificate, so the integration and end-to-end suites prove that the
 *    chart's RBAC is exactly enough. HIKUBE_TEST_CHART=off skips it (the portal then uses the
 *    local cluster's own portal credentials).
 *
 * Exits non-zero when a test failed, a step broke, or no test ran at all.
 * `npm test -- --only static|unit|standin|integration|e2e|dev|chart|replicas[,…]` (replicas: with HIKUBE_TEST_IMAGE) runs some parts (with what they need).
 */
import fs from "node:fs";
import path from "node:path";
import { run, startStack, type Env, type Stack } from "./stack";
import type { BuiltImage } from "./image";

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
/** "suite: file > test title" of every failed test, repeated just above the summary so that a log's tail names them. */
const failures: string[] = [];

function log(line: string): void {
  console.log(`[test] ${line}`);
}

/** The failed tests of a vitest JSON report, as "file > full name". */
function vitestFailures(r: { testResults?: { name: string; assertionResults?: { status: string; fullName: string; failureMessages?: string[] }[] }[] }): string[] {
  return (r.testResults ?? []).flatMap((f) => (f.assertionResults ?? []).filter((a) => a.status === "failed")
    .map((a) => `${path.relative(root, f.name)} > ${a.fullName}${firstLine(a.failureMessages?.[0])}`));
}

/** " — " and the first line of an error message (ANSI colours removed, at most 300 characters), or "". */
function firstLine(message: string | undefined): string {
  const line = (message ?? "").replace(/\u001b\[[0-9;]*m/g, "").split("\n").find((l) => l.trim() !== "")?.trim();
  return line ? ` — ${line.slice(0, 300)}` : "";
}

/** Playwright's JSON report suite (nested describes); only the fields read here. */
type PlaywrightSuite = { title: string; file?: string; suites?: PlaywrightSuite[];
  specs?: { title: string; file: string; tests: { projectName: string; status: string; results?: { error?: { message?: string } }[] }[] }[] };

/** The failed tests of a Playwright JSON report ("unexpected" status), as "[project] file > title". */
function playwrightFailures(suites: PlaywrightSuite[]): string[] {
  return suites.flatMap((s) => [
    ...(s.specs ?? []).flatMap((spec) => spec.tests.filter((t) => t.status === "unexpected")
      .map((t) => `[${t.projectName}] ${spec.file} > ${spec.title}${firstLine(t.results?.at(-1)?.error?.message)}`)),
    ...playwrightFailures(s.suites ?? []),
  ]);
}

function readVitest(file: string): Counts | null {
  if (!fs.existsSync(file)) return null;
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  failures.push(...vitestFailures(r));
  return { passed: r.numPassedTests ?? 0, failed: r.numFailedTests ?? 0, skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) };
}

function readPlaywright(file: string): Counts | null {
  if (!fs.existsSync(file)) return null;
  const report = JSON.parse(fs.readFileSync(file, "utf8"));
  failures.push(...playwrightFailures(report.suites ?? []));
  const s = report.stats ?? {};
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

/** Runs one vitest project and adds its counts; `suffix` names its report and its line in the summary. */
async function vitest(project: string, env: Env, suffix = reportSuffix): Promise<void> {
  const out = path.join(reports, `vitest-${project}${suffix}.json`);
  fs.rmSync(out, { force: true });
  // HIKUBE_TEST_EXCLUDE: comma-separated file globs this run leaves out (the PostgreSQL pass, below)
  const exclude = (process.env.HIKUBE_TEST_EXCLUDE ?? "").split(",").filter(Boolean).flatMap((glob) => ["--exclude", glob]);
  const code = await run("npx", ["vitest", "run", "--project", project, ...exclude, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], env);
  add(`vitest ${project}${suffix ? ` (${suffix.slice(1)})` : ""}`, readVitest(out), code);
}

/**
 * Step 4b: `npm run dev` as a user runs it, with its own cluster folder, SQLite file and port so
 * that a developer's running portal is not disturbed; Playwright project `dev` signs in through
 * it. The dev process group and its cluster are stopped afterwards.
 */
async function devMode(): Promise<void> {
  const { spawn } = await import("node:child_process");
  const { freePort } = await import("../dev-cluster/ports");
  const port = await freePort();
  const clusterDir = path.join(root, ".local", "dev-smoke-cluster");
  const dbFile = path.join(root, ".local", "dev-smoke.db");
  for (const f of [dbFile, `${dbFile}-journal`, path.join(clusterDir, "etcd-data")]) fs.rmSync(f, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", HIKUBE_CLUSTER_DIR: clusterDir,
    DATABASE_URL: `file:${dbFile}`, NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "warn" };
  // as a user's shell has them: none of the test stack's settings
  for (const k of ["NEXTAUTH_URL", "NEXTAUTH_SECRET", "NODE_ENV", "KUBECONFIG", "NEXT_DIST_DIR", "PORTAL_URL"]) delete env[k];
  log(`npm run dev on port ${port}`);
  const started = Date.now();
  const dev = spawn("npm", ["run", "dev"], { env, detached: true, stdio: ["ignore", "pipe", "inherit"] });
  const stop = async () => {
    try {
      process.kill(-dev.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
    for (let i = 0; i < 50 && dev.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-dev.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
    await run(process.execPath, ["--import", "tsx", path.join(root, "dev-cluster", "down.ts")], { HIKUBE_CLUSTER_DIR: clusterDir });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("npm run dev printed no URL within 240 s")), 240_000);
      dev.stdout!.on("data", (chunk: Buffer) => {
        process.stdout.write(chunk);
        out += chunk.toString();
        const m = /Hikube Portal: (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      dev.on("exit", (code) => reject(new Error(`npm run dev exited with code ${code}`)));
    });
    log(`npm run dev ready at ${url} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const out = path.join(reports, "playwright-dev.json");
    fs.rmSync(out, { force: true });
    const code = await run("npx", ["playwright", "test", "--project", "dev", "--reporter=list,json"], { PORTAL_URL: url, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
    add("playwright dev mode", readPlaywright(out), code);
  } finally {
    dev.stdout?.resume();
    await stop();
  }
}

/**
 * Integration files the PostgreSQL pass (two replicas of the image behind HAProxy) leaves out:
 * they prove the cluster side (an API server restart, Prometheus, the shared watch caches, QEMU
 * pause, the console relay), ~150 s together, or one process reached without a proxy (below);
 * their database use (sessions, audit rows) is the code every other file runs on PostgreSQL.
 */
const clusterOnlyIntegrationFiles = [
  "tests/integration/cluster-outage.test.ts",
  "tests/integration/metrics.test.ts",
  "tests/integration/scale-cache.test.ts",
  "tests/integration/pause.test.ts",
  "tests/integration/console.test.ts",
  // starts a portal process of its own from the tree's build, which the image pass does not make
  "tests/integration/shutdown.test.ts",
  // one process behind no proxy: per-process limits (streams and consoles per user), /metrics of
  // the process answering, a client-sent X-Forwarded-For ignored (the replicas trust HAProxy's)
  "tests/integration/trust-limits.test.ts",
  "tests/integration/observability.test.ts",
  "tests/integration/trust-headers.test.ts",
  // raw sockets: how the portal itself ends a refused upgrade (HAProxy keeps its client connection)
  "tests/integration/trust.test.ts",
];

/**
 * Step 5: the image (scripts/image.ts; rebuilt only when its inputs changed), then the
 * integration suite against a throwaway PostgreSQL server with the portal running from that image
 * as two replicas behind HAProxy (scripts/replicas.ts; the suite talks to HAProxy), without
 * {@link clusterOnlyIntegrationFiles}, then the replica scenario (tests/replicas). In a child run,
 * whose Prisma client (for the tests' own database reads) is PostgreSQL's.
 */
async function integrationOnPostgres(imageBuild: Promise<BuiltImage | Error>): Promise<void> {
  const { findPostgresBin, startPostgres } = await import("./postgres");
  if (!findPostgresBin()) {
    problems.push("PostgreSQL is not installed: run scripts/setup.sh (or set HIKUBE_TEST_POSTGRES=off)");
    return;
  }
  const image = await imageBuild;
  if (image instanceof Error) {
    problems.push(`the image did not build: ${image.message}`);
    return;
  }
  const pg = await startPostgres({ name: "test", log });
  try {
    log("integration tests again, with the portal on PostgreSQL, from the image, as two replicas behind HAProxy (the tests talk to HAProxy)");
    const suffix = "-postgresql";
    const out = path.join(reports, `vitest-integration${suffix}.json`);
    const replicasOut = path.join(reports, `vitest-replicas${suffix}.json`);
    fs.rmSync(out, { force: true });
    fs.rmSync(replicasOut, { force: true });
    fs.rmSync(path.join(reports, `playwright-replicas${suffix}.json`), { force: true });
    const code = await run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "test.ts"), "--only", "integration,replicas"], {
      TEST_DATABASE_URL: pg.url, HIKUBE_TEST_STACK: "test-pg", HIKUBE_TEST_REPORT_SUFFIX: suffix, HIKUBE_TEST_POSTGRES: "off",
      HIKUBE_TEST_EXCLUDE: clusterOnlyIntegrationFiles.join(","), HIKUBE_TEST_IMAGE: image.name,
    });
    add("vitest replicas (postgresql, image)", readVitest(replicasOut), code);
    add("playwright replicas (postgresql, image)", readPlaywright(path.join(reports, `playwright-replicas${suffix}.json`)), code);
    add("vitest integration (postgresql)", readVitest(out), code);
  } finally {
    await pg.stop();
    // The child generated the client for PostgreSQL: give the SQLite one back.
    await run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "db-setup.ts")], { DATABASE_URL: `file:${path.join(root, ".local", "test.db")}` });
  }
}

/**
 * Step 2b, run by startStack once the cluster is up and before the portal starts: the chart checks
 * (tests/chart/chart.test.ts writes a kubeconfig of the chart's ServiceAccount token only when
 * every check before it passed), then the portal's KUBECONFIG is that token's.
 */
async function chartChecks(env: Env): Promise<Env> {
  const { execFileSync } = await import("node:child_process");
  log("helm (built once from dev-cluster/build-helm, cached by the pin's hash)");
  const helm = execFileSync("bash", [path.join(root, "dev-cluster", "scripts", "ensure-helm.sh")],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" }).trim().split("\n").pop()!;
  const { chartKubeconfigPath } = await import("../tests/chart/support");
  log("the chart against the API server (helm lint, helm template, dry-run, RBAC, TokenRequest)");
  await vitest("chart", { ...env, HIKUBE_HELM: helm }, "");
  const kubeconfig = chartKubeconfigPath(env.HIKUBE_CLUSTER_DIR!);
  if (!fs.existsSync(kubeconfig)) throw new Error("the chart checks failed: no token of the chart's ServiceAccount to run the portal with");
  log(`the portal runs with the chart's ServiceAccount token (KUBECONFIG=${path.relative(root, kubeconfig)})`);
  return { KUBECONFIG: kubeconfig };
}

/**
 * Starts the image build of step 5 (scripts/image.ts) at once, beside the static checks and the
 * unit tests: both steps wait on the CPU in turns, and together they take ~100 s less than one
 * after the other on 2 cores. Resolves with the image or the build's error (never rejects).
 */
function startImageBuild(): Promise<BuiltImage | Error> {
  const begun = Date.now();
  return import("./image").then(({ buildImage }) => buildImage((l) => log(l)))
    .then((image) => {
      log(`image ready ${((Date.now() - begun) / 1000).toFixed(0)} s after the run started`);
      return image;
    }, (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
}

async function main(): Promise<void> {
  const started = Date.now();
  const imageBuild = wants("integration") && process.env.HIKUBE_TEST_POSTGRES !== "off" ? startImageBuild() : null;
  if (wants("static")) {
    // Not tests (no counts), but a red type check or lint fails the run like a failed test.
    log("type check (tsc) and lint (eslint)");
    if ((await run("npx", ["tsc", "--noEmit", "-p", "."])) !== 0) problems.push("type check failed (npx tsc --noEmit -p .)");
    if ((await run("npx", ["eslint", ".", "--max-warnings=0"])) !== 0) problems.push("lint failed (npm run lint)");
  }
  if (wants("unit")) await vitest("unit", {});
  // The KubeVirt stand-in's own tests (real QEMU guests, each file with a cluster of its own).
  if (wants("standin")) await vitest("standin", {});
  if (wants("integration") || wants("e2e") || wants("chart") || wants("replicas")) {
    let stack: Stack | null = null;
    try {
      const chart = wants("chart") && process.env.HIKUBE_TEST_CHART !== "off";
      const image = process.env.HIKUBE_TEST_IMAGE;
      stack = await startStack({ name: stackName, log, oidc: true, ...(chart ? { afterCluster: chartChecks } : {}), ...(image ? { image } : {}) });
      if (wants("integration")) await vitest("integration", stack.env);
      if (wants("replicas") && image) {
        // in the browser first (it stops a replica and starts it again), then the protocol-level scenario
        const out = path.join(reports, `playwright-replicas${reportSuffix}.json`);
        fs.rmSync(out, { force: true });
        const code = await run("npx", ["playwright", "test", "--project", "replicas", "--reporter=list,json"], { ...stack.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
        add("playwright replicas", readPlaywright(out), code);
        await vitest("replicas", stack.env);
      }
      if (wants("e2e")) {
        const out = path.join(reports, "playwright.json");
        fs.rmSync(out, { force: true });
        const code = await run("npx", ["playwright", "test", "--project", "chromium", "--project", "metrics", "--project", "outage", "--reporter=list,json"], { ...stack.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out });
        add("playwright e2e", readPlaywright(out), code);
      }
    } finally {
      await stack?.stop();
    }
  }
  if (wants("dev")) await devMode();
  if (imageBuild) await integrationOnPostgres(imageBuild);
  if (wants("integration") || wants("e2e") || wants("chart")) log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main()
  .catch((err) => {
    problems.push(err instanceof Error ? err.message : String(err));
  })
  .finally(() => {
    for (const f of failures) console.log(`[test] failed: ${f}`);
    for (const p of problems) console.error(`[test] problem: ${p}`);
    const ranNothing = totals.passed + totals.failed === 0;
    if (ranNothing) console.error("[test] problem: no test ran");
    // The PostgreSQL pass is a child run: its summary must not look like the run's last line.
    const label = reportSuffix ? `tests (${reportSuffix.slice(1)} pass)` : "tests";
    console.log(`${label}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    process.exit(totals.failed > 0 || problems.length > 0 || ranNothing ? 1 : 0);
  });
