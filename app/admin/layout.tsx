import type { ReactNode } from "react";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getPrincipal } from "@/lib/server/auth/auth";
import { AppHeader } from "@/components/shell/app-header";
import { MainLandmark } from "@/components/shell/main-landmark";
import { requestPathHeader, signInRedirectPath } from "@/lib/shared/callback-url";

/**
 * The platform admin's shell: signed-out users go to /signin and, once signed in, back to the page
 * they asked for (path and query, from proxy.ts; the tenant list when it is not known); anyone who
 * is not a platform admin gets a 404 (the API answers them 403 and audits it). The admin's
 * navigation (tenants, audit log) is in the header, and in its menu on phones.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const principal = await getPrincipal();
  if (!principal) redirect(signInRedirectPath((await headers()).get(requestPathHeader), "/admin", "/admin/tenants"));
  if (!principal.isPlatformAdmin) notFound();
  return (
    <>
      <AppHeader user={principal} section="admin" />
      <MainLandmark className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">{children}</MainLandmark>
    </>
  );
}
