/**
 * Database setup for dev mode and tests — idempotent, offline (Prisma 6.19 in JS-engine mode, see
 * /work/shared/environment.md and prisma.config.ts).
 *
 *   tsx scripts/db-setup.ts                        generate the client if stale, migrate deploy, seed
 *   tsx scripts/db-setup.ts --no-seed              the same without the demo seed (production: the chart's Job)
 *   tsx scripts/db-setup.ts --write-migration NAME write a new migration for both providers
 *   tsx scripts/db-setup.ts --check                fail if the schema and the two migration sets differ
 *   tsx scripts/db-setup.ts --generate-only        only generate the client for DATABASE_URL's provider (image build)
 *
 * DATABASE_URL picks the database (default file:<root>/.local/dev.db); `file:` is SQLite,
 * `postgres://`/`postgresql://` is PostgreSQL.
 *
 * How the two migration sets are kept in step
 * -------------------------------------------
 * prisma/schema.prisma (SQLite) is the only schema anyone edits. Prisma migrations are SQL for one
 * provider, so PostgreSQL has its own set:
 *
 *   prisma/schema.prisma                + prisma/migrations/            (SQLite)
 *   prisma/postgresql/schema.prisma     + prisma/postgresql/migrations/ (PostgreSQL, generated)
 *
 * `--write-migration NAME` is the only way to change either set. It writes, under the same
 * `<UTC timestamp>_<name>` folder name in both sets:
 *   - SQLite: `prisma migrate diff --from-migrations prisma/migrations --to-schema-datamodel
 *     prisma/schema.prisma` (replays the existing migrations in an in-memory shadow database);
 *   - PostgreSQL: `prisma migrate diff --from-schema-datamodel <current prisma/postgresql/schema.prisma>
 *     --to-schema-datamodel <new PostgreSQL copy>`: the committed copy is, by construction, the schema
 *     the existing PostgreSQL migrations produce, so no PostgreSQL server is needed. The copy is then
 *     replaced by the new one (the SQLite schema with only the provider and output lines changed).
 * `--check` (cheap enough for CI) verifies the copy is current and the SQLite migrations reach the
 * schema. `prisma migrate dev` does not work in this mode (P1014): do not use it.
 *
 * The CLI's adapters (prisma.config.ts) work around two Prisma 6.19 JS-mode bugs:
 * prisma/sqlite-migration-adapter.ts (shadow-database replay of multi-statement migrations) and
 * prisma/pg-migration-adapter.ts (catalog `name` columns, prisma/orm#27403). On PostgreSQL the CLI
 * lingers ~10 s after `migrate deploy` (a pending advisory-lock timer in the WebAssembly engine).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  ensureSqliteDirectory,
  getDatabaseProvider,
  getSchemaPath,
  resolveDatabaseUrl,
  type DatabaseProvider,
} from "../lib/server/db/database-url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
const generatedDir = path.join(root, "lib", "generated", "prisma");
const sqliteSchemaPath = getSchemaPath("sqlite", root);
const postgresSchemaPath = getSchemaPath("postgresql", root);

/** Options of {@link setupDatabase}. */
export interface SetupDatabaseOptions {
  /** Database to set up; default {@link resolveDatabaseUrl}() (DATABASE_URL, else .local/dev.db). */
  databaseUrl?: string;
  /** Receives one line per step; default console.log. */
  log?: (line: string) => void;
  /**
   * Whether to add the demo tenants and accounts (default true). Never in production: the seed
   * brings its accounts, passwords and memberships back at every run (prisma/seed.ts).
   */
  seed?: boolean;
}

/** Hides the password of a PostgreSQL URL for logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)}s`;
}

/**
 * Runs the Prisma CLI of node_modules with the resolved DATABASE_URL and the engine variables that
 * keep it offline. Resolves with stdout; rejects with the combined output on a non-zero exit
 * (unless that exit code is listed in `okCodes`).
 */
