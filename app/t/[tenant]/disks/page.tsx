import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DiskList } from "@/components/disks/disk-list";
import { getPrincipal } from "@/lib/server/auth/auth";
import { listDisks } from "@/lib/server/disks/disks";
import { can } from "@/lib/shared/permissions";
import { getTenantAccess } from "@/lib/server/tenancy/tenancy";
import type { DiskSummary } from "@/lib/shared/disk";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Disks");
  return { title: t("title") };
}

/**
 * The rows of the list, read on the server with the same checks as `GET /api/tenants/{tenant}/disks`
 * (membership, `disk.read`, the cluster's SubjectAccessReviews), so the first screen comes with the
 * page; undefined when they cannot be read (the page then asks the API, which explains why).
 */
async function initialRows(tenant: string): Promise<DiskSummary[] | undefined> {
  const principal = await getPrincipal();
  const access = principal && (await getTenantAccess(principal, tenant));
  if (!access || !can(access.role, "disk.read")) return undefined;
  try {
    return await listDisks(access);
  } catch {
    return undefined;
  }
}

/**
 * `/t/{tenant}/disks`: the live disk list (the tenant comes from the layout's context), its rows
 * rendered on the server, then kept live by the stream.
 */
export default async function DisksPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  return <DiskList initial={await initialRows(tenant)} />;
}
