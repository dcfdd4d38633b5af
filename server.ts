/**
 * The portal's Node server: Next.js (pages and API routes) on one HTTP server, which will also
 * carry the console and VNC WebSocket relays (Next route handlers cannot upgrade WebSockets).
 *
 * Env: PORT (default 3000), HOST (default 127.0.0.1; 0.0.0.0 to listen on every interface),
 * NODE_ENV=production for a built app, TRUST_PROXY=1 to keep an upstream proxy's X-Forwarded-For,
 * HIKUBE_TEST_HOOKS=1 (tests only) to answer `GET /__test__/console-relay` with the relay's count of
 * upstream connections (so integration tests can prove a refused user opened none).
 */
import http from "node:http";
import next from "next";
import { logger } from "./lib/server/logger";
import { handleConsoleUpgrade, refuse, upstreamConnectionCount } from "./lib/server/console/relay";
import { isDecodableTarget } from "./lib/server/edge";
import { AppError } from "./lib/server/errors";
import { checkReadiness } from "./lib/server/probes";

/** The answer to a request target whose percent-escapes do not decode. */
const malformedUrl = () => new AppError("bad_request", "malformed_url");

/** A running portal server. */
export interface PortalServer {
  url: string;
  close(): Promise<void>;
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

  const server = http.createServer((req, res) => {
    setClientAddress(req);
    if (!isDecodableTarget(req.url ?? "")) return sendJson(res, 400, malformedUrl().toBody());
    // Probes (lib/server/probes.ts), answered before Next: cheap, and up even while Next compiles.
    if (req.method === "GET" && req.url === "/livez") return sendJson(res, 200, { status: "ok" });
    if (req.method === "GET" && req.url === "/readyz") {
      void checkReadiness().then(({ ready, checks }) => sendJson(res, ready ? 200 : 503, checks));
      return;
    }
    if (testHooks && req.method === "GET" && req.url === "/__test__/console-relay") {
      return sendJson(res, 200, { upstreamConnections: upstreamConnectionCount() });
    }
    void handle(req, res);
  });
  server.on("upgrade", (req, socket, head) => {
    // Whatever happens here, this handler never throws (a throw in an `upgrade` listener ends
    // the process) and never leaves a socket unanswered.
    try {
      socket.on("error", () => socket.destroy());
      setClientAddress(req);
      if (!isDecodableTarget(req.url ?? "")) return refuse(socket, malformedUrl());
      // The console and VNC relays (lib/server/console/relay.ts).
      if (handleConsoleUpgrade(req, socket, head)) return;
      // Development hot reload: Next's own upgrade listener (see above).
      if (dev && (req.url ?? "").startsWith("/_next/") && detached.emit("upgrade", req, socket, head)) return;
      refuse(socket, new AppError("not_found", "no_websocket"));
    } catch (err) {
      logger.error({ err }, "upgrade failed");
      if (!socket.destroyed) socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, hostname, resolve));
  const url = `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`;
  logger.info({ url, dev }, "portal listening");
  return {
    url,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// Run directly (`tsx server.ts`): start and keep running.
if (process.argv[1] && /server\.(ts|js)$/.test(process.argv[1])) {
  startServer().then(
    (server) => {
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => void server.close().finally(() => process.exit(0)));
      }
    },
    (err) => {
      logger.fatal({ err }, "portal failed to start");
      process.exit(1);
    },
  );
}
