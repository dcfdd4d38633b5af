/**
 * Resolution of DATABASE_URL, shared by prisma.config.ts (the Prisma CLI), scripts/db-setup.ts and
 * lib/server/db/db.ts (the application), so that all three open the same database.
 *
 * Server-only (uses node:fs), but deliberately without `import "server-only"`: that import throws
 * outside Next's react-server build, and this module is also loaded by the Prisma CLI, tsx and vitest.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Database engines the portal supports; the generated client and migrations exist for each. */
export type DatabaseProvider = "sqlite" | "postgresql";

/** Database used when DATABASE_URL is unset, relative to the project root. */
export const DEFAULT_SQLITE_RELATIVE_PATH = ".local/dev.db";

function isProjectRoot(dir: string): boolean {
  return existsSync(path.join(dir, "prisma", "schema.prisma")) && existsSync(path.join(dir, "package.json"));
}

function findUp(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (isProjectRoot(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Returns the absolute path of the project root (the folder holding package.json and
 * prisma/schema.prisma): searched upwards from this module's location (also right inside `.next/`),
 * then from the current directory; falls back to the current directory.
 */
export function getProjectRoot(): string {
  let fromModule: string | undefined;
  try {
    fromModule = findUp(path.dirname(fileURLToPath(import.meta.url)));
  } catch {
    // Bundlers may rewrite import.meta.url to something that is not a file: URL.
  }
  return fromModule ?? findUp(process.cwd()) ?? process.cwd();
}

/**
 * Returns the database URL to use: `DATABASE_URL` (or `env.DATABASE_URL`) when set, else
 * `file:<project root>/.local/dev.db`. Relative SQLite paths (`file:./x.db`) are made absolute against
 * the project root, so every process opens the same file whatever its working directory.
 *
 * @param env Environment to read, `process.env` by default.
 * @returns A `file:/abs/path.db` URL, or the PostgreSQL URL unchanged.
 */
export function resolveDatabaseUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return `file:${path.join(getProjectRoot(), DEFAULT_SQLITE_RELATIVE_PATH)}`;
  if (raw.startsWith("file:")) {
    const file = raw.slice("file:".length);
    if (file === ":memory:" || path.isAbsolute(file)) return raw;
    return `file:${path.resolve(getProjectRoot(), file)}`;
  }
  return raw;
}

/**
 * Tells which engine a database URL designates.
 *
 * @throws Error for any scheme other than `file:`, `postgres://` or `postgresql://`.
 */
export function getDatabaseProvider(url: string): DatabaseProvider {
  if (url.startsWith("file:")) return "sqlite";
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return "postgresql";
  throw new Error(`Unsupported DATABASE_URL scheme (expected file:, postgres:// or postgresql://): ${url.split(":")[0]}:`);
}

/**
 * Returns the SQLite file path of a `file:` URL (query string removed), or undefined for other URLs
 * and `file::memory:`.
 */
export function getSqliteFilePath(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const file = url.slice("file:".length).split("?")[0] ?? "";
  return file === ":memory:" || file === "" ? undefined : file;
}

/** Creates the folder of a SQLite database file if missing (better-sqlite3 does not). No-op otherwise. */
export function ensureSqliteDirectory(url: string): void {
  const file = getSqliteFilePath(url);
  if (file) mkdirSync(path.dirname(file), { recursive: true });
}

/**
 * Returns the Prisma schema for a provider, as an absolute path: prisma/schema.prisma (SQLite,
 * the source of truth) or its generated copy prisma/postgresql/schema.prisma. Migrations live in
 * the `migrations` folder next to each schema.
 */
export function getSchemaPath(provider: DatabaseProvider, root: string = getProjectRoot()): string {
  return provider === "sqlite"
    ? path.join(root, "prisma", "schema.prisma")
    : path.join(root, "prisma", "postgresql", "schema.prisma");
}

/** Returns the `file:` URL form of a path (helper for callers building SQLite URLs for tests). */
export function toSqliteUrl(file: string): string {
  return `file:${path.resolve(file)}`;
}
