import type { Metadata } from "next";
import type { ReactNode } from "react";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { Providers } from "@/components/shell/providers";
import { SkipLink } from "@/components/shell/skip-link";
import { ThemeScript } from "@/components/shell/theme-script";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Metadata");
  return { title: { default: t("title"), template: `%s · ${t("title")}` }, description: t("description"), icons: { icon: "/favicon.svg" } };
}

/**
 * The root layout: language, theme (applied before paint), translations, the query cache and the
 * live region; the "Skip to content" link comes first on every page, sign-in and 404 included.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const t = await getTranslations("Shell");
  return (
    // The theme script changes <html>'s class and style before React hydrates.
    <html lang={locale} suppressHydrationWarning>
      <head>
        <ThemeScript />
      </head>
      <body className="min-h-screen">
        <SkipLink label={t("skipToContent")} />
        <NextIntlClientProvider>
          <Providers>{children}</Providers>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
