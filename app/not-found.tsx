import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { MainLandmark } from "@/components/shell/main-landmark";
import { buttonClass, panelClass } from "@/components/ui/styles";

/** 404: unknown pages and tenants the user is not a member of (their existence does not leak). */
export default async function NotFound() {
  const t = await getTranslations("NotFound");
  return (
    <MainLandmark className="mx-auto max-w-xl px-4 py-20 sm:px-6">
      <div className={`${panelClass} p-8 text-center`}>
        <p className="text-sm font-semibold text-blue-600 dark:text-blue-400">404</p>
        <h1 className="mt-2 text-xl font-semibold">{t("title")}</h1>
        <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-300">{t("body")}</p>
        <Link href="/" className={`${buttonClass("primary")} mt-6`}>{t("home")}</Link>
      </div>
    </MainLandmark>
  );
}
