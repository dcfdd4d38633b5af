/**
 * Where to go after signing in: a path of this site only (open-redirect guard). next-auth passes
 * `callbackUrl` either as a path or as an absolute URL of the portal.
 * @param raw the `callbackUrl` query parameter
 * @param host the request's Host header, to accept absolute URLs of this site
 * @returns a path starting with a single "/", "/" when `raw` is missing or foreign
 */
export function safeCallbackPath(raw: string | undefined, host: string | null): string {
  if (!raw) return "/";
  try {
    const url = new URL(raw, "http://placeholder.invalid");
    const sameSite = url.host === "placeholder.invalid" ? raw.startsWith("/") && !raw.startsWith("//") : url.host === host;
    if (!sameSite || (url.protocol !== "http:" && url.protocol !== "https:")) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith("/signin") ? "/" : path;
  } catch {
    return "/";
  }
}
