import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { VmList } from "@/components/vms/vm-list";
import { QuotaBars } from "@/components/quota/quota-bars";
import { readForTenantPage } from "@/lib/server/tenancy/page-data";
import type { TenantAccess } from "@/lib/server/tenancy/tenancy";
import { listVmsWithVersion } from "@/lib/server/vms/vms";
import type { InitialVmRows } from "@/components/vms/use-vms";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("VmList");
  return { title: t("title") };
}

/** The list's rows and their version, which the page hands to the stream (lib/server/vms/vms.ts). */
async function vmRows(access: TenantAccess): Promise<InitialVmRows> {
  const { rows, version } = await listVmsWithVersion(access);
  return { vms: rows, version };
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
      <VmList initial={await readForTenantPage(tenant, "vm.read", vmRows)} />
    </>
  );
}
