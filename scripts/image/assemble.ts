/**
 * Assembles the image's application folder (the Containerfile's build stage runs it after
 * `NEXT_OUTPUT=standalone next build` and the PostgreSQL client's generation):
 *
 *   node --import tsx scripts/image/assemble.ts /app
 *
 * Result, everything the runtime stage copies:
 *   /app/server.mjs              server.ts bundled by esbuild (our code and most packages inlined)
 *   /app/scripts/db-setup.mjs    scripts/db-setup.ts the same way (migrations, optional seed)
 *   /app/.next/                  Next's standalone server files, plus .next/static
 *   /app/public/
 *   /app/node_modules/           Next's traced packages, plus what the two bundles import and the
 *                                Prisma CLI (migrate deploy) with their dependencies
 *   /app/prisma.config.ts, /app/prisma/, /app/lib/server/db/database-url.ts
 *                                what the Prisma CLI loads for `migrate deploy` (prisma.config.ts)
 *   /app/package.json
 *
 * Pruned: the other databases' WebAssembly engines of @prisma/client and the CLI (the image is
 * PostgreSQL's) and the client's runtimes of other engine modes, SQLite's C sources (better-sqlite3), sharp (Next's image optimizer, not used: no next/image), Next's own standalone
 * server.js (server.mjs replaces it), TypeScript declarations and source maps in node_modules.
 *
 * Prints the folder's size in MiB. Throws when a package a bundle imports is not installed.
 */
import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const src = path.resolve(import.meta.dirname, "..", "..");
const out = path.resolve(process.argv[2] ?? "/app");

/** The package name of a bare import (`@scope/name/sub` → `@scope/name`, `next/server` → `next`), or null for a builtin or a relative path. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith("node:") || specifier.startsWith(".") || specifier.startsWith("/")) return null;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return builtinModules.includes(name) ? null : name;
}

/** The folder of package `name` as Node resolves it from `fromDir` (nearest node_modules upwards, up to the project), or null. */
function findPackage(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === src || path.dirname(dir) === dir) return null;
  }
}

/**
 * The folders of packages `names` and, recursively, of their dependencies and installed optional
 * dependencies, resolved as Node does (nested node_modules first).
 * @throws Error when a package or a (non-optional) dependency is not installed
 */
function closure(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const todo: [string, string][] = [...names].map((n) => [n, src]);
  while (todo.length > 0) {
    const [name, from] = todo.pop()!;
    const dir = findPackage(name, from);
    if (!dir) throw new Error(`assemble: package ${name} (needed from ${path.relative(src, from) || "."}) is not installed`);
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) todo.push([dep, dir]);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) if (findPackage(dep, dir)) todo.push([dep, dir]);
  }
  return seen;
}

/**
 * Copies a package folder (absolute, under node_modules) to the same place under `out`, replacing
 * the copy Next's trace may have made: a trace holds the files Next's CommonJS server loads, while
 * the bundles import packages as ES modules (other entry points, e.g. ws's wrapper.mjs).
 */
function copyPackage(dir: string): void {
  const to = path.join(out, path.relative(src, dir));
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  // nested node_modules are copied as packages of their own (closure lists them)
  fs.cpSync(dir, to, { recursive: true, dereference: true, filter: (f) => !path.relative(dir, f).startsWith("node_modules") });
}

/** Folder size in bytes. */
function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Packages the bundles import from node_modules instead of inlining them (see the esbuild call). */
const externalPackages = ["next", "@kubernetes/client-node", "better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "@prisma/client", "pg", "pino", "prom-client", "ws"];

/** Removes what no running code reads from a node_modules tree: TypeScript sources and declarations, source maps. */
function pruneModules(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(d\.[cm]?ts|[cm]?ts|map)$/.test(entry.name)) fs.rmSync(path.join(entry.parentPath, entry.name));
  }
}

