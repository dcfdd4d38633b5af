/**
 * Sign-in (next-auth v4, JWT sessions).
 *
 * - Local accounts (provider `local`, credentials): the development default; levels come from
 *   Membership rows, read on every request so a change applies at once.
 * - OpenID Connect (provider `oidc`, e.g. Keycloak realm `cozy`), switched on when OIDC_ISSUER,
 *   OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set: levels come from the `groups` claim
 *   (`tenant-<name>-<level>`, `cozystack-cluster-admin`), kept in the session token.
 *
 * Local sign-in is throttled per username and client address (signin-throttle.ts) and costs the
 * same bcrypt work for unknown users; OIDC identities with a `system:` name or group, a comma or a
 * control character are refused, and only tenant groups and the platform-admin group are kept.
 * Every sign-in (success, failure, throttled, refused) and sign-out is a platform-level audit row.
 * Each sign-in creates a Session row (session.ts): its absolute end is fixed then, and sign-out
 * revokes it, so a copied cookie dies with it.
 *
 * Cross-site requests: next-auth's own routes carry its CSRF token; the portal's mutations are
 * checked by origin in the gate (lib/server/gate.ts), and the session cookie is SameSite=Lax.
 */
import type { NextAuthOptions } from "next-auth";
import { cookies } from "next/headers";
import CredentialsProvider from "next-auth/providers/credentials";
import type { UserinfoEndpointHandler } from "next-auth/providers/oauth";
import { writeAudit } from "../audit/audit";
import { getDb } from "../db/db";
import { clientAddress } from "../edge";
import { identityValueProblem } from "../k8s/identity";
import { logger } from "../logger";
import { verifyPasswordEqualTime } from "./password";
import {
  createSession, forwardedGroups, isOidcEnabled, isSessionLive, principalFromCookies, revokeSession, sessionLifetimeSeconds, sessionSecret,
  type PortalToken, type Principal,
} from "./session";
import { recordSigninFailure, recordSigninSuccess, signinWait } from "./signin-throttle";
import { safeCallbackPath } from "../../shared/callback-url";
import { signinErrors } from "../../shared/signin-errors";

export type { Principal } from "./session";
export { isOidcEnabled } from "./session";

/** What the sign-in audit rows keep of a typed username: no control characters, 64 characters. */
function typedName(username: string): string {
  return username.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").slice(0, 64);
}

/** One platform-level audit row about a sign-in or sign-out (never in a tenant's log). */
function auditSession(row: { actor: string; action: "session.signin" | "session.signout"; targetName: string; result: "success" | "failure" | "denied"; errorMessage?: string; ip?: string | null; userAgent?: string | null; provider: string }) {
  return writeAudit({
    actor: row.actor, tenantName: "", action: row.action, targetKind: "Session", targetName: row.targetName,
    request: { provider: row.provider }, result: row.result, errorMessage: row.errorMessage ?? null, ip: row.ip ?? null, userAgent: row.userAgent?.slice(0, 500) ?? null,
  });
}

/** A header of next-auth's request object (a plain record of lower-cased names). */
function headerOf(headers: unknown, name: string): string | null {
  const v = (headers as Record<string, string | string[] | undefined> | undefined)?.[name];
  return (Array.isArray(v) ? v[v.length - 1] : v) ?? null;
}

/**
 * The `local` provider's check: throttle (signin-throttle.ts) → password (the same bcrypt work
 * whether or not the user exists) → count the outcome → audit it at platform level.
 * @returns the user, or null for wrong credentials (next-auth answers `CredentialsSignin`)
 * @throws Error with message `Throttled:<seconds>` while the username or address must wait
 *   (next-auth passes it to the sign-in page as `?error=`, lib/shared/signin-errors.ts)
 */
async function authorizeLocal(credentials: Record<string, string> | undefined, headers: unknown) {
  const username = typeof credentials?.username === "string" ? credentials.username.trim() : "";
  const password = typeof credentials?.password === "string" ? credentials.password : "";
  if (!username || !password || username.length > 128 || password.length > 1024) return null;
  const ip = clientAddress(headerOf(headers, "x-forwarded-for"));
  const userAgent = headerOf(headers, "user-agent");
  const audit = (result: "success" | "failure" | "denied", actor: string, errorMessage?: string) =>
    auditSession({ actor, action: "session.signin", targetName: typedName(username), result, errorMessage, ip, userAgent, provider: "local" });
  const wait = await signinWait(username, ip);
  if (wait !== null) {
    await audit("denied", "anonymous", `Too many failed sign-ins: throttled for ${wait} s.`);
    throw new Error(`${signinErrors.throttled}:${wait}`);
  }
  const user = await getDb().user.findUnique({ where: { username } });
  if (!(await verifyPasswordEqualTime(password, user?.passwordHash))) {
    const delay = await recordSigninFailure(username, ip);
    await audit("failure", "anonymous", delay > 0 ? `Wrong username or password; the next attempt waits ${delay} s.` : "Wrong username or password.");
    return null;
  }
  await recordSigninSuccess(username);
  await audit("success", user!.username);
  return { id: user!.id, name: user!.displayName, username: user!.username, groups: [] };
}