function runPrisma(
  args: string[],
  databaseUrl: string,
  okCodes: number[] = [0],
): Promise<{ code: number; stdout: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl };
  // Any existing file stops the CLI from downloading native engines (never loaded in JS mode).
  for (const name of ["PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_QUERY_ENGINE_LIBRARY"]) {
    if (!env[name] || !existsSync(env[name])) env[name] = path.join(root, "package.json");
  }
  env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== null && okCodes.includes(code)) resolve({ code, stdout });
      else reject(new Error(`prisma ${args.join(" ")} exited with ${code}:\n${output.trim()}`));
    });
  });
}

/**
 * Derives prisma/postgresql/schema.prisma from the SQLite schema: same models, provider
 * "postgresql", output path adjusted for the deeper folder, and a "generated" header.
 *
 * @throws Error when the datasource provider or generator output line is not found.
 */
export function derivePostgresSchema(sqliteSchema: string): string {
  const provider = /(datasource\s+db\s*\{[^}]*?provider\s*=\s*)"sqlite"/;
  const output = /(output\s*=\s*)"\.\.\/lib\/generated\/prisma"/;
  if (!provider.test(sqliteSchema) || !output.test(sqliteSchema)) {
    throw new Error('prisma/schema.prisma: expected `provider = "sqlite"` and `output = "../lib/generated/prisma"`');
  }
  const header =
    "// GENERATED from prisma/schema.prisma by `tsx scripts/db-setup.ts --write-migration NAME` — do not edit.\n" +
    "// It is also the schema that prisma/postgresql/migrations produce (see scripts/db-setup.ts).\n\n";
  return (
    header +
    sqliteSchema.replace(provider, '$1"postgresql"').replace(output, '$1"../../lib/generated/prisma"')
  );
}

/** Returns the provider the generated client was built for, or undefined when there is none. */
function getGeneratedProvider(): DatabaseProvider | undefined {
  const classFile = path.join(generatedDir, "internal", "class.ts");
  if (!existsSync(path.join(generatedDir, "client.ts")) || !existsSync(classFile)) return undefined;
  const match = /"activeProvider":\s*"(\w+)"/.exec(readFileSync(classFile, "utf8"));
  return match?.[1] === "sqlite" || match?.[1] === "postgresql" ? match[1] : undefined;
}

/** Tells why the client must be (re)generated for `provider`, or returns undefined when it is current. */
function getGenerateReason(provider: DatabaseProvider, schemaPath: string): string | undefined {
  const generated = getGeneratedProvider();
  if (!generated) return "missing";
  if (generated !== provider) return `built for ${generated}`;
  if (statSync(schemaPath).mtimeMs > statSync(path.join(generatedDir, "client.ts")).mtimeMs) return "schema changed";
  return undefined;
}

/**
 * Generates the Prisma client into lib/generated/prisma for the provider of `databaseUrl` when it
 * is missing, older than the schema or built for the other provider (no database is contacted).
 * @throws Error when `prisma generate` fails (its output in the message)
 */
export async function generateClient(databaseUrl: string, log: (line: string) => void = console.log): Promise<void> {
  const provider = getDatabaseProvider(databaseUrl);
  // The image's bundle (scripts/image/assemble.ts) carries its client inlined: nothing to generate.
  if (process.env.HIKUBE_PRISMA_CLIENT_BUNDLED === "1") return log(`db-setup: generate client (${provider}) ... built into the image`);
  const schemaPath = getSchemaPath(provider, root);
  const start = performance.now();
  const reason = getGenerateReason(provider, schemaPath);
  if (reason) {
    await runPrisma(["generate", "--schema", schemaPath], databaseUrl);
    log(`db-setup: generate client (${provider}, ${reason}) ... done (${seconds(start)})`);
  } else {
    log(`db-setup: generate client (${provider}) ... up to date`);
  }
}