async function main(): Promise<void> {
  const distDir = path.join(src, process.env.NEXT_DIST_DIR ?? ".next");
  const standalone = path.join(distDir, "standalone");
  if (!fs.existsSync(path.join(standalone, path.basename(distDir)))) throw new Error(`assemble: no ${path.relative(src, standalone)}: run NEXT_OUTPUT=standalone next build first`);
  fs.rmSync(out, { recursive: true, force: true });
  // (.local: a developer's database and cluster state, which the trace may list; never in the image)
  fs.cpSync(standalone, out, { recursive: true, verbatimSymlinks: true, filter: (f) => path.relative(standalone, f) !== ".local" });
  fs.rmSync(path.join(out, "server.js"), { force: true });
  fs.cpSync(path.join(distDir, "static"), path.join(out, path.basename(distDir), "static"), { recursive: true });
  if (fs.existsSync(path.join(src, "public"))) fs.cpSync(path.join(src, "public"), path.join(out, "public"), { recursive: true });

  // The two entry points, our code and most packages inlined (externalPackages left to node_modules).
  const result = await build({
    entryPoints: { "server": path.join(src, "server.ts"), "scripts/db-setup": path.join(src, "scripts", "db-setup.ts") },
    outdir: out,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Left to node_modules: Next itself, and the packages server.ts must share with Next's route
    // handlers (next.config.ts serverExternalPackages: one metrics registry, one cluster client) or
    // that load native or WebAssembly parts; everything else (next-auth, next-intl, zod…) is inlined.
    external: externalPackages.flatMap((p) => [p, `${p}/*`]),
    // CommonJS code inlined into an ES module still calls require() for Node's builtins.
    banner: { js: 'import { createRequire as __hikubeCreateRequire } from "node:module"; const require = __hikubeCreateRequire(import.meta.url);' },
    metafile: true,
    logLevel: "warning",
    // db-setup.ts: the client is built into the bundle, never regenerated in the image.
    define: { "process.env.HIKUBE_PRISMA_CLIENT_BUNDLED": '"1"' },
  });
  const imported = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const i of output.imports) {
      const name = i.external ? packageOf(i.path) : null;
      if (name) imported.add(name);
    }
  }
  // Next stays as traced (the bundles use its CommonJS server entry, as its own server.js does).
  imported.delete("next");
  // What the bundles import, and the Prisma CLI for `migrate deploy` with the config it loads.
  for (const dir of closure([...imported, "prisma", "@prisma/adapter-pg", "pg"])) copyPackage(dir);
  for (const f of ["prisma.config.ts", "lib/server/db/database-url.ts", "prisma/schema.prisma", "prisma/pg-migration-adapter.ts"]) {
    fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    fs.copyFileSync(path.join(src, f), path.join(out, f));
  }
  fs.cpSync(path.join(src, "prisma", "postgresql"), path.join(out, "prisma", "postgresql"), { recursive: true });

  // Pruning. The client's engine mode (prisma-client generator, engineType "client") loads
  // runtime/client and PostgreSQL's query compiler only; the CLI needs no other database's engine.
  const removeIn = (dir: string, unused: RegExp) => {
    const full = path.join(out, "node_modules", dir);
    for (const f of fs.existsSync(full) ? fs.readdirSync(full) : []) if (unused.test(f)) fs.rmSync(path.join(full, f));
  };
  removeIn("@prisma/client/runtime", /^(binary|library|edge|edge-esm|react-native|wasm-compiler-edge|wasm-engine-edge|query_engine_bg\.|query_compiler_bg\.(sqlite|mysql|sqlserver|cockroachdb)\.)/);
  removeIn("prisma/build", /^(query_compiler|schema_engine|query_engine)_bg\.(sqlite|mysql|sqlserver|cockroachdb)\./);
  pruneModules(path.join(out, "node_modules"));
  // better-sqlite3: its JavaScript only (db.ts imports the SQLite adapter; the image never opens
  // SQLite, and its addon is not built here), not SQLite's C sources.
  for (const d of ["deps", "src"]) fs.rmSync(path.join(out, "node_modules", "better-sqlite3", d), { recursive: true, force: true });
  fs.rmSync(path.join(out, "node_modules", "@img"), { recursive: true, force: true });
  fs.rmSync(path.join(out, "node_modules", "sharp"), { recursive: true, force: true });

  console.log(`assemble: ${out} ${(sizeOf(out) / 2 ** 20).toFixed(1)} MiB (packages: ${[...imported].sort().join(", ")})`);
}

await main();
