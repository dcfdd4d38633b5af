import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DiskList } from "@/components/disks/disk-list";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Disks");
  return { title: t("title") };
}

/** `/t/{tenant}/disks`: the live disk list (the tenant comes from the layout's context). */
export default function DisksPage() {
  return <DiskList />;
}
