import { getTranslations } from "next-intl/server";
import { MainLandmark } from "@/components/shell/main-landmark";
import { panelClass } from "@/components/ui/styles";

/** The empty state of `/` for a user who belongs to no tenant yet. */
export async function NoTenant({ username }: { username: string }) {
  const t = await getTranslations("Home");
  return (
    <MainLandmark className="mx-auto max-w-2xl px-4 py-16 sm:px-6">
      <section className={`${panelClass} p-8 text-center`} aria-labelledby="no-tenant-title">
        <svg aria-hidden="true" viewBox="0 0 24 24" className="mx-auto size-10 text-zinc-400" fill="none" stroke="currentColor" strokeWidth="1.5">
          <path d="M3 21h18M5 21V7l7-4 7 4v14M9 21v-6h6v6" strokeLinejoin="round" />
        </svg>
        <h1 id="no-tenant-title" className="mt-4 text-xl font-semibold">{t("noTenantTitle")}</h1>
        <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-300">{t("noTenantBody", { username })}</p>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-300">{t("noTenantWho")}</p>
      </section>
    </MainLandmark>
  );
}
