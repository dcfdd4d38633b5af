import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { CreateVmForm } from "@/components/vms/create-vm-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("CreateVm");
  return { title: t("title") };
}

/** `/t/{tenant}/vms/new`: the create form (the tenant and role come from the layout's context). */
export default function NewVmPage() {
  return <CreateVmForm />;
}
