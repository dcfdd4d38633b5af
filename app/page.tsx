import { redirect } from "next/navigation";
import { getPrincipal } from "@/lib/server/auth/auth";
import { listTenantAccess } from "@/lib/server/tenancy/tenancy";
import { AppHeader } from "@/components/shell/app-header";
import { NoTenant } from "@/components/no-tenant";

/** `/`: to the first tenant's VMs, or an explanation when the user has no tenant yet. */
export default async function HomePage() {
  const principal = await getPrincipal();
  if (!principal) redirect("/signin");
  const tenants = await listTenantAccess(principal);
  if (tenants.length > 0) redirect(`/t/${tenants[0].tenant.name}/vms`);
  return (
    <>
      <AppHeader user={principal} />
      <NoTenant username={principal.username} />
    </>
  );
}
