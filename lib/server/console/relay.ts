/**
 * The serial console and VNC relay (WebSocket), wired into server.ts's `upgrade` event because
 * Next route handlers cannot upgrade.
 *
 *   GET /api/tenants/{tenant}/vms/{name}/console[?preserveSession=true]   (WebSocket upgrade)
 *   GET /api/tenants/{tenant}/vms/{name}/vnc[?preserveSession=true]
 *
 * (Without an upgrade the same paths are Next routes answering the same checks as JSON, so the
 * page can explain a refusal its WebSocket could not see: check-route.ts.)
 *
 * Checks, in the route gate's order (lib/server/gate.ts), each answered as a plain HTTP response
 * with the gate's JSON error body ({@link refuse}) BEFORE any upstream connection is opened:
 *   session cookie (401) → Origin equals Host, against cross-site WebSocket hijacking (403; a
 *   browser always sends Origin on a WebSocket) → tenant membership (404) → `vm.console`, i.e.
 *   `use` or higher (403) → the user's console and VNC sessions in this process below
 *   HIKUBE_MAX_CONSOLES_PER_USER (429, default 4; lib/server/stream-caps.ts). An attempt holds its
 *   slot from that check until the browser's socket closes, whatever ends it; a takeover of one's
 *   own session needs a free slot too.
 *
 * Then the relay opens KubeVirt's subresource WebSocket
 * `…/namespaces/<tenant ns>/virtualmachineinstances/vm-instance-<name>/console|vnc` with subprotocol
 * `plain.kubevirt.io`, the portal's TLS credentials and the user's impersonation headers (the
 * cluster's RBAC stays the final authority). The browser's upgrade is accepted only once upstream
 * has answered, so that an upstream HTTP error (which a browser WebSocket cannot see) becomes a close
 * code; the browser is answered with `plain.kubevirt.io` when it offered it.
 *
 * Close codes sent to the browser (4000–4999 are application codes, RFC 6455 §7.4.2):
 *
 * | code | reason                 | when                                                         |
 * |------|------------------------|--------------------------------------------------------------|
 * | 1000 | (upstream's)           | upstream closed normally with a close frame                  |
 * | 4001 | upstream closed        | upstream dropped the connection (1006: KubeVirt closes TCP without a close frame when the guest side ends or a newer session takes over) or closed abnormally |
 * | 4400 | VM is not running      | upstream 400 (VMI not running) or 404 (no VMI: the VM is stopped) |
 * | 4403 | forbidden              | upstream 403 (the cluster's RBAC refused the user)           |
 * | 4409 | upstream's message     | upstream 409 (e.g. VMI is in failed status)                  |
 * | 4500 | upstream error <status>| any other upstream HTTP status                               |
 * | 4502 | cluster unreachable    | network/TLS error or handshake timeout towards the API server, or 502/503/504 from it (virt-api unreachable behind the aggregator) |
 * | 4410 | session taken over     | a newer session on the same VM and protocol opened through this portal (any replica) |
 * | 4503 | session in use         | upstream 503 "Active VNC connection. Request denied.", or `preserveSession=true` while another session is open (upstream 503 for VNC; for both protocols the relay also answers it itself from its own open sessions, without an upstream connection) |
 *
 * Sessions: like KubeVirt, one session per VM and protocol. The relay keeps its open sessions; a
 * new session closes the older one with 4410 (KubeVirt itself just drops the older upstream
 * connection, which a browser could not tell from an outage), so the older tab can say "taken
 * over" instead of reconnecting and stealing it back. `preserveSession=true` (what the page's
 * automatic reconnects send) never takes a session over. KubeVirt honours `preserveSession` on
 * `/vnc` only (kubevirt pkg/virt-api/rest/subresource.go); the relay forwards it there and checks
 * its own sessions for both. Across replicas the session's lease in the database (lease.ts) does
 * the same: a replica whose upstream drops because another replica took the session over says 4410,
 * and a `preserveSession=true` reconnect while another replica holds the session gets 4503.
 *
 * Backpressure: a side whose send buffer holds more than {@link highWaterBytes} pauses the other
 * side's reading until it has drained below {@link lowWaterBytes}, so a slow browser cannot make
 * the portal buffer a VNC stream without bound.
 *
 * Frames: bytes go both ways as binary frames. KubeVirt drops text frames, so a text frame from the
 * browser is forwarded as a binary frame with the same bytes (UTF-8): a client that sends typed
 * strings still reaches the guest.
 *
 * Keep-alive: every 25 s each side gets a ping; a side that missed two pongs is terminated (which
 * closes the other). KubeVirt sends no pings itself.
 *
 * Shutdown ({@link closeConsoleSessions}, called by server.ts when the process stops: see
 * lib/server/lifecycle.ts): every open session gets 1001 "going away" (RFC 6455 §7.4.1), then its
 * upstream a normal close, and the console page reconnects on its own (to another replica behind
 * the load balancer); a session still being opened is closed with 1001 as soon as upstream answers.
 *
 * Metrics (metrics.ts): `hikube_console_sessions_open{kind}` while a session is relayed, and
 * `hikube_console_bytes_relayed_total{kind,direction}` for every frame forwarded.
 *
 * Audit: one row `vm.console.open` / `vm.vnc.open` per attempt (success, denied or failure with the
 * reason), and for an opened session one `vm.console.close` / `vm.vnc.close` row whose request
 * summary holds `durationSeconds`, who closed and the code.
 */
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";
import { principalFromCookies, type Principal } from "../auth/session";
import { getTenantAccess, type TenantAccess } from "../tenancy/tenancy";
import { writeAudit } from "../audit/audit";
import { logger } from "../logger";
import { clientAddress, isSameOrigin } from "../edge";
import { claim as claimLease, claimIfFree, heldByAnother, newHolderId, release as releaseLease, renewEveryMs } from "./lease";
import { AppError } from "../errors";
import { consoleSessionCap } from "../stream-caps";
import { metrics } from "../metrics";
import { currentRequestId } from "../request-context";
import { getConnection } from "../k8s/connection";
import { impersonationHeaders } from "../k8s/identity";
import { can, permissionTable } from "../../shared/permissions";
import { consoleCloseCodes as codes, kubevirtSubprotocol } from "../../shared/console";

