import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { MainLandmark } from "@/components/shell/main-landmark";
import { LanguageSwitcher } from "@/components/shell/language-switcher";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { buttonClass, panelClass } from "@/components/ui/styles";

/**
 * 404: unknown pages and tenants the user is not a member of (their existence does not leak).
 * It replaces every layout below the root one, app header included, so it carries its own bar:
 * the product name (home), the language and theme switches, and a link back to the portal.
 */
export default async function NotFound() {
  const t = await getTranslations("NotFound");
  const tHeader = await getTranslations("Header");
  return (
    <>
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4 sm:px-6">
          <Link href="/" className="rounded-md text-base font-semibold tracking-tight text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:text-zinc-50">
            {tHeader("product")}
          </Link>
          <div className="ml-auto flex items-center gap-3">
            <LanguageSwitcher />
            <ThemeToggle />
          </div>
        </div>
      </header>
      <MainLandmark className="mx-auto max-w-xl px-4 py-20 sm:px-6">
        <div className={`${panelClass} p-8 text-center`}>
          <p className="text-sm font-semibold text-blue-600 dark:text-blue-400">404</p>
          <h1 className="mt-2 text-xl font-semibold">{t("title")}</h1>
          <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-300">{t("body")}</p>
          <Link href="/" className={`${buttonClass("primary")} mt-6`}>{t("home")}</Link>
        </div>
      </MainLandmark>
    </>
  );
}
