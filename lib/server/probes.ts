/**
 * Liveness and readiness of the portal process, for the pod's probes and the load balancer.
 *
 * - `/livez`: the process answers (no dependency checked: a restart would not mend the database
 *   or the cluster).
 * - `/readyz`: the database answers `SELECT 1` and the cluster answers its own `/readyz` (readable
 *   by anyone through system:public-info-viewer), each within 3 s.
 *
 * Answers carry only `ok`/`unavailable` per check; the reason of a failure goes to the server log,
 * never to the caller (probes are unauthenticated).
 */
import { getDb } from "./db/db";
import { sendRaw } from "./k8s/client";
import { portalIdentity } from "./k8s/identity";
import { logger } from "./logger";

/** The result of {@link checkReadiness}. */
export interface Readiness {
  ready: boolean;
  checks: { database: "ok" | "unavailable"; cluster: "ok" | "unavailable" };
}

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/** Checks the database and the cluster concurrently; never throws. */
export async function checkReadiness(): Promise<Readiness> {
  const [database, cluster] = await Promise.all([
    within(getDb().$queryRawUnsafe("SELECT 1"), 3000).then(() => "ok" as const, (err) => {
      logger.warn({ err }, "readiness: database unavailable");
      return "unavailable" as const;
    }),
    within(sendRaw(portalIdentity, { path: "/readyz", timeoutMs: 3000 }), 3500).then((res) => {
      if (res.status === 200) return "ok" as const;
      logger.warn({ status: res.status }, "readiness: cluster /readyz not ok");
      return "unavailable" as const;
    }, (err) => {
      logger.warn({ err }, "readiness: cluster unavailable");
      return "unavailable" as const;
    }),
  ]);
  return { ready: database === "ok" && cluster === "ok", checks: { database, cluster } };
}