export { kubevirtSubprotocol };

/** Interval of the keep-alive pings on both sides. */
export const pingIntervalMs = 25_000;

const pathPattern = /^\/api\/tenants\/([^/]+)\/vms\/([^/]+)\/(console|vnc)$/;
const vmNamePattern = /^[a-z][-a-z0-9]{0,40}$/;

/** A console or VNC request named by the browser's path. */
export interface ConsoleTarget {
  tenant: string;
  name: string;
  kind: "console" | "vnc";
  preserveSession: boolean;
}

/** The relay target of an upgrade URL, or null when the path is not a console path. */
export function matchConsolePath(url: string): ConsoleTarget | null {
  let u: URL;
  try {
    u = new URL(url, "http://localhost");
  } catch {
    return null;
  }
  const m = pathPattern.exec(u.pathname);
  if (!m) return null;
  try {
    return {
      tenant: decodeURIComponent(m[1]),
      name: decodeURIComponent(m[2]),
      kind: m[3] as "console" | "vnc",
      preserveSession: u.searchParams.get("preserveSession") === "true",
    };
  } catch {
    // a malformed escape: server.ts answers 400 before this; never a path of ours
    return null;
  }
}

/** Parses a `Cookie` header into a name → value map (first occurrence wins). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    const raw = part.slice(i + 1).trim().replace(/^"(.*)"$/, "$1");
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

/** The close code and reason for an upstream HTTP answer other than 101 (see the table above). */
export function closeForUpstreamStatus(status: number, message?: string): { code: number; reason: string } {
  if (status === 400 || status === 404) return { code: codes.notRunning, reason: "VM is not running" };
  if (status === 403) return { code: codes.forbidden, reason: "forbidden" };
  if (status === 409) return { code: codes.conflict, reason: truncateReason(message || "conflict") };
  // KubeVirt answers a refused preserveSession with 503 "Active VNC connection. Request denied."
  // (pkg/virt-api/rest/subresource.go); the aggregator's own 503 means virt-api is unreachable.
  if (status === 503 && /request denied|active \w+ connection/i.test(message ?? "")) return { code: codes.sessionInUse, reason: "session in use" };
  if (status === 502 || status === 503 || status === 504) return { code: codes.unreachable, reason: "KubeVirt unreachable" };
  return { code: codes.upstreamError, reason: `upstream error ${status}` };
}

