import type { ReactNode } from "react";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getPrincipal } from "@/lib/server/auth/auth";
import { AppHeader } from "@/components/shell/app-header";
import { requestPathHeader, signInRedirectPath } from "@/lib/shared/callback-url";

/**
 * The platform admin's shell: signed-out users go to /signin and, once signed in, back to the page
 * they asked for (path and query, from proxy.ts; the tenant list when it is not known); anyone who
 * is not a platform admin gets a 404 (the API answers them 403 and audits it).
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const principal = await getPrincipal();
  if (!principal) redirect(signInRedirectPath((await headers()).get(requestPathHeader), "/admin", "/admin/tenants"));
  if (!principal.isPlatformAdmin) notFound();
  const t = await getTranslations("Admin");
  const link = "rounded-md px-2 py-1 text-sm font-medium text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800";
  return (
    <>
      <AppHeader user={principal} />
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        <nav aria-label={t("nav")} className="mb-6 flex gap-2">
          <Link className={link} href="/admin/tenants">{t("tenantsNav")}</Link>
          <Link className={link} href="/admin/audit">{t("auditNav")}</Link>
        </nav>
        {children}
      </main>
    </>
  );
}
