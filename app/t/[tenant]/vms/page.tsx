import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { VmList } from "@/components/vms/vm-list";
import { QuotaBars } from "@/components/quota/quota-bars";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("VmList");
  return { title: t("title") };
}

/** `/t/{tenant}/vms`, the tenant's home: quota usage bars and the live VM list (tenant from the layout's context). */
export default function VmsPage() {
  return (
    <>
      <QuotaBars />
      <VmList />
    </>
  );
}