/** A close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5). */
function truncateReason(s: string): string {
  let out = s;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

/** Above this many bytes waiting to be sent to one side, the other side's reading pauses. */
export const highWaterBytes = 1 << 20;
/** Reading resumes once the waiting bytes fall below this. */
export const lowWaterBytes = 256 << 10;

/** An open relayed session. */
interface OpenSession {
  client: WebSocket;
  upstream: WebSocket;
  /** `namespace/vm/kind`, the key of {@link openSessions} and of the session's lease (lease.ts) */
  key: string;
  /** this session's holder id in its lease */
  holder: string;
  /**
   * A newer session on the same VM is being opened: when this one's upstream drops meanwhile
   * (KubeVirt drops the older connection as soon as the newer one arrives, before the relay sees
   * the newer one open), the browser is told 4410 rather than 4001.
   */
  replacing: boolean;
}

/** Open sessions by `namespace/vm/kind`. */
const openSessions = new Map<string, Set<OpenSession>>();

/** Ends of the open sessions: each resolves once its session's close row is written. */
const sessionEnds = new Set<Promise<void>>();

/** Set by {@link closeConsoleSessions}: sessions still opening are closed once open. */
let closing = false;

/** The close code and reason a session gets when the portal process stops. */
export const goingAway = { code: 1001, reason: "portal shutting down" } as const;

/**
 * Closes every open session with {@link goingAway} (then its upstream with 1000) and makes sessions
 * still opening close the same way once upstream answers; server.ts calls it once it stops taking
 * new work.
 * @returns how many sessions were open, and a promise resolved once each one's close row is
 *   written (the browser answered the close, or ws gave up on it)
 */
export function closeConsoleSessions(): { open: number; ended: Promise<void> } {
  closing = true;
  const sessions = [...openSessions.values()].flatMap((set) => [...set]);
  // The leases first (lease.ts): a browser reconnecting through another replica right after the
  // 1001 must find its session free, not "in use" by this stopping process.
  const released = Promise.all(sessions.map((session) => releaseLease(session.key, session.holder)));
  const closed = released.then(() => {
    for (const session of sessions) {
      // once the browser answers, pipe() closes the upstream side normally
      if (session.client.readyState === WebSocket.OPEN) session.client.close(goingAway.code, goingAway.reason);
    }
    return Promise.all([...sessionEnds]);
  });
  return { open: sessions.length, ended: closed.then(() => {}) };
}

/** Upstream connections this process has tried to open. */
let upstreamConnections = 0;
/**
 * The same, by `<namespace>/<VM name>`: kept only under HIKUBE_TEST_HOOKS=1 (server.ts's test
 * hook), since a long-running replica would otherwise keep an entry for every VM ever opened.
 */
const upstreamConnectionsByVm = process.env.HIKUBE_TEST_HOOKS === "1" ? new Map<string, number>() : null;

/**
 * How many upstream connections this process has tried to open (tests prove refusals open none):
 * in all, or to the VMs named `vm` (in any namespace; a test's VM name is unique, and counting
 * one VM keeps the figure still while other tests open consoles in parallel; 0 without
 * HIKUBE_TEST_HOOKS=1).
 */
export function upstreamConnectionCount(vm?: string): number {
  if (vm === undefined) return upstreamConnections;
  let n = 0;
  for (const [key, count] of upstreamConnectionsByVm ?? []) if (key.endsWith(`/${vm}`)) n += count;
  return n;
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(kubevirtSubprotocol) ? kubevirtSubprotocol : false),
});

/**
 * Answers a refused upgrade as plain HTTP on the raw socket and closes it, with the gate's JSON
 * error body (`{ error: { code, reason, params, message } }`, {@link AppError.toBody}). Also used
 * by server.ts for upgrades nobody serves.
 * @param status the HTTP status, when it is not the error code's own: a request no route can parse
 *   (a malformed target, a console opened without a WebSocket GET) is 400 with code `invalid`, as
 *   it always was (tests/integration/trust.test.ts section 4)
 */
export function refuse(socket: Duplex, error: AppError, status: number = error.status): void {
  const body = JSON.stringify(error.toBody());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

function sameOrigin(req: IncomingMessage): boolean {
  const h = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v[0] : v) ?? null;
  };
  return isSameOrigin({ origin: h("origin"), host: h("host"), "x-forwarded-host": h("x-forwarded-host"), "x-forwarded-proto": h("x-forwarded-proto") }, { requireOrigin: true });
}