/**
 * Prepares a database for the portal, idempotently: (1) generates the Prisma client into
 * lib/generated/prisma when it is missing, older than the schema or built for the other provider;
 * (2) applies pending migrations (`prisma migrate deploy`) from the set matching the URL's provider;
 * (3) seeds the demo tenants, users, memberships and quotas (prisma/seed.ts), unless `seed: false`.
 *
 * @throws Error when a step fails (the Prisma CLI output is in the message), or for PostgreSQL when
 *   prisma/postgresql/schema.prisma is not in step with prisma/schema.prisma.
 */
export async function setupDatabase(opts: SetupDatabaseOptions = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const databaseUrl = opts.databaseUrl
    ? resolveDatabaseUrl({ DATABASE_URL: opts.databaseUrl })
    : resolveDatabaseUrl();
  const provider = getDatabaseProvider(databaseUrl);
  const schemaPath = getSchemaPath(provider, root);
  ensureSqliteDirectory(databaseUrl);

  const isPostgresCopyCurrent =
    existsSync(postgresSchemaPath) &&
    readFileSync(postgresSchemaPath, "utf8") === derivePostgresSchema(readFileSync(sqliteSchemaPath, "utf8"));
  if (!isPostgresCopyCurrent) {
    const message = "prisma/postgresql/schema.prisma is out of step: run `tsx scripts/db-setup.ts --write-migration NAME`";
    if (provider === "postgresql") throw new Error(message);
    log(`db-setup: warning: ${message}`);
  }

  await generateClient(databaseUrl, log);

  let start = performance.now();
  const { stdout } = await runPrisma(["migrate", "deploy", "--schema", schemaPath], databaseUrl);
  const applied = stdout.match(/^\s*└─ \S+\/\s*$/gm)?.length ?? 0; // one "└─ <folder>/" line each
  const state = stdout.includes("No pending migrations") ? "up to date" : `${applied} applied`;
  log(`db-setup: migrate deploy (${redactUrl(databaseUrl)}) ... ${state} (${seconds(start)})`);

  if (opts.seed === false) {
    log("db-setup: seed ... skipped (--no-seed)");
    return;
  }
  start = performance.now();
  // Imported late: they load the generated client, which step 1 may just have created.
  const { createDbClient } = await import("../lib/server/db/db");
  const { seedDatabase } = await import("../prisma/seed");
  const db = createDbClient(databaseUrl);
  try {
    const s = await seedDatabase(db);
    log(
      `db-setup: seed ... ${s.tenants} tenants, ${s.users} users, ${s.memberships} memberships, ` +
        `${s.quotasCreated} quotas created, ${s.passwordsHashed} passwords hashed (${seconds(start)})`,
    );
  } finally {
    await db.$disconnect();
  }
}

/** UTC timestamp in Prisma's migration folder format: YYYYMMDDHHMMSS. */
function migrationTimestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

const EMPTY_MIGRATION = /^\s*-- This is an empty migration\.\s*$/;
// A throwaway SQLite database for CLI commands that need no real database (datamodel diffs);
// the in-memory adapter also provides the shadow database for --from-migrations.
const scratchUrl = "file::memory:";

function writeLock(dir: string, provider: DatabaseProvider): void {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, "migration_lock.toml");
  if (!existsSync(lock)) {
    writeFileSync(
      lock,
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
    );
  }
}

/**
 * Writes migration `<timestamp>_<name>` for both providers from the current prisma/schema.prisma
 * (see the file header), then refreshes prisma/postgresql/schema.prisma.
 *
 * @returns The folder name, or undefined when the schema has no change to migrate.
 */
