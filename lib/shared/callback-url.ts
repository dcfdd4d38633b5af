/**
 * Where to go after signing in: a path of this portal only (open-redirect guard).
 *
 * The value is normalized FIRST (WHATWG URL parsing against the portal's origin: `.` and `..`
 * segments removed, `\` read as `/`, escapes kept), and only the normalized result is judged and
 * returned. Checking the raw string and returning the normalized one let `/.//evil.example`,
 * `/..//`, `/%2e//` and `/./\` become `//evil.example`, a protocol-relative URL that browsers
 * follow to another site.
 * @param raw the `callbackUrl` query parameter: a path, or an absolute URL of the portal
 * @param portalOrigin the portal's origin, e.g. `https://portal.example.com` (edge.ts expectedOrigin)
 * @returns a path starting with exactly one "/" (never "//" or "/\"), "/" when `raw` is missing,
 *   foreign, malformed or the sign-in page itself
 */
export function safeCallbackPath(raw: string | undefined | null, portalOrigin: string | null): string {
  if (!raw || !portalOrigin || raw.length > 2048) return "/";
  // Control characters and whitespace are stripped by URL parsers in ways that differ between
  // browsers and servers: refuse them outright.
  if (/[\u0000-\u0020\u007f]/.test(raw)) return "/";
  let base: URL;
  let url: URL;
  try {
    base = new URL(portalOrigin);
    url = new URL(raw, base);
  } catch {
    return "/";
  }
  if (url.origin !== base.origin || url.username || url.password) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  if (url.pathname === "/signin" || url.pathname.startsWith("/signin/") || url.pathname.startsWith("/api/auth")) return "/";
  return path;
}

/**
 * The request header through which proxy.ts tells server components which page was requested
 * (path and query), for the sign-in redirect of a layout (a layout is not told its URL). proxy.ts
 * always overwrites it, so a value sent by the browser never reaches a page through the proxy;
 * {@link signInRedirectPath} still judges it as untrusted input (prefetch requests skip the proxy).
 */
export const requestPathHeader = "x-hikube-request-path";

/**
 * The path and query of a page request, as a deep link to come back to after signing in: the
 * query verbatim (no re-encoding) except Next's internal `_rsc` cache-busting parameter.
 * @param url the request's URL (proxy.ts passes `request.nextUrl`)
 * @returns e.g. `/t/acme/disks?x=1`
 */
export function requestedPath(url: { pathname: string; search: string }): string {
  const query = url.search.replace(/^\?/, "").split("&").filter((part) => part !== "" && part !== "_rsc" && !part.startsWith("_rsc=")).join("&");
  return query ? `${url.pathname}?${query}` : url.pathname;
}

/** Any origin will do to resolve a relative path: only the path is judged and kept. */
const placeholderOrigin = "http://portal.invalid";

/**
 * Where a layout sends a signed-out visitor: `/signin` with the page they asked for as its
 * `callbackUrl`, so that signing in lands exactly there (issue 16, defect A).
 *
 * `requested` is untrusted: it is used only when it is a path (starting with one "/") that
 * {@link safeCallbackPath} keeps and whose normalized path lies inside `section`, the layout's own
 * part of the portal; anything else, or nothing, gives `fallback`.
 * @param requested the requested path and query (the {@link requestPathHeader} header), or null
 * @param section the layout's path prefix, e.g. `/t/acme` or `/admin` (no trailing "/")
 * @param fallback the landing used so far when the page is not known, e.g. `/t/acme/vms`
 * @returns `/signin?callbackUrl=<encoded path>`
 */
export function signInRedirectPath(requested: string | null | undefined, section: string, fallback: string): string {
  let target = fallback;
  if (requested?.startsWith("/")) {
    const path = safeCallbackPath(requested, placeholderOrigin);
    const { pathname } = new URL(path, placeholderOrigin);
    if (path !== "/" && (pathname === section || pathname.startsWith(`${section}/`))) target = path;
  }
  return signInHref(target);
}

/**
 * The sign-in page's URL that comes back to a page afterwards (also the links shown when a
 * session ended).
 * @param path a path of the portal, e.g. `/t/acme/vms` (may already carry its query)
 * @param query the page's query without "?", e.g. `state=Running` (`useSearchParams().toString()`)
 */
export function signInHref(path: string, query = ""): string {
  return `/signin?callbackUrl=${encodeURIComponent(query ? `${path}?${query}` : path)}`;
}
