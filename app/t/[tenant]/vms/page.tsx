import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { VmList } from "@/components/vms/vm-list";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("VmList");
  return { title: t("title") };
}

/** `/t/{tenant}/vms`: the live VM list (the tenant comes from the layout's context). */
export default function VmsPage() {
  return <VmList />;
}