export async function writeMigration(name: string, log: (line: string) => void = console.log): Promise<string | undefined> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
  if (!slug) throw new Error("--write-migration needs a name, e.g. add_audit_indexes");
  const folder = `${migrationTimestamp()}_${slug}`;
  const sqliteDir = path.join(root, "prisma", "migrations");
  const postgresDir = path.join(root, "prisma", "postgresql", "migrations");
  const hasSqliteMigrations = existsSync(path.join(sqliteDir, "migration_lock.toml"));
  const newPostgresSchema = derivePostgresSchema(readFileSync(sqliteSchemaPath, "utf8"));

  const tmp = mkdtempSync(path.join(os.tmpdir(), "hikube-migration-"));
  try {
    const sqliteSql = path.join(tmp, "sqlite.sql");
    await runPrisma(
      [
        "migrate", "diff",
        ...(hasSqliteMigrations ? ["--from-migrations", sqliteDir] : ["--from-empty"]),
        "--to-schema-datamodel", sqliteSchemaPath, "--script", "--output", sqliteSql,
      ],
      scratchUrl,
    );
    const newPostgresPath = path.join(tmp, "schema.prisma");
    writeFileSync(newPostgresPath, newPostgresSchema);
    const postgresSql = path.join(tmp, "postgresql.sql");
    await runPrisma(
      [
        "migrate", "diff",
        ...(existsSync(postgresSchemaPath) ? ["--from-schema-datamodel", postgresSchemaPath] : ["--from-empty"]),
        "--to-schema-datamodel", newPostgresPath, "--script", "--output", postgresSql,
      ],
      scratchUrl,
    );

    const sql = { sqlite: readFileSync(sqliteSql, "utf8"), postgresql: readFileSync(postgresSql, "utf8") };
    if (EMPTY_MIGRATION.test(sql.sqlite) && EMPTY_MIGRATION.test(sql.postgresql)) {
      log("db-setup: no schema change, no migration written");
      return undefined;
    }
    for (const [provider, dir] of [["sqlite", sqliteDir], ["postgresql", postgresDir]] as const) {
      writeLock(dir, provider);
      mkdirSync(path.join(dir, folder));
      writeFileSync(path.join(dir, folder, "migration.sql"), sql[provider]);
      log(`db-setup: wrote ${path.relative(root, path.join(dir, folder, "migration.sql"))}`);
    }
    mkdirSync(path.dirname(postgresSchemaPath), { recursive: true });
    writeFileSync(postgresSchemaPath, newPostgresSchema);
    log(`db-setup: wrote ${path.relative(root, postgresSchemaPath)}`);
    return folder;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Verifies that prisma/postgresql/schema.prisma is the current copy of prisma/schema.prisma and that
 * the SQLite migrations produce exactly prisma/schema.prisma.
 *
 * @returns The list of problems (empty when everything is in step).
 */
export async function checkMigrations(): Promise<string[]> {
  const problems: string[] = [];
  const expected = derivePostgresSchema(readFileSync(sqliteSchemaPath, "utf8"));
  if (!existsSync(postgresSchemaPath) || readFileSync(postgresSchemaPath, "utf8") !== expected) {
    problems.push("prisma/postgresql/schema.prisma differs from the copy derived from prisma/schema.prisma");
  }
  const { code } = await runPrisma(
    [
      "migrate", "diff", "--from-migrations", path.join(root, "prisma", "migrations"),
      "--to-schema-datamodel", sqliteSchemaPath, "--exit-code",
    ],
    scratchUrl,
    [0, 2],
  );
  if (code === 2) problems.push("prisma/migrations does not produce prisma/schema.prisma (a migration is missing)");
  return problems;
}

async function main(argv: string[]): Promise<void> {
  const writeIndex = argv.indexOf("--write-migration");
  if (writeIndex >= 0) {
    await writeMigration(argv[writeIndex + 1] ?? "");
    return;
  }
  if (argv.includes("--check")) {
    const problems = await checkMigrations();
    for (const p of problems) console.error(`db-setup: ${p}; run \`tsx scripts/db-setup.ts --write-migration NAME\``);
    if (problems.length > 0) process.exitCode = 1;
    else console.log("db-setup: schema and migrations are in step");
    return;
  }
  if (argv.includes("--generate-only")) {
    await generateClient(resolveDatabaseUrl());
    return;
  }
  await setupDatabase({ seed: !argv.includes("--no-seed") });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
