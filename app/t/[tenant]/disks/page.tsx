import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DiskList } from "@/components/disks/disk-list";
import { listDisks } from "@/lib/server/disks/disks";
import { readForTenantPage } from "@/lib/server/tenancy/page-data";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Disks");
  return { title: t("title") };
}

/**
 * `/t/{tenant}/disks`: the live disk list (the tenant comes from the layout's context), its rows
 * rendered on the server, then kept live by the stream.
 */
export default async function DisksPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  return <DiskList initial={await readForTenantPage(tenant, "disk.read", listDisks)} />;
}
