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
import { handleConsoleUpgrade, upstreamConnectionCount } from "./lib/server/console-relay";

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
  // listens, and call its upgrade handler below for the upgrades that are not the relay's.
  const detached = http.createServer();
  const app = next({ dev, hostname, port, dir: process.cwd(), httpServer: detached });
  const handle = app.getRequestHandler();
  await app.prepare();
  const upgrade = app.getUpgradeHandler();
  const trustProxy = process.env.TRUST_PROXY === "1";
  const testHooks = process.env.HIKUBE_TEST_HOOKS === "1";
  // The gate records the client's address in the audit log; without a trusted proxy in front,
  // a client-sent X-Forwarded-For is replaced by the socket's address.
  const setClientAddress = (req: http.IncomingMessage) => {
    if (!trustProxy || !req.headers["x-forwarded-for"]) req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
  };

  const server = http.createServer((req, res) => {
    setClientAddress(req);
    if (testHooks && req.method === "GET" && req.url === "/__test__/console-relay") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ upstreamConnections: upstreamConnectionCount() }));
      return;
    }
    void handle(req, res);
  });
  server.on("upgrade", (req, socket, head) => {
    setClientAddress(req);
    // The console and VNC relays (lib/server/console-relay.ts); everything else is Next's own
    // (development hot reload).
    if (handleConsoleUpgrade(req, socket, head)) return;
    void upgrade(req, socket, head);
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
