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
