/**
 * The `?error=` codes the sign-in page understands besides next-auth's own (`CredentialsSignin`,
 * `OAuthCallback`, `AccessDenied`…). The server puts them in next-auth's error redirect
 * (lib/server/auth/auth.ts); the form (components/signin/sign-in-form.tsx) turns them into a message in
 * the user's language.
 */
export const signinErrors = {
  /** `Throttled:<seconds>`: too many failed sign-ins for this username or address */
  throttled: "Throttled",
  /** the identity provider sent a username or group the portal refuses (lib/server/k8s/identity.ts) */
  identityRefused: "IdentityRefused",
} as const;

/** A parsed sign-in error: what the form shows. */
export type SigninError =
  | { kind: "wrongCredentials" }
  | { kind: "throttled"; seconds: number }
  | { kind: "identityRefused" }
  | { kind: "failed" };

/**
 * Reads next-auth's `error` value (query parameter, or `signIn()`'s `result.error`).
 * @returns null when there is no error
 */
export function parseSigninError(error: string | null | undefined): SigninError | null {
  if (!error) return null;
  if (error === "CredentialsSignin") return { kind: "wrongCredentials" };
  if (error === signinErrors.identityRefused) return { kind: "identityRefused" };
  const m = new RegExp(`^${signinErrors.throttled}:(\\d{1,6})$`).exec(error);
  if (m) return { kind: "throttled", seconds: Number(m[1]) };
  return { kind: "failed" };
}
