/**
 * The session cookie → {@link Principal}, shared by Next requests (auth.ts `getPrincipal`) and the
 * console relay's WebSocket upgrades in server.ts, which are not Next requests (no `cookies()`).
 * Kept apart from auth.ts so that plain Node (tsx) can load it: auth.ts's next-auth providers are
 * CommonJS default exports that only Next's bundler unwraps.
 */
import crypto from "node:crypto";
import { getToken } from "next-auth/jwt";
import { getDb } from "../db/db";
import { isForwardableGroup } from "../k8s/identity";
import { platformAdminGroup } from "../../shared/permissions";

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
  /** Session row id (prisma Session.id): checked on every request, revoked at sign-out */
  sid?: string;
}

/** Whether the OIDC provider is configured by environment variables (OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET). */
export function isOidcEnabled(): boolean {
  return Boolean(process.env.OIDC_ISSUER && process.env.OIDC_CLIENT_ID && process.env.OIDC_CLIENT_SECRET);
}

/** The absolute session lifetime in seconds: HIKUBE_SESSION_HOURS (default 8, at most 7 days). */
export function sessionLifetimeSeconds(): number {
  const hours = Number(process.env.HIKUBE_SESSION_HOURS);
  return Math.round((Number.isFinite(hours) && hours > 0 ? Math.min(hours, 24 * 7) : 8) * 3600);
}

/**
 * Records a new sign-in and returns its id for the token (`sid`). Its end is fixed here, once:
 * next-auth re-issues the cookie with a fresh expiry on every session read, the row does not move.
 * Rows ended more than a day ago are swept on the way.
 */
export async function createSession(username: string, source: "local" | "oidc"): Promise<string> {
  const db = getDb();
  const id = crypto.randomBytes(32).toString("base64url");
  const now = Date.now();
  await db.session.create({ data: { id, username, source, expiresAt: new Date(now + sessionLifetimeSeconds() * 1000) } });
  await db.session.deleteMany({ where: { expiresAt: { lt: new Date(now - 24 * 3600 * 1000) } } });
  return id;
}

/** Ends a session (sign-out): every later request with its token is refused, in every process. */
export async function revokeSession(sid: string): Promise<void> {
  await getDb().session.updateMany({ where: { id: sid, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** The groups of a token the portal acts on and forwards: tenant groups and the platform-admin group. */
export function forwardedGroups(groups: readonly string[] | undefined): string[] {
  return [...new Set((groups ?? []).filter((g) => isForwardableGroup(g, platformAdminGroup)))];
}

/** next-auth's secret (NEXTAUTH_SECRET; a fixed one outside production). */
export const sessionSecret: string | undefined =
  process.env.NEXTAUTH_SECRET ?? (process.env.NODE_ENV === "production" ? undefined : "hikube-dev-only-secret");

/**
 * Whether a decoded token still holds: it names a user, a provider that is switched on and a
 * session row that exists, is not revoked, has not reached its absolute end and is that user's.
 */
export async function isSessionLive(t: PortalToken): Promise<boolean> {
  if (!t.username || !t.source || typeof t.sid !== "string") return false;
  if (t.source === "oidc" && !isOidcEnabled()) return false;
  const session = await getDb().session.findUnique({ where: { id: t.sid } });
  if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return false;
  return session.username === t.username && session.source === t.source;
}

/**
 * The principal of a session cookie, or null. Decrypts the next-auth JWT (`getToken`), then
 * checks its session row (present, not revoked, not past its absolute end, same user), refuses
 * tokens of a provider that is switched off, and looks local accounts up again so that a deleted
 * account loses access at once. OIDC groups are reduced to {@link forwardedGroups}.
 * @param cookieMap cookie name → value (from next/headers, or parsed from a `Cookie` header)
 */
export async function principalFromCookies(cookieMap: Record<string, string>): Promise<Principal | null> {
  const t = (await getToken({ req: { cookies: cookieMap, headers: {} } as never, secret: sessionSecret })) as PortalToken | null;
  if (!t || !(await isSessionLive(t))) return null;
  const username = t.username!;
  if (t.source === "local") {
    const user = await getDb().user.findUnique({ where: { username } });
    if (!user) return null;
    return { username: user.username, displayName: user.displayName, source: "local", userId: user.id, isPlatformAdmin: user.isPlatformAdmin, groups: [] };
  }
  const groups = forwardedGroups(t.groups);
  return { username, displayName: t.displayName ?? username, source: "oidc", userId: null, isPlatformAdmin: groups.includes(platformAdminGroup), groups };
}