/** Keeps a WebSocket alive with pings; terminates it after two missed pongs. */
function keepAlive(ws: WebSocket): () => void {
  let missed = 0;
  ws.on("pong", () => {
    missed = 0;
  });
  const timer = setInterval(() => {
    if (missed >= 2) {
      ws.terminate();
      return;
    }
    missed++;
    if (ws.readyState === WebSocket.OPEN) ws.ping();
  }, pingIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Handles an upgrade request if its path is a console path.
 * @returns false when the path is not the relay's (the caller passes it on to Next)
 */
export function handleConsoleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
  const target = req.url ? matchConsolePath(req.url) : null;
  if (!target) return false;
  socket.on("error", (err) => logger.debug({ err }, "console relay: browser socket error"));
  void relay(req, socket, head, target).catch((err) => {
    logger.error({ err }, "console relay failed");
    if (!socket.destroyed) refuse(socket, new AppError("internal", "internal"));
  });
  return true;
}

async function relay(req: IncomingMessage, socket: Duplex, head: Buffer, target: ConsoleTarget): Promise<void> {
  const { tenant: tenantName, name, kind } = target;
  const action = kind === "console" ? "vm.console" : "vm.vnc";
  const ip = clientAddress(String(req.headers["x-forwarded-for"] ?? req.socket.remoteAddress ?? ""));
  const userAgent = req.headers["user-agent"] ?? null;
  // set by server.ts; kept here because the session's end comes from socket events outside the request
  const requestId = currentRequestId() ?? null;
  let principal: Principal | null = null;
  let access: TenantAccess | null = null;
  const audit = (suffix: "open" | "close", result: "success" | "failure" | "denied", request: unknown, errorMessage?: string) =>
    writeAudit({
      actor: principal?.username ?? "anonymous",
      actorId: principal?.userId ?? null,
      tenantId: access?.tenant.id ?? null,
      // An anonymous attempt is a platform-level row: it never lands in the tenant's log.
      tenantName: principal ? tenantName.slice(0, 63) : "",
      action: `${action}.${suffix}`,
      targetKind: "VMInstance",
      targetName: name.slice(0, 253),
      request: principal ? request : {},
      result,
      errorMessage: errorMessage ?? null,
      ip,
      userAgent,
      requestId,
    });
  const summary = { kind, ...(target.preserveSession ? { preserveSession: true } : {}) };
  const deny = async (error: AppError) => {
    await audit("open", "denied", summary, error.message);
    refuse(socket, error);
  };

  if (req.method !== "GET" || req.headers.upgrade?.toLowerCase() !== "websocket" || !req.headers["sec-websocket-key"]) {
    return refuse(socket, new AppError("invalid", "websocket_get_only"), 400);
  }
  principal = await principalFromCookies(parseCookies(req.headers.cookie));
  if (!principal) return deny(new AppError("unauthenticated", "unauthenticated"));
  if (!sameOrigin(req)) return deny(new AppError("forbidden", "cross_site_websocket"));
  access = await getTenantAccess(principal, tenantName);
  if (!access) return deny(new AppError("not_found", "tenant_not_found", { tenant: tenantName }));
  if (!can(access.role, "vm.console")) {
    return deny(new AppError("forbidden", "role_too_low", { tenant: access.tenant.name, role: access.role, needed: permissionTable["vm.console"] }));
  }
  if (!vmNamePattern.test(name)) return deny(new AppError("not_found", "vm_not_found", { name: name.slice(0, 64) }));
  let releaseSlot: () => void;
  try {
    releaseSlot = consoleSessionCap.acquire(principal.username);
  } catch (err) {
    if (err instanceof AppError) return deny(err);
    throw err;
  }
  // Every path below ends with the browser's socket closed (refused, closed with a code, or the
  // session's end); the relayed session also frees it as soon as it ends (see pipe's onClose).
  socket.once("close", releaseSlot);
  if (socket.destroyed) releaseSlot();

  // Accept the browser's WebSocket (when it is still there), then close it with `code`.
  const acceptAndClose = (code: number, reason: string) => {
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (client) => client.close(code, reason));
  };

  let conn;
  try {
    conn = await getConnection();
  } catch (err) {
    logger.error({ err }, "console relay: no cluster connection");
    await audit("open", "failure", summary, "cluster unreachable");
    return acceptAndClose(codes.unreachable, "cluster unreachable");
  }
  if (socket.destroyed) return;

  const sessionKey = `${access.tenant.namespace}/${name}/${kind}`;
  if (target.preserveSession && [...(openSessions.get(sessionKey) ?? [])].some((s) => s.client.readyState === WebSocket.OPEN)) {
    await audit("open", "failure", summary, "session in use");
    return acceptAndClose(codes.sessionInUse, "session in use");
  }

  // The session's lease (lease.ts), taken before connecting upstream: another replica whose
  // upstream KubeVirt drops for this one then reads that it was taken over. A reconnect
  // (preserveSession) takes it only when no other replica's session holds it.
  const holder = newHolderId();
  if (target.preserveSession) {
    if (!(await claimIfFree(sessionKey, holder))) {
      await audit("open", "failure", summary, "session in use");
      return acceptAndClose(codes.sessionInUse, "session in use");
    }
  } else {
    await claimLease(sessionKey, holder);
  }
  if (socket.destroyed) return void releaseLease(sessionKey, holder);

  // Without preserveSession this connection replaces whatever session is open on the VM.
  const olderSessions = target.preserveSession ? [] : [...(openSessions.get(sessionKey) ?? [])];
  for (const older of olderSessions) older.replacing = true;
  // The attempt failed: the older sessions stay, and this one's lease goes (an older session
  // takes its row back at its next renewal).
  const keepOlder = () => {
    for (const older of olderSessions) older.replacing = false;
    void releaseLease(sessionKey, holder);
  };

  const upstreamUrl = `${conn.server.replace(/^http/, "ws")}/apis/subresources.kubevirt.io/v1/namespaces/${access.tenant.namespace}` +
    `/virtualmachineinstances/vm-instance-${name}/${kind}${target.preserveSession && kind === "vnc" ? "?preserveSession=true" : ""}`;
  upstreamConnections++;
  const vmKey = `${access.tenant.namespace}/${name}`;
  upstreamConnectionsByVm?.set(vmKey, (upstreamConnectionsByVm.get(vmKey) ?? 0) + 1);
  const upstream = new WebSocket(upstreamUrl, [kubevirtSubprotocol], {
    agent: conn.longLivedAgent,
    headers: { ...conn.authHeaders, ...impersonationHeaders(access.identity) } as Record<string, string>,
    perMessageDeflate: false,
    handshakeTimeout: 15_000,
  });
  let settled = false;
  const onBrowserGone = () => {
    if (!settled) {
      settled = true;
      keepOlder();
      upstream.terminate();
    }
  };
  socket.once("close", onBrowserGone);

  upstream.on("unexpected-response", (upReq, res) => {
    if (settled) return;
    settled = true;
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      if (text.length < 4096) text += chunk;
    });
    res.on("end", () => {
      let message = text.trim();
      try {
        message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
      } catch {
        /* plain text */
      }
      const status = res.statusCode ?? 0;
      const close = closeForUpstreamStatus(status, message);
      keepOlder();
      socket.off("close", onBrowserGone);
      upReq.destroy();
      void audit("open", status === 403 ? "denied" : "failure", summary, `upstream ${status}: ${message}`.slice(0, 500))
        .then(() => acceptAndClose(close.code, close.reason));
    });
    res.on("error", () => {});
  });
  upstream.on("error", (err) => {
    if (settled) return;
    settled = true;
    logger.warn({ err, upstreamUrl }, "console relay: upstream unreachable");
    keepOlder();
    socket.off("close", onBrowserGone);
    void audit("open", "failure", summary, `cluster unreachable: ${err.message}`).then(() => acceptAndClose(codes.unreachable, "cluster unreachable"));
  });
  upstream.on("open", () => {
    if (settled) return;
    settled = true;
    socket.off("close", onBrowserGone);
    if (socket.destroyed) {
      keepOlder();
      upstream.terminate();
      return;
    }
    if (closing) {
      keepOlder();
      upstream.close(1000);
      void audit("open", "failure", summary, goingAway.reason).then(() => acceptAndClose(goingAway.code, goingAway.reason));
      return;
    }
    void audit("open", "success", summary);
    wss.handleUpgrade(req, socket, head, (client) => {
      const session: OpenSession = { client, upstream, key: sessionKey, holder, replacing: false };
      const sessions = openSessions.get(sessionKey) ?? new Set<OpenSession>();
      openSessions.set(sessionKey, sessions);
      for (const older of sessions) takeOver(older);
      sessions.add(session);
      let ended: () => void = () => {};
      const end = new Promise<void>((resolve) => (ended = resolve));
      sessionEnds.add(end);
      pipe(session, kind, (request) => {
        releaseSlot();
        sessions.delete(session);
        if (sessions.size === 0 && openSessions.get(sessionKey) === sessions) openSessions.delete(sessionKey);
        return audit("close", "success", { ...summary, ...request }).finally(() => {
          sessionEnds.delete(end);
          ended();
        });
      });
    });
  });
}

