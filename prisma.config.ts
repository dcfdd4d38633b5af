/**
 * Prisma CLI configuration (Prisma 6.19, offline "JS engine" mode — see /work/shared/environment.md).
 *
 * - The schema and migrations follow DATABASE_URL: prisma/schema.prisma + prisma/migrations for
 *   `file:` URLs (SQLite), prisma/postgresql/schema.prisma + prisma/postgresql/migrations for
 *   `postgres://` / `postgresql://`.
 * - Migrations run through a driver adapter (better-sqlite3 or pg) and the WebAssembly schema
 *   engine bundled in the CLI: no engine download. `migrate dev` does not work in this mode
 *   (P1014); write migrations with `tsx scripts/db-setup.ts --write-migration NAME`.
 * - DATABASE_URL defaults to file:<project root>/.local/dev.db (lib/server/db/database-url.ts).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";
import {
  ensureSqliteDirectory,
  getDatabaseProvider,
  getSchemaPath,
  getSqliteFilePath,
  resolveDatabaseUrl,
} from "./lib/server/db/database-url";

const root = path.dirname(fileURLToPath(import.meta.url));

// The CLI tries to download native engines unless these point at existing files; in JS-engine mode
// they are never loaded, so any file will do.
for (const name of ["PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_QUERY_ENGINE_LIBRARY"] as const) {
  const current = process.env[name];
  if (!current || !existsSync(current)) process.env[name] = path.join(root, "package.json");
}

const databaseUrl = resolveDatabaseUrl();
// schema.prisma reads env("DATABASE_URL"): give it the resolved (absolute) URL.
process.env.DATABASE_URL = databaseUrl;
const provider = getDatabaseProvider(databaseUrl);
ensureSqliteDirectory(databaseUrl);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: getSchemaPath(provider, root),
  // Explicit: each provider has its own migration set next to its schema.
  migrations: { path: path.join(path.dirname(getSchemaPath(provider, root)), "migrations") },
  async adapter() {
    if (provider === "sqlite") {
      const { PrismaBetterSQLite3ForMigrate } = await import("./prisma/sqlite-migration-adapter");
      return new PrismaBetterSQLite3ForMigrate({ url: getSqliteFilePath(databaseUrl) ?? ":memory:" });
    }
    const { createPgMigrationAdapter } = await import("./prisma/pg-migration-adapter");
    return createPgMigrationAdapter(databaseUrl);
  },
});
