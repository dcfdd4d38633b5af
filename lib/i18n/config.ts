/**
 * Locales of the portal (no locale in the URL: the choice lives in the `NEXT_LOCALE` cookie).
 * Safe for the browser: the language switcher imports the cookie name and the locale list.
 */

/** Supported locales, the default first. */
export const locales = ["en", "fr"] as const;

/** One supported locale. */
export type Locale = (typeof locales)[number];

/** The locale used when neither the cookie nor Accept-Language names a supported one. */
export const defaultLocale: Locale = "en";

/** The cookie that holds the user's choice (next-intl's conventional name). */
export const localeCookieName = "NEXT_LOCALE";

/** Whether `value` is a supported locale. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

/**
 * The best supported locale for an `Accept-Language` header (RFC 9110 §12.5.4): languages by
 * descending q-value, ties in header order, matched on the primary subtag (`fr-CA` → `fr`).
 * @returns the match, or null when none is supported
 */
export function matchAcceptLanguage(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const primary = tag.split("-")[0];
    if (isLocale(primary)) return primary;
  }
  return null;
}

/** The cookie value that stores `locale` for a year, readable by the server on every request. */
export function localeCookie(locale: Locale): string {
  return `${localeCookieName}=${locale}; path=/; max-age=${60 * 60 * 24 * 365}; samesite=lax`;
}
