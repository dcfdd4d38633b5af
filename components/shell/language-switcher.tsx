"use client";

import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useTransition } from "react";
import { compactSelectClass } from "@/components/ui/styles";
import { isLocale, localeCookie, locales } from "@/lib/i18n/config";

/** The EN/FR picker (options show the code, their title the language's name): stores the choice in the `NEXT_LOCALE` cookie and re-renders the page. */
export function LanguageSwitcher() {
  const t = useTranslations("Language");
  const locale = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <select
      aria-label={t("label")}
      className={compactSelectClass}
      value={locale}
      aria-busy={pending}
      onChange={(e) => {
        const next = e.target.value;
        if (!isLocale(next)) return;
        document.cookie = localeCookie(next);
        startTransition(() => router.refresh());
      }}
    >
      {locales.map((l) => (
        <option key={l} value={l} lang={l} title={t(l)}>
          {l.toUpperCase()}
        </option>
      ))}
    </select>
  );
}