/** Ends an older session that a newer one replaced: 4410 to its browser, its upstream dropped. */
function takeOver(older: OpenSession): void {
  if (older.client.readyState === WebSocket.OPEN) older.client.close(codes.takenOver, "session taken over");
  older.upstream.terminate();
}

/**
 * Sends `data` from one side to the other and pauses `from` while `to`'s send buffer is above
 * {@link highWaterBytes} (ws 8 `pause()`/`resume()`; the send callback fires once written out).
 */
function forward(from: WebSocket, to: WebSocket, data: Buffer, pending: { bytes: number; relayed: { inc(n: number): void } }): void {
  if (to.readyState !== WebSocket.OPEN) return;
  pending.relayed.inc(data.length);
  pending.bytes += data.length;
  to.send(data, { binary: true }, () => {
    pending.bytes -= data.length;
    if (pending.bytes < lowWaterBytes && from.isPaused) from.resume();
  });
  if (pending.bytes > highWaterBytes && !from.isPaused) from.pause();
}

/** Pipes frames both ways and ties the two closes together; `onClose` audits the session's end. */
function pipe(session: OpenSession, kind: ConsoleTarget["kind"], onClose: (request: Record<string, unknown>) => Promise<void>): void {
  const { client, upstream } = session;
  const started = Date.now();
  const stopPings = [keepAlive(client), keepAlive(upstream)];
  const m = metrics();
  const open = m.consoleSessions.labels({ kind });
  open.inc();
  let ended = false;
  // Renewal takes the row back if a failed takeover attempt removed it (claimIfFree).
  // Not once the process is stopping: its leases were given back (closeConsoleSessions).
  const renewal = setInterval(() => {
    if (!closing) void claimIfFree(session.key, session.holder).catch(() => {});
  }, renewEveryMs);
  renewal.unref();
  const end = (closedBy: "browser" | "upstream", code: number) => {
    if (ended) return;
    ended = true;
    open.dec();
    clearInterval(renewal);
    void releaseLease(session.key, session.holder);
    for (const stop of stopPings) stop();
    void onClose({ durationSeconds: Math.round((Date.now() - started) / 1000), closedBy, code });
  };

  const toClient = { bytes: 0, relayed: m.consoleBytes.labels({ kind, direction: "to_browser" }) };
  const toUpstream = { bytes: 0, relayed: m.consoleBytes.labels({ kind, direction: "to_vm" }) };
  upstream.on("message", (data: Buffer) => forward(upstream, client, data, toClient));
  // KubeVirt drops text frames: the browser's text is forwarded as binary bytes.
  client.on("message", (data: Buffer) => forward(client, upstream, data, toUpstream));

  upstream.on("close", (code: number, reason: Buffer) => {
    end("upstream", code);
    if (client.readyState !== WebSocket.OPEN) return;
    if (session.replacing) client.close(codes.takenOver, "session taken over");
    else if (code === 1000) client.close(1000, truncateReason(reason.toString("utf8")));
    else {
      // Dropped: taken over through another replica (its lease names another holder), or an outage.
      void heldByAnother(session.key, session.holder).then((taken) => {
        if (client.readyState !== WebSocket.OPEN) return;
        if (taken) client.close(codes.takenOver, "session taken over");
        else client.close(codes.upstreamClosed, "upstream closed");
      });
    }
  });
  client.on("close", (code: number) => {
    end("browser", code);
    if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
    else upstream.terminate();
  });
  upstream.on("error", (err) => {
    logger.warn({ err }, "console relay: upstream error");
    upstream.terminate();
  });
  client.on("error", (err) => {
    logger.debug({ err }, "console relay: browser error");
    client.terminate();
  });
}
