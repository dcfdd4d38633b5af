/**
 * The session cookie → {@link Principal}, shared by Next requests (auth.ts `getPrincipal`) and the
 * console relay's WebSocket upgrades in server.ts, which are not Next requests (no `cookies()`).
 * Kept apart from auth.ts so that plain Node (tsx) can load it: auth.ts's next-auth providers are
 * CommonJS default exports that only Next's bundler unwraps.
 */
import { getToken } from "next-auth/jwt";
import { getDb } from "./db";
import { platformAdminGroup } from "../shared/permissions";

/** The signed-in user as the server sees it. */
export interface Principal {
  /** local username, or the OIDC `preferred_username` (falls back to `sub`) */
  username: string;
  displayName: string;
  source: "local" | "oidc";
  /** User row id for local accounts; null for OIDC users */
  userId: string | null;
  isPlatformAdmin: boolean;
  /** OIDC `groups` claim; empty for local accounts */
  groups: string[];
}

/** What the portal stores in the next-auth JWT. */
export interface PortalToken {
  username?: string;
  displayName?: string;
  source?: "local" | "oidc";
  userId?: string | null;
  groups?: string[];
}

/** next-auth's secret (NEXTAUTH_SECRET; a fixed one outside production). */
export const sessionSecret: string | undefined =
  process.env.NEXTAUTH_SECRET ?? (process.env.NODE_ENV === "production" ? undefined : "hikube-dev-only-secret");

/**
 * The principal of a session cookie, or null. Decrypts the next-auth JWT (`getToken`); local
 * accounts are looked up again so that a deleted account loses access at once.
 * @param cookieMap cookie name → value (from next/headers, or parsed from a `Cookie` header)
 */
export async function principalFromCookies(cookieMap: Record<string, string>): Promise<Principal | null> {
  const t = (await getToken({ req: { cookies: cookieMap, headers: {} } as never, secret: sessionSecret })) as PortalToken | null;
  if (!t?.username || !t.source) return null;
  if (t.source === "local") {
    const user = await getDb().user.findUnique({ where: { username: t.username } });
    if (!user) return null;
    return { username: user.username, displayName: user.displayName, source: "local", userId: user.id, isPlatformAdmin: user.isPlatformAdmin, groups: [] };
  }
  const groups = t.groups ?? [];
  return { username: t.username, displayName: t.displayName ?? t.username, source: "oidc", userId: null, isPlatformAdmin: groups.includes(platformAdminGroup), groups };
}
