/**
 * Sign-in (next-auth v4, JWT sessions).
 *
 * - Local accounts (provider `local`, credentials): the development default; levels come from
 *   Membership rows, read on every request so a change applies at once.
 * - OpenID Connect (provider `oidc`, e.g. Keycloak realm `cozy`), switched on when OIDC_ISSUER,
 *   OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set: levels come from the `groups` claim
 *   (`tenant-<name>-<level>`, `cozystack-cluster-admin`), kept in the session token.
 *
 * Cross-site requests: next-auth's own routes carry its CSRF token; the portal's mutations are
 * checked by origin in the gate (gate.ts), and the session cookie is SameSite=Lax.
 */
import type { NextAuthOptions } from "next-auth";
import { cookies } from "next/headers";
import CredentialsProvider from "next-auth/providers/credentials";
import type { UserinfoEndpointHandler } from "next-auth/providers/oauth";
import { getDb } from "./db";
import { safeCallbackPath } from "../shared/callback-url";
import { verifyPassword } from "./password";
import { principalFromCookies, sessionSecret, type PortalToken, type Principal } from "./session";

export type { Principal } from "./session";

/** Whether the OIDC provider is configured by environment variables. */
export function isOidcEnabled(): boolean {
  return Boolean(process.env.OIDC_ISSUER && process.env.OIDC_CLIENT_ID && process.env.OIDC_CLIENT_SECRET);
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
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      id: "local",
      name: "Local account",
      credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const username = credentials?.username?.trim() ?? "";
        const password = credentials?.password ?? "";
        if (!username || !password) return null;
        const user = await getDb().user.findUnique({ where: { username } });
        if (!user?.passwordHash || !(await verifyPassword(password, user.passwordHash))) return null;
        return { id: user.id, name: user.displayName, username: user.username, groups: [] } as never;
      },
    }),
    ...(isOidcEnabled() ? [oidcProvider()] : []),
  ],
  callbacks: {
    // next-auth's default accepts any URL starting with "/" (so "/.//evil.example"): only a
    // normalized same-origin path goes (lib/shared/callback-url.ts).
    async redirect({ url, baseUrl }) {
      return `${baseUrl}${safeCallbackPath(url, new URL(baseUrl).origin)}`;
    },
    async jwt({ token, user, account }) {
      if (user && account) {
        const u = user as unknown as { id: string; name?: string; username: string; groups?: string[] };
        const t = token as PortalToken;
        t.username = u.username;
        t.displayName = u.name ?? u.username;
        t.source = account.provider === "local" ? "local" : "oidc";
        t.userId = account.provider === "local" ? u.id : null;
        t.groups = u.groups ?? [];
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
 * Sessions therefore last 8 hours from sign-in (absolute, not rolling). Local accounts are
 * looked up again so that a deleted account loses access at once.
 */
export async function getPrincipal(): Promise<Principal | null> {
  const store = await cookies();
  return principalFromCookies(Object.fromEntries(store.getAll().map((c) => [c.name, c.value])));
}
