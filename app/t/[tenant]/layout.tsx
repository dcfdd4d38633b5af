import type { ReactNode } from "react";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getPrincipal } from "@/lib/server/auth/auth";
import { getTenantAccess, listTenantAccess } from "@/lib/server/tenancy/tenancy";
import { AppHeader } from "@/components/shell/app-header";
import { MainLandmark } from "@/components/shell/main-landmark";
import { TenantProvider } from "@/components/shell/tenant-context";
import { requestPathHeader, signInRedirectPath } from "@/lib/shared/callback-url";

/**
 * The app shell of one tenant: signed-out users go to /signin and, once signed in, back to the page
 * they asked for (path and query, from proxy.ts; the VM list when it is not known); non-members
 * get a 404 (a tenant's existence does not leak), members get the header and their role through
 * {@link TenantProvider}.
 */
export default async function TenantLayout({ children, params }: { children: ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: name } = await params;
  const principal = await getPrincipal();
  if (!principal) {
    const section = `/t/${encodeURIComponent(name)}`;
    redirect(signInRedirectPath((await headers()).get(requestPathHeader), section, `${section}/vms`));
  }
  const access = await getTenantAccess(principal, name);
  if (!access) notFound();
  const tenants = (await listTenantAccess(principal)).map(({ tenant }) => ({ name: tenant.name, displayName: tenant.displayName }));
  const tenant = { name: access.tenant.name, displayName: access.tenant.displayName, role: access.role };
  return (
    <TenantProvider tenant={tenant}>
      <AppHeader user={principal} tenants={tenants} tenant={tenant} />
      <MainLandmark className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">{children}</MainLandmark>
    </TenantProvider>
  );
}
