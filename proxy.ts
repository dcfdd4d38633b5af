/**
 * Next.js Proxy (Next 16's name for middleware; Node.js runtime): the per-request
 * Content-Security-Policy of every page, after the Next.js guide "Content Security Policy"
 * (node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md), and the requested
 * path and query for the layouts' sign-in redirect (lib/shared/callback-url.ts).
 *
 * A fresh nonce per request goes into `script-src`; Next reads it back from the request's
 * `Content-Security-Policy` header while rendering (next/dist/server/app-render/
 * get-script-nonce-from-header.js) and puts it on its own scripts, so every page must be rendered
 * per request (they are: the root layout reads the locale cookie). The static headers (nosniff,
 * X-Frame-Options, Referrer-Policy, a base CSP for API answers and static files) stay in
 * next.config.ts; headers set here replace a same-named one from there.
 *
 * Cookies: next-auth v4 marks its cookies `Secure` (and names them `__Secure-…`/`__Host-…`) by
 * itself when NEXTAUTH_URL starts with https:// (next-auth/core/init.js `useSecureCookies`
 * default, next-auth/jwt `getToken` reads the same prefix); tests/integration/trust-headers.test.ts
 * checks it.
 */
import { NextResponse, type NextRequest } from "next/server";
import { themeInitScript } from "@/lib/client/theme";
import { expectedOrigin } from "@/lib/server/edge";
import { requestPathHeader, requestedPath } from "@/lib/shared/callback-url";

/** The theme script's `'sha256-…'` source: allowed by hash, so components/theme-script.tsx needs no nonce. */
const themeScriptHash = crypto.subtle.digest("SHA-256", new TextEncoder().encode(themeInitScript))
  .then((digest) => `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`);

/** 128 random bits, base64: unguessable and never reused. */
function createNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/** The origin of OIDC_ISSUER, or null when unset or malformed. */
function issuerOrigin(): string | null {
  try {
    return process.env.OIDC_ISSUER ? new URL(process.env.OIDC_ISSUER).origin : null;
  } catch {
    return null;
  }
}

/**
 * The page policy. Read per request, not at build time: NEXTAUTH_URL and OIDC_ISSUER are known
 * only when the server starts (next.config.ts `headers()` is frozen into the build's
 * routes-manifest.json).
 */
function pagePolicy(opts: { nonce: string; themeHash: string; portalOrigin: string | null; https: boolean; dev: boolean }): string {
  const { nonce, themeHash, portalOrigin, https, dev } = opts;
  // The console and VNC sockets (lib/client/api.ts) and, in development, `/_next/hmr` are
  // same-origin; CSP3's 'self' matches ws:/wss: of the page's host (Chromium, Firefox), the
  // explicit origin covers browsers that predate it (Safari before 15.4).
  const socketOrigin = portalOrigin?.replace(/^http/, "ws");
  const issuer = issuerOrigin();
  return [
    "default-src 'self'",
    // 'strict-dynamic': the chunks Next's runtime loads are trusted through the nonced scripts.
    // React uses eval in development only (server error stacks in the browser).
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' ${themeHash}${dev ? " 'unsafe-eval'" : ""}`,
    // Not a nonce: xterm.js 6 (DOM renderer) appends <style> elements of its own without one,
    // React renders `style` props (quota bars, upload progress) as attributes in server HTML,
    // and Next's development overlay injects styles; a nonce would make browsers ignore
    // 'unsafe-inline'. Styles cannot run code; scripts above stay strict.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${socketOrigin ? ` ${socketOrigin}` : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    // Chromium applies form-action to the redirects after a form submission too: a form posted to
    // /api/auth/signin/oidc is sent on to the identity provider.
    `form-action 'self'${issuer ? ` ${issuer}` : ""}`,
    "object-src 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * Adds the page policy (and HSTS over https) to the request Next renders and to the answer, and
 * the requested path and query to the request (header `x-hikube-request-path`).
 */
export async function proxy(request: NextRequest) {
  const nonce = createNonce();
  const h = request.headers;
  const portalOrigin = expectedOrigin({ host: h.get("host"), "x-forwarded-host": h.get("x-forwarded-host"), "x-forwarded-proto": h.get("x-forwarded-proto") });
  const https = portalOrigin?.startsWith("https://") ?? false;
  const policy = pagePolicy({ nonce, themeHash: await themeScriptHash, portalOrigin, https, dev: process.env.NODE_ENV === "development" });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  // For server components that render a <Script> of their own: `(await headers()).get("x-nonce")`.
  requestHeaders.set("x-nonce", nonce);
  // The page asked for, so that a layout can send a signed-out visitor to /signin and back to it
  // (a layout is not told its URL). Always overwritten: the browser's own value never passes.
  // Prefetches skip the proxy (matcher below), so the layouts still judge the value as untrusted
  // (lib/shared/callback-url.ts signInRedirectPath).
  requestHeaders.set(requestPathHeader, requestedPath(request.nextUrl));
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  if (https) response.headers.set("strict-transport-security", "max-age=31536000; includeSubDomains");
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: API answers (JSON, streams, uploads; their bodies are not to pass through
      // here), Next's internals and static files keep next.config.ts's static headers.
      source: "/((?!api/|_next/|favicon\\.svg$).*)",
      // next/link's prefetches are RSC payloads, not documents (the guide's other exclusion,
      // `Purpose: prefetch`, is left out: a browser's document prefetch must carry the policy).
      missing: [{ type: "header", key: "next-router-prefetch" }],
    },
  ],
};
