import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { VmList } from "@/components/vms/vm-list";
import { QuotaBars } from "@/components/quota/quota-bars";
import { getPrincipal } from "@/lib/server/auth/auth";
import { getTenantAccess } from "@/lib/server/tenancy/tenancy";
import { listVmsWithVersion } from "@/lib/server/vms/vms";
import { can } from "@/lib/shared/permissions";
import type { InitialVmRows } from "@/components/vms/use-vms";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("VmList");
  return { title: t("title") };
}

/**
 * The rows of the list, read on the server with the same checks as `GET /api/tenants/{tenant}/vms`
 * (membership, `vm.read`, the cluster's SubjectAccessReview), so the first screen comes with the
 * page; undefined when they cannot be read (the page then asks the API, which explains why).
 */
async function initialRows(tenant: string): Promise<InitialVmRows | undefined> {
  const principal = await getPrincipal();
  const access = principal && (await getTenantAccess(principal, tenant));
  if (!access || !can(access.role, "vm.read")) return undefined;
  try {
    const { rows, version } = await listVmsWithVersion(access);
    return { vms: rows, version };
  } catch {
    return undefined;
  }
}

/**
 * `/t/{tenant}/vms`, the tenant's home: quota usage bars and the live VM list (tenant from the
 * layout's context), its rows rendered on the server, then kept live by the stream.
 */
export default async function VmsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  return (
    <>
      <QuotaBars />
      <VmList initial={await initialRows(tenant)} />
    </>
  );
}
