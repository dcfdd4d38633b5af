/**
 * Password hashing for local accounts (User.passwordHash), with bcrypt (bcryptjs: pure JS, no
 * native build). Server-only; no `import "server-only"` because tsx scripts (the seed) use it too.
 */
import bcrypt from "bcryptjs";

/** bcrypt cost factor: 2^10 rounds, about 50–100 ms per hash on the development machines. */
export const PASSWORD_HASH_COST = 10;

/**
 * Hashes a plain-text password with bcrypt (cost {@link PASSWORD_HASH_COST}, random salt).
 *
 * @returns A `$2b$10$…` string of 60 characters, to store in User.passwordHash.
 */
export async function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, PASSWORD_HASH_COST);
}

/**
 * Checks a plain-text password against a stored bcrypt hash, in constant time.
 *
 * @param hash The stored hash; null/undefined/empty (OIDC accounts without a local password) never match.
 * @returns true when the password matches; false otherwise, including for malformed hashes.
 */
export async function verifyPassword(plain: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) return false;
  try {
    return await bcrypt.compare(plain, hash);
  } catch {
    return false;
  }
}

/**
 * A bcrypt hash (cost {@link PASSWORD_HASH_COST}) of a random string nobody knows, compared
 * against when there is no stored hash, so that an unknown username costs the same bcrypt work as
 * a known one (OWASP Authentication Cheat Sheet, "Authentication Responses": no timing oracle).
 */
const EQUALIZER_HASH = "$2b$10$H3FLlGznqPyXoq7uio32/.05ADrNfZyx6K/w5RMRq2FpvWvgZY0si";

/**
 * {@link verifyPassword} that spends the same time whether or not there is a hash: without one it
 * compares against a hash nothing matches and answers false.
 * @param hash the stored hash; null/undefined when the user does not exist or has no local password
 */
export async function verifyPasswordEqualTime(plain: string, hash: string | null | undefined): Promise<boolean> {
  const matched = await verifyPassword(plain, hash || EQUALIZER_HASH);
  return Boolean(hash) && matched;
}
