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
