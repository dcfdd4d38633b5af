/**
 * next-intl request configuration (next.config.ts points the plugin here). Without locale routing:
 * the locale is the `NEXT_LOCALE` cookie when it names a supported locale, else the best match of
 * `Accept-Language`, else English.
 */
import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { defaultLocale, isLocale, localeCookieName, matchAcceptLanguage, type Locale } from "./config";

/** The locale of the current request (see the module comment for the order). */
export async function resolveLocale(): Promise<Locale> {
  const fromCookie = (await cookies()).get(localeCookieName)?.value;
  if (isLocale(fromCookie)) return fromCookie;
  return matchAcceptLanguage((await headers()).get("accept-language")) ?? defaultLocale;
}

export default getRequestConfig(async () => {
  const locale = await resolveLocale();
  return {
    locale,
    messages: (await import(`../../messages/${locale}.json`)).default,
  };
});
