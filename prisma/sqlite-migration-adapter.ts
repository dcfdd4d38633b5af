/**
 * The SQLite driver adapter used by the Prisma CLI (prisma.config.ts) for migrations.
 *
 * Prisma 6.19's WebAssembly schema engine replays each migration.sql into the shadow database
 * (`migrate diff --from-migrations`, used by `tsx scripts/db-setup.ts --write-migration/--check`)
 * with a single `executeRaw` call, and @prisma/adapter-better-sqlite3 runs `executeRaw` through
 * better-sqlite3's `prepare()`, which accepts one statement only: any real migration fails with
 * "P3006 … External error id#0". This subclass retries such parameterless calls as a script
 * (`executeScript`, i.e. better-sqlite3's `exec()`). `migrate deploy` already uses executeScript.
 * The application (lib/server/db/db.ts) uses the plain adapter.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type SqliteDriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;

function allowMultiStatementExecuteRaw(adapter: SqliteDriverAdapter): SqliteDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      if (query.args.length > 0) throw error;
      // Most likely "more than one statement"; a genuinely bad script fails again here, with its error.
      await adapter.executeScript(query.sql);
      return 0;
    }
  };
  return adapter;
}

/** PrismaBetterSQLite3 whose connections accept multi-statement `executeRaw` (see the file header). */
export class PrismaBetterSQLite3ForMigrate extends PrismaBetterSQLite3 {
  override async connect(): Promise<SqliteDriverAdapter> {
    return allowMultiStatementExecuteRaw(await super.connect());
  }

  override async connectToShadowDb(): Promise<SqliteDriverAdapter> {
    return allowMultiStatementExecuteRaw(await super.connectToShadowDb());
  }
}
