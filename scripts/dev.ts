/**
 * `npm run dev`: the zero-config development portal.
 *
 * 1. Starts the local cluster (dev-cluster/) unless KUBECONFIG points at another cluster.
 * 2. Prepares the database (DATABASE_URL, default SQLite in .local/dev.db): client, migrations,
 *    demo seed.
 * 3. Starts the portal (server.ts) in Next development mode and prints the URL and demo accounts.
 *
 * Env: PORT (3000), HOST (127.0.0.1), KUBECONFIG, DATABASE_URL, NEXTAUTH_SECRET (a random one
 * is kept in .local/nextauth-secret otherwise), PROMETHEUS_URL (the local cluster's Prometheus
 * otherwise, which then also scrapes this portal's /metrics when it serves one).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startCluster } from "../dev-cluster/cluster";
import { setupDatabase } from "./db-setup";
import { seedUsers } from "../prisma/seed-data";

async function main(): Promise<void> {
  const root = path.resolve(import.meta.dirname, "..");
  process.chdir(root);
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? "127.0.0.1";
  if (!process.env.KUBECONFIG) {
    await startCluster();
    const { readPrometheusUrl, scrapeIntervalSeconds } = await import("../dev-cluster/prometheus");
    const prometheus = readPrometheusUrl();
    if (prometheus && !process.env.PROMETHEUS_URL) {
      process.env.PROMETHEUS_URL = prometheus;
      process.env.HIKUBE_METRICS_SCRAPE_SECONDS ??= String(scrapeIntervalSeconds);
    }
  } else {
    console.log(`[dev] using the cluster of KUBECONFIG=${process.env.KUBECONFIG}`);
  }
  await setupDatabase({ log: (l) => console.log(`[db] ${l}`) });

  process.env.NEXTAUTH_URL ??= `http://${host === "0.0.0.0" ? "localhost" : host}:${port}`;
  if (!process.env.NEXTAUTH_SECRET) {
    const file = path.join(root, ".local", "nextauth-secret");
    if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
    process.env.NEXTAUTH_SECRET = fs.readFileSync(file, "utf8").trim();
  }
  console.log("[dev] starting the portal (first page compiles on demand)…");
  const { startServer } = await import("../server");
  const server = await startServer({ port, host, dev: true });
  console.log(`\n  Hikube Portal: ${process.env.NEXTAUTH_URL ?? server.url}\n`);
  if (process.env.PROMETHEUS_URL) {
    const { registerPortalIfItServesMetrics } = await import("../dev-cluster/prometheus");
    void registerPortalIfItServesMetrics(`http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`);
  }
  console.log("  Demo accounts (local development only):");
  for (const u of seedUsers) {
    const roles = u.isPlatformAdmin ? "platform admin" : Object.entries(u.memberships).map(([t, r]) => `${r} of ${t}`).join(", ") || "no tenant yet";
    console.log(`    ${u.username.padEnd(8)} ${u.password.padEnd(18)} ${roles}`);
  }
  console.log("\n  Stop with Ctrl-C; the local cluster keeps running (npm run cluster:down stops it).\n");
}

main().catch((err) => {
  console.error(`[dev] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
