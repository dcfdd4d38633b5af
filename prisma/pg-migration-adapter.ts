/**
 * The PostgreSQL driver adapter used by the Prisma CLI (prisma.config.ts) for migrations.
 *
 * Prisma 6.19's WebAssembly schema engine reads pg_catalog through the adapter, and
 * @prisma/adapter-pg rejects catalog column types it has no mapping for, so `migrate deploy`
 * fails with "Column type 'name' could not be deserialized from the database"
 * (https://github.com/prisma/orm/issues/27403, open). pg already parses those columns as strings;
 * this adapter only relabels their type OIDs as text before the adapter maps them. Application
 * queries never return these types, so lib/server/db/db.ts uses the plain PrismaPg adapter.
 */
import { createRequire } from "node:module";
import { PrismaPg } from "@prisma/adapter-pg";

/** Catalog type OIDs → the OID the adapter maps instead: "char", name → text; their arrays → text[]. */
const RELABELLED_OIDS = new Map<number, number>([
  [18, 25], // "char"
  [19, 25], // name
  [1002, 1009], // "char"[]
  [1003, 1009], // name[]
]);

interface PgField {
  dataTypeID: number;
}
interface PgResult {
  fields?: PgField[];
}
type QueryCallback = (err: Error | null, res: PgResult | PgResult[] | undefined) => void;
type PgClientClass = new (config?: unknown) => { query(...args: unknown[]): unknown };

function relabel(result: PgResult | PgResult[] | undefined): void {
  // Multi-statement scripts resolve to one result per statement.
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of r?.fields ?? []) field.dataTypeID = RELABELLED_OIDS.get(field.dataTypeID) ?? field.dataTypeID;
  }
}

/**
 * Creates the PrismaPg adapter factory for migrations (see the file header).
 *
 * @param connectionString `postgres://` or `postgresql://` URL.
 */
export function createPgMigrationAdapter(connectionString: string): PrismaPg {
  // pg ships no types here (@types/pg is not installed): the tiny surface used is typed locally.
  const pg = createRequire(import.meta.url)("pg") as { Client: PgClientClass };

  class CatalogFriendlyClient extends pg.Client {
    override query(...args: unknown[]): unknown {
      const last = args.at(-1);
      if (typeof last === "function") {
        // Callback form, used by pg.Pool#query.
        const callback = last as QueryCallback;
        args[args.length - 1] = ((err, res) => {
          if (!err) relabel(res);
          callback(err, res);
        }) satisfies QueryCallback;
        return super.query(...args);
      }
      const result = super.query(...args);
      if (result instanceof Promise) {
        return result.then((res: PgResult | PgResult[]) => {
          relabel(res);
          return res;
        });
      }
      return result;
    }
  }

  // PrismaPg passes its config to `new pg.Pool(config)`, and pg.Pool honours the `Client` option.
  // allowExitOnIdle: idle pooled connections must not keep the CLI alive. (The CLI still lingers
  // ~10 s after `migrate deploy` on PostgreSQL: the WebAssembly engine leaves its 10 s
  // advisory-lock timeout timer pending; PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK does not reach it.)
  const config = { connectionString, Client: CatalogFriendlyClient, allowExitOnIdle: true };
  return new PrismaPg(config as ConstructorParameters<typeof PrismaPg>[0]);
}
