/**
 * Checks made once at the portal's edge, for plain HTTP requests and WebSocket upgrades alike:
 * is the URL decodable, and does a request come from the portal's own origin.
 *
 * Kept free of Next imports: server.ts (plain Node), the gate (Next route handlers) and the
 * console relay (raw upgrades) all use it.
 */

/**
 * Whether every percent-escape of a request target's path and query decodes as UTF-8.
 * `decodeURIComponent` throws URIError on `%E0` or `%zz`; Next and the console relay would
 * otherwise throw later, where nothing answers (the upgrade path) or with a bare 500.
 * @param target the request target as sent (`req.url`, e.g. `/api/tenants/acme%E0/vms?x=1`)
 * @returns false for malformed input; the caller answers 400
 */
export function isDecodableTarget(target: string): boolean {
  if (!target.startsWith("/")) return false;
  try {
    const q = target.indexOf("?");
    decodeURIComponent(q < 0 ? target : target.slice(0, q));
    if (q >= 0) decodeURIComponent(target.slice(q + 1).replace(/\+/g, " "));
    return true;
  } catch {
    return false;
  }
}

/** The request headers {@link isSameOrigin} reads, lower-cased names. */
export interface OriginHeaders {
  origin?: string | null;
  "sec-fetch-site"?: string | null;
  host?: string | null;
  "x-forwarded-host"?: string | null;
  "x-forwarded-proto"?: string | null;
}

/**
 * The origin the portal is served from, e.g. `https://portal.example.com`: `NEXTAUTH_URL`'s
 * origin when set (always in production and tests). Without it (development without the dev
 * script), the request's Host, or with `TRUST_PROXY=1` the first `X-Forwarded-Host` and
 * `X-Forwarded-Proto`.
 * @returns null when neither is known or NEXTAUTH_URL is malformed
 */
export function expectedOrigin(headers: OriginHeaders, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NEXTAUTH_URL) {
    try {
      return new URL(env.NEXTAUTH_URL).origin;
    } catch {
      return null;
    }
  }
  const first = (v: string | null | undefined) => v?.split(",")[0]?.trim() || null;
  const trustProxy = env.TRUST_PROXY === "1";
  const host = (trustProxy && first(headers["x-forwarded-host"])) || headers.host || null;
  if (!host) return null;
  const proto = (trustProxy && first(headers["x-forwarded-proto"])) || "http";
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * The one same-origin check of mutations and console upgrades: the `Origin` header must equal
 * {@link expectedOrigin} exactly (scheme, host and port; browsers send Origin on every fetch
 * POST/PUT/PATCH/DELETE and on every WebSocket), or, without Origin, `Sec-Fetch-Site` must be
 * `same-origin`. A client-sent `X-Forwarded-Host` counts only behind a configured proxy
 * (`TRUST_PROXY=1`) and only when NEXTAUTH_URL is unset.
 * @param requireOrigin WebSockets: Origin is required (every browser sends it)
 */
export function isSameOrigin(headers: OriginHeaders, opts: { requireOrigin?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  const expected = expectedOrigin(headers, env);
  if (!expected) return false;
  const origin = headers.origin;
  if (origin) {
    try {
      return new URL(origin).origin === expected;
    } catch {
      return false;
    }
  }
  return !opts.requireOrigin && headers["sec-fetch-site"] === "same-origin";
}

/**
 * The client's address from the `X-Forwarded-For` value the portal sees. server.ts replaces a
 * client-sent value by the socket's address unless `TRUST_PROXY=1`; behind the proxy the last
 * entry is the one the proxy appended (HAProxy `option forwardfor`, nginx
 * `$proxy_add_x_forwarded_for`), the earlier ones are whatever the client claimed.
 * @returns the address, at most 64 characters, or null when there is none
 */
export function clientAddress(forwardedFor: string | null | undefined): string | null {
  const last = forwardedFor?.split(",").at(-1)?.trim();
  return last ? last.slice(0, 64) : null;
}
