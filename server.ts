/**
 * The portal's Node server: Next.js (pages and API routes) on one HTTP server, which will also
 * carry the console and VNC WebSocket relays (Next route handlers cannot upgrade WebSockets).
 *
 * Env: PORT (default 3000), HOST (default 127.0.0.1; 0.0.0.0 to listen on every interface),
 * NODE_ENV=production for a built app, TRUST_PROXY=1 to keep an upstream proxy's X-Forwarded-For,
 * HIKUBE_TEST_HOOKS=1 (tests only) to answer `GET /__test__/console-relay[?vm=<VM name>]` with the
 * relay's count of upstream connections, in all or to that VM (so tests can prove a refused user
 * opened none),
 * HIKUBE_SHUTDOWN_DELAY_SECONDS (default 5) and HIKUBE_SHUTDOWN_TIMEOUT_SECONDS (default 25): the
 * graceful stop on SIGTERM or SIGINT, lib/server/lifecycle.ts; HIKUBE_METRICS_TOKEN: who may read
 * `GET /metrics` (lib/server/metrics.ts).
 *
 * Every request gets an id (lib/server/request-context.ts: the proxy's X-Request-Id behind
 * TRUST_PROXY=1, else a new UUID), answered as `X-Request-Id`, carried by the request's log lines
 * and audit rows; its duration goes into `hikube_http_request_duration_seconds` by route pattern
 * and one JSON log line (`msg: "request"`) says what was answered.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { logger } from "./lib/server/logger";
import { closeConsoleSessions, handleConsoleUpgrade, refuse, upstreamConnectionCount } from "./lib/server/console/relay";
import { endAll, enterPhase, phase, shutdownTimings } from "./lib/server/lifecycle";
import { getDb } from "./lib/server/db/db";
import { methodLabel, metrics, metricsAccess, RouteMatcher } from "./lib/server/metrics";
import { requestIdFor, runWithRequest } from "./lib/server/request-context";
import { isDecodableTarget } from "./lib/server/edge";
import { AppError } from "./lib/server/errors";
import { checkReadiness } from "./lib/server/probes";

/** The answer to a request target whose percent-escapes do not decode. */
const malformedUrl = () => new AppError("invalid", "malformed_url");

/** The answer to a request or upgrade that reaches a closing process (lib/server/lifecycle.ts). */
const shuttingDown = () => new AppError("busy", "portal_shutting_down");

/** A running portal server. */
export interface PortalServer {
  url: string;
  /** closes every connection at once (tests, development) */
  close(): Promise<void>;
  /**
   * The graceful stop of lib/server/lifecycle.ts: draining, then closing after the delay, then
   * done once every connection has ended or at the timeout (counted from the call).
   * @returns `forced`: the timeout cut connections that were still open
   */
  shutdown(): Promise<{ forced: boolean }>;
}

/**
 * In the image (Containerfile) there is no next.config.ts: Next reads the configuration the build
 * froze into `<distDir>/required-server-files.json` from `__NEXT_PRIVATE_STANDALONE_CONFIG`, as
 * the standalone server.js it replaces does (next/dist/build/utils.js writeStandaloneServer...;
 * next/dist/server/config.js loadConfig reads the variable first).
 */
function applyBuiltConfig(dev: boolean): void {
  if (dev || process.env.__NEXT_PRIVATE_STANDALONE_CONFIG || fs.existsSync(path.resolve("next.config.ts"))) return;
  const file = path.resolve(process.env.NEXT_DIST_DIR ?? ".next", "required-server-files.json");
  if (!fs.existsSync(file)) return;
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify((JSON.parse(fs.readFileSync(file, "utf8")) as { config: unknown }).config);
}

/**
 * Prepares Next and starts listening.
 * @param opts.dev Next development mode (on-demand compilation, hot reload)
 */
