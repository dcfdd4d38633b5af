import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { CreateDiskForm } from "@/components/disks/create-disk-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("CreateDisk");
  return { title: t("title") };
}

/** `/t/{tenant}/disks/new`: the create-disk form, with browser upload. */
export default function NewDiskPage() {
  return <CreateDiskForm />;
}
