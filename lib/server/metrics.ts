/**
 * The portal's Prometheus metrics (prom-client), served by server.ts at `GET /metrics` in the
 * text exposition format 0.0.4.
 *
 * | metric | type | labels | what |
 * |---|---|---|---|
 * | `hikube_http_request_duration_seconds` | histogram | `route`, `method`, `status` | time from the request to the end of its answer; `route` is Next's route pattern (`/api/tenants/[tenant]/vms/[name]`), never the path |
 * | `hikube_console_sessions_open` | gauge | `kind` (console, vnc) | relayed sessions open now |
 * | `hikube_console_bytes_relayed_total` | counter | `kind`, `direction` (to_browser, to_vm) | bytes forwarded by the relay |
 * | `hikube_live_streams_open` | gauge | `list` (vm-stream, vm-events-stream, disk-stream) | live lists (Server-Sent Events) open now |
 * | `hikube_upstream_watches_open` | gauge | `resource` (virtualmachines, events…) | watches open on the API server now |
 * | `hikube_audit_write_failures_total` | counter | | audit rows that could not be written (the action itself went on) |
 * | `hikube_quota_lock_wait_seconds` | histogram | `outcome` (taken, timeout) | time a quota-checked create waited for its tenant's lock |
 *
 * plus prom-client's default process metrics (`process_*`, `nodejs_*`: CPU, memory, event loop lag,
 * handles).
 *
 * Cardinality is bounded by design: no label ever holds a tenant, user, VM or raw path, so the
 * metrics carry no tenant data and their number does not grow with use. Requests whose path
 * matches no route share `route="unmatched"`.
 *
 * One registry per process, kept on `globalThis`: server.ts and Next's bundle load their own copies
 * of this module (prom-client itself is a server-external package in next.config.ts, so both copies
 * use the same prom-client), and a count made by a route handler must show in server.ts's answer.
 *
 * Who may read `/metrics` ({@link metricsAccess}): with HIKUBE_METRICS_TOKEN set, whoever sends
 * `Authorization: Bearer <token>` (Prometheus scraping the pods), and no one else; without it, a
 * caller on the loopback interface only (`kubectl port-forward`, a sidecar). Everyone else gets
 * 403. The metrics hold no tenant data, but they tell how busy the portal is. (A service-mesh
 * sidecar that forwards every connection from loopback makes loopback mean "anyone": set the token
 * there.)
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import client from "prom-client";
import { processGlobal } from "./process-global";

/** The portal's metrics (see the table of the module doc). */
export interface PortalMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<"route" | "method" | "status">;
  consoleSessions: client.Gauge<"kind">;
  consoleBytes: client.Counter<"kind" | "direction">;
  liveStreams: client.Gauge<"list">;
  upstreamWatches: client.Gauge<"resource">;
  auditWriteFailures: client.Counter;
  quotaLockWait: client.Histogram<"outcome">;
}

/** The process's metrics, created on first use. */
export function metrics(): PortalMetrics {
  return processGlobal("metrics", createMetrics);
}

function createMetrics(): PortalMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const created: PortalMetrics = {
    registry,
    httpDuration: new client.Histogram({
      name: "hikube_http_request_duration_seconds", help: "Time from an HTTP request to the end of its answer, by route pattern, method and status.",
      labelNames: ["route", "method", "status"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers,
    }),
    consoleSessions: new client.Gauge({ name: "hikube_console_sessions_open", help: "Console and VNC sessions relayed now.", labelNames: ["kind"], registers }),
    consoleBytes: new client.Counter({
      name: "hikube_console_bytes_relayed_total", help: "Bytes the console relay forwarded, by protocol and direction.", labelNames: ["kind", "direction"], registers,
    }),
    liveStreams: new client.Gauge({ name: "hikube_live_streams_open", help: "Live lists (Server-Sent Events) open now.", labelNames: ["list"], registers }),
    upstreamWatches: new client.Gauge({ name: "hikube_upstream_watches_open", help: "Watches open on the Kubernetes API server now.", labelNames: ["resource"], registers }),
    auditWriteFailures: new client.Counter({ name: "hikube_audit_write_failures_total", help: "Audit rows that could not be written.", registers }),
    quotaLockWait: new client.Histogram({
      name: "hikube_quota_lock_wait_seconds", help: "Time a quota-checked create waited for its tenant's quota lock.",
      labelNames: ["outcome"], buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120], registers,
    }),
  };
  return created;
}

/** A route of Next's routes-manifest.json: its pattern and the regular expression Next matches. */
interface ManifestRoute {
  page: string;
  regex: string;
}

/**
 * Maps request paths to Next's route patterns, from the build's `routes-manifest.json` (static
 * routes first, then dynamic ones in the manifest's order, which is Next's own matching order).
 */
export class RouteMatcher {
  private readonly exact = new Map<string, string>();
  private readonly dynamic: { page: string; regex: RegExp }[] = [];

  constructor(manifest: { staticRoutes?: ManifestRoute[]; dynamicRoutes?: ManifestRoute[] }) {
    for (const r of manifest.staticRoutes ?? []) this.exact.set(r.page, r.page);
    for (const r of manifest.dynamicRoutes ?? []) {
      try {
        this.dynamic.push({ page: r.page, regex: new RegExp(r.regex) });
      } catch {
        /* a pattern this engine cannot compile: its requests count as unmatched */
      }
    }
  }

  /**
   * Reads `<distDir>/routes-manifest.json`; without one (a development server before its first
   * compile) every page and API path is `unmatched`.
   */
  static fromBuild(distDir: string): RouteMatcher {
    try {
      return new RouteMatcher(JSON.parse(fs.readFileSync(path.join(distDir, "routes-manifest.json"), "utf8")));
    } catch {
      return new RouteMatcher({});
    }
  }

  /**
   * The route label of a request target: the route pattern, `/_next` for Next's assets, the
   * probe or metrics path itself, or `unmatched`.
   */
  route(target: string): string {
    const q = target.indexOf("?");
    const pathname = (q >= 0 ? target.slice(0, q) : target) || "/";
    if (pathname.startsWith("/_next/")) return "/_next";
    if (pathname === "/livez" || pathname === "/readyz" || pathname === "/metrics") return pathname;
    const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
    const exact = this.exact.get(trimmed);
    if (exact) return exact;
    for (const r of this.dynamic) if (r.regex.test(pathname)) return r.page;
    return "unmatched";
  }
}

/** The methods kept as labels; any other is `other` (a method is client input). */
const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The method label of a request: one of the HTTP methods the portal knows, else `other`. */
export function methodLabel(method: string | undefined): string {
  return method && knownMethods.has(method) ? method : "other";
}

/**
 * Whether a `/metrics` request may read the metrics: with HIKUBE_METRICS_TOKEN set, only with
 * `Authorization: Bearer <token>` (compared in constant time); without it, only from the loopback
 * interface.
 * @param remoteAddress the socket's address (never a forwarded header: a proxy in front is not loopback)
 */
export function metricsAccess(remoteAddress: string | undefined, authorization: string | undefined, token = process.env.HIKUBE_METRICS_TOKEN): boolean {
  if (token) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    if (!m) return false;
    const given = crypto.createHash("sha256").update(m[1]).digest();
    const wanted = crypto.createHash("sha256").update(token).digest();
    return crypto.timingSafeEqual(given, wanted);
  }
  return remoteAddress === "127.0.0.1" || remoteAddress === "::1" || remoteAddress === "::ffff:127.0.0.1";
}