export async function startServer(opts: { port?: number; host?: string; dev?: boolean } = {}): Promise<PortalServer> {
  const port = opts.port ?? Number(process.env.PORT ?? 3000);
  const hostname = opts.host ?? process.env.HOST ?? "127.0.0.1";
  const dev = opts.dev ?? process.env.NODE_ENV !== "production";
  // Next attaches its own `upgrade` listener to `httpServer` (or, without one, to the first
  // request's server) and ends every upgrade whose path matches one of its routes, which the
  // console paths do (their plain-GET checks are Next routes): next/dist/server/next.js
  // setupWebSocketHandler, lib/router-server.js upgradeHandler. Give it a server that never
  // listens; the development upgrades it must serve are emitted there below.
  const detached = http.createServer();
  applyBuiltConfig(dev);
  const app = next({ dev, hostname, port, dir: process.cwd(), httpServer: detached });
  const handle = app.getRequestHandler();
  await app.prepare();
  // Note: `app.getUpgradeHandler()` is NOT Next's router upgrade handler but the render server's
  // `handleUpgrade`, an empty function (next/dist/server/next-server.js): an upgrade passed to it
  // is never answered. In development that left the hot-reload socket `/_next/hmr` open and
  // silent, and React never hydrated a page. Next's real handler (lib/router-server.js
  // upgradeHandler, which serves `/_next/hmr` through the hot reloader) is the `upgrade`
  // listener Next attaches to `detached` on its first request (next.js setupWebSocketHandler);
  // development upgrades under `/_next/` are handed to it by emitting the event there.
  const trustProxy = process.env.TRUST_PROXY === "1";
  const testHooks = process.env.HIKUBE_TEST_HOOKS === "1";
  // The gate records the client's address in the audit log; without a trusted proxy in front,
  // a client-sent X-Forwarded-For is replaced by the socket's address, and forwarded host and
  // protocol headers are dropped so nothing downstream can read them.
  const setClientAddress = (req: http.IncomingMessage) => {
    if (!trustProxy || !req.headers["x-forwarded-for"]) req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    if (!trustProxy) {
      delete req.headers["x-forwarded-host"];
      delete req.headers["x-forwarded-proto"];
    }
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));

  // Route patterns for the metrics' `route` label: the build's routes-manifest.json.
  const routes = RouteMatcher.fromBuild(path.resolve(process.cwd(), process.env.NEXT_DIST_DIR ?? ".next"));
  const m = metrics();
  const quiet = new Set(["/livez", "/readyz", "/metrics", "/_next"]);

  const server = http.createServer((req, res) => {
    const requestId = requestIdFor(req.headers["x-request-id"], trustProxy);
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const started = process.hrtime.bigint();
    res.once("close", () => {
      const route = routes.route(req.url ?? "/");
      const status = res.headersSent ? String(res.statusCode) : "aborted";
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      m.httpDuration.observe({ route, method: methodLabel(req.method), status }, seconds);
      if (!quiet.has(route)) {
        logger.info({ requestId, method: req.method, path: (req.url ?? "").split("?")[0].slice(0, 512), route, status, ms: Math.round(seconds * 1000) }, "request");
      }
    });
    runWithRequest({ requestId }, () => serve(req, res));
  });

  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    setClientAddress(req);
    if (!isDecodableTarget(req.url ?? "")) return sendJson(res, 400, malformedUrl().toBody());
    // Probes (lib/server/probes.ts), answered before Next: cheap, and up even while Next compiles.
    if (req.method === "GET" && req.url === "/livez") return sendJson(res, 200, { status: "ok" });
    if (req.method === "GET" && req.url === "/readyz") {
      // Stopping: out of the load balancer first (lib/server/lifecycle.ts).
      if (phase() !== "serving") return sendJson(res, 503, { status: "shutting_down" });
      void checkReadiness().then(({ ready, checks }) => sendJson(res, ready ? 200 : 503, checks));
      return;
    }
    if (req.method === "GET" && req.url === "/metrics") {
      if (!metricsAccess(req.socket.remoteAddress, req.headers.authorization)) return sendJson(res, 403, new AppError("forbidden", "metrics_forbidden").toBody());
      void m.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": m.registry.contentType, "cache-control": "no-store" }).end(text),
        (err) => {
          logger.error({ err }, "metrics failed");
          sendJson(res, 500, new AppError("internal", "internal").toBody());
        },
      );
      return;
    }
    if (phase() === "closing") {
      res.setHeader("connection", "close");
      res.setHeader("retry-after", "1");
      return sendJson(res, 503, shuttingDown().toBody());
    }
    if (testHooks && req.method === "GET" && req.url?.startsWith("/__test__/console-relay")) {
      const url = new URL(req.url, "http://portal");
      if (url.pathname === "/__test__/console-relay") {
        return sendJson(res, 200, { upstreamConnections: upstreamConnectionCount(url.searchParams.get("vm") ?? undefined) });
      }
    }
    void handle(req, res);
  };
  server.on("upgrade", (req, socket, head) => {
    const requestId = requestIdFor(req.headers["x-request-id"], trustProxy);
    req.headers["x-request-id"] = requestId;
    runWithRequest({ requestId }, () => upgrade(req, socket, head));
  });
  const upgrade = (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => {
    // Whatever happens here, this handler never throws (a throw in an `upgrade` listener ends
    // the process) and never leaves a socket unanswered.
    try {
      socket.on("error", () => socket.destroy());
      setClientAddress(req);
      // 400 like a plain request's (not `invalid`'s 422: the target itself is not HTTP)
      if (!isDecodableTarget(req.url ?? "")) return refuse(socket, malformedUrl(), 400);
      if (phase() === "closing") return refuse(socket, shuttingDown());
      // The console and VNC relays (lib/server/console/relay.ts).
      if (handleConsoleUpgrade(req, socket, head)) return;
      // Development hot reload: Next's own upgrade listener (see above).
      if (dev && (req.url ?? "").startsWith("/_next/") && detached.emit("upgrade", req, socket, head)) return;
      refuse(socket, new AppError("not_found", "no_websocket"));
    } catch (err) {
      logger.error({ err }, "upgrade failed");
      if (!socket.destroyed) socket.destroy();
    }
  };
  await new Promise<void>((resolve) => server.listen(port, hostname, resolve));
  const url = `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`;
  logger.info({ url, dev }, "portal listening");

  // Every socket, upgraded ones (consoles) included, so that the timeout can cut them.
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  let stopping: Promise<{ forced: boolean }> | null = null;

  const shutdown = async (): Promise<{ forced: boolean }> => {
    const { delayMs, timeoutMs } = shutdownTimings();
    const started = Date.now();
    enterPhase("draining");
    logger.info({ delayMs, timeoutMs }, "shutdown: draining (readyz answers 503)");
    await new Promise((r) => setTimeout(r, delayMs));
    enterPhase("closing");
    // The listener closes; `closed` resolves once every connection, upgraded ones too, has ended.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Kept-alive connections close once idle: now, and whenever a request in flight finishes.
    server.closeIdleConnections();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    const liveStreams = endAll("live-stream");
    const consoles = closeConsoleSessions();
    logger.info({ liveStreams, consoleSessions: consoles.open, connections: sockets.size }, "shutdown: closing (new requests refused)");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), Math.max(0, started + timeoutMs - Date.now()))));
    const outcome = await Promise.race([Promise.all([closed, consoles.ended]).then(() => "done" as const), timedOut]);
    clearTimeout(timer);
    clearInterval(idleSweep);
    const forced = outcome === "timeout";
    if (forced) {
      logger.warn({ connections: sockets.size }, "shutdown: timeout, cutting the connections still open");
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }
    await getDb().$disconnect().catch(() => {});
    logger.info({ forced, ms: Date.now() - started }, "shutdown: done");
    return { forced };
  };

  return {
    url,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
    shutdown: () => (stopping ??= shutdown()),
  };
}

// Run directly (`tsx server.ts`, or the image's `node server.mjs`): start and keep running.
if (process.argv[1] && /server\.(ts|js|mjs)$/.test(process.argv[1])) {
  startServer().then(
    (server) => {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        // A second signal does not cut the drain short; the timeout bounds it.
        process.on(signal, () => {
          void server.shutdown().then(
            ({ forced }) => process.exit(forced ? 1 : 0),
            (err) => {
              logger.error({ err }, "shutdown failed");
              process.exit(1);
            },
          );
        });
      }
    },
    (err) => {
      logger.fatal({ err }, "portal failed to start");
      process.exit(1);
    },
  );
}