function oidcProvider(): NextAuthOptions["providers"][number] {
  const issuer = process.env.OIDC_ISSUER!.replace(/\/$/, "");
  return {
    id: "oidc",
    name: process.env.OIDC_DISPLAY_NAME ?? "Keycloak",
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: process.env.OIDC_CLIENT_ID,
    clientSecret: process.env.OIDC_CLIENT_SECRET,
    idToken: true,
    checks: ["pkce", "state"],
    authorization: { params: { scope: process.env.OIDC_SCOPES ?? "openid profile email groups" } },
    // Claims asked for by scope (name, email, groups) are the userinfo endpoint's to serve (OIDC
    // Core 5.4); Keycloak also copies them into the ID token, spec-conformant providers do not.
    // So the profile is the validated ID token's claims overlaid with userinfo's (whose `sub`
    // openid-client checks against the ID token's).
    userinfo: {
      async request({ client, tokens }) {
        // `tokens` is the TokenSet openid-client's callback returned (next-auth types it loosely).
        const idTokenClaims = (tokens as unknown as { claims(): Record<string, unknown> }).claims();
        return { ...idTokenClaims, ...(await client.userinfo(tokens as never)) };
      },
    } satisfies UserinfoEndpointHandler,
    profile(profile: Record<string, unknown>) {
      return {
        id: String(profile.sub),
        name: String(profile.name ?? profile.preferred_username ?? profile.sub),
        email: typeof profile.email === "string" ? profile.email : null,
        username: String(profile.preferred_username ?? profile.sub),
        groups: Array.isArray(profile.groups) ? profile.groups.map(String).map((g) => g.replace(/^\//, "")) : [],
      };
    },
  } as NextAuthOptions["providers"][number];
}

/** The next-auth configuration shared by the route handler and {@link getPrincipal}. */
export const authOptions: NextAuthOptions = {
  secret: sessionSecret,
  // The cookie's maxAge; the session's real, absolute end is its row's (session.ts).
  session: { strategy: "jwt", maxAge: sessionLifetimeSeconds() },
  // next-auth's errors (wrong password, throttled, refused identity) are shown by the sign-in form.
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      id: "local",
      name: "Local account",
      credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        return (await authorizeLocal(credentials, req?.headers)) as never;
      },
    }),
    ...(isOidcEnabled() ? [oidcProvider()] : []),
  ],
  // next-auth's own log lines go to the portal's logger; an ended session read by
  // /api/auth/session (the jwt callback throws, below) is routine, not an error.
  logger: {
    error(code, metadata) {
      if (code === "JWT_SESSION_ERROR") logger.info({ code }, "session ended; cookie cleared");
      else logger.error({ code, metadata }, "next-auth error");
    },
    warn(code) {
      logger.warn({ code }, "next-auth warning");
    },
    debug() {},
  },
  events: {
    // Sign-out revokes the session row, so a copy of the cookie stops working at once.
    async signOut({ token }) {
      const t = token as PortalToken | null;
      if (!t?.sid) return;
      await revokeSession(t.sid);
      await auditSession({ actor: t.username ?? "anonymous", action: "session.signout", targetName: typedName(t.username ?? ""), result: "success", provider: t.source ?? "" });
    },
  },
  callbacks: {
    // next-auth's default accepts any URL starting with "/" (so "/.//evil.example"): only a
    // normalized same-origin path goes (lib/shared/callback-url.ts).
    async redirect({ url, baseUrl }) {
      return `${baseUrl}${safeCallbackPath(url, new URL(baseUrl).origin)}`;
    },
    // OIDC identities the cluster must never see are refused here, before any session exists:
    // a `system:` username or group (system:masters is cluster-admin), commas, control characters.
    async signIn({ user, account }) {
      if (account?.provider !== "oidc") return true;
      const u = user as unknown as { username: string; groups?: string[] };
      const bad = [u.username, ...(u.groups ?? [])].map((v) => [v, identityValueProblem(v)] as const).find(([, problem]) => problem);
      if (!bad) return true;
      logger.warn({ username: typedName(u.username), problem: bad[1] }, "OIDC identity refused at sign-in");
      await auditSession({ actor: "anonymous", action: "session.signin", targetName: typedName(u.username), result: "denied", provider: "oidc",
        errorMessage: `The identity provider sent a ${bad[0] === u.username ? "username" : "group"} that ${bad[1]}.` });
      return `/signin?error=${signinErrors.identityRefused}`;
    },
    async jwt({ token, user, account }) {
      if (user && account) {
        const u = user as unknown as { id: string; name?: string; username: string; groups?: string[] };
        const t = token as PortalToken;
        t.username = u.username;
        t.displayName = u.name ?? u.username;
        t.source = account.provider === "local" ? "local" : "oidc";
        t.userId = account.provider === "local" ? u.id : null;
        // only what the portal acts on is kept (and later forwarded to the cluster)
        t.groups = forwardedGroups(u.groups);
        t.sid = await createSession(t.username, t.source);
        if (t.source === "oidc") {
          await auditSession({ actor: t.username, action: "session.signin", targetName: typedName(t.username), result: "success", provider: "oidc" });
        }
      } else if (!(await isSessionLive(token as PortalToken))) {
        // next-auth's /api/auth/session then clears the cookie and answers {} (core/routes/session.js)
        throw new Error("the session has ended (signed out, expired or revoked)");
      }
      return token;
    },
    async session({ session, token }) {
      const t = token as PortalToken;
      // The groups are the user's own claim; the browser may see them (they name its tenants).
      return { ...session, user: { name: t.displayName, username: t.username, source: t.source, groups: t.groups ?? [] } } as typeof session;
    },
  },
};

/**
 * The signed-in user of the current request, or null. Reads the session cookie's JWT directly
 * (next-auth's `getToken`: a decryption, no round through next-auth's handler, which cost about
 * 2 ms a request in the list benchmark); only the cookie is accepted, not a bearer header.
 * The token's session row decides whether it still holds (session.ts `principalFromCookies`).
 */
export async function getPrincipal(): Promise<Principal | null> {
  const store = await cookies();
  return principalFromCookies(Object.fromEntries(store.getAll().map((c) => [c.name, c.value])));
}
