import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { TenantBackups } from "@/components/backups/tenant-backups";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Backups");
  return { title: t("title") };
}

/**
 * `/t/{tenant}/backups`: the tenant's backups, jobs and backup plans (the tenant comes from the
 * layout's context; the data is read and kept live on the client).
 */
export default function BackupsPage() {
  return <TenantBackups />;
}
