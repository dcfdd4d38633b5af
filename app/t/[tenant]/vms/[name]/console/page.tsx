import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Suspense } from "react";
import { ConsoleWorkspace } from "@/components/console/console-workspace";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const t = await getTranslations("Console");
  return { title: `${t("title")} ${(await params).name}` };
}

/** `/t/{tenant}/vms/{name}/console[?tab=vnc]`: a VM's serial console and VNC screen. */
export default async function ConsolePage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return (
    <Suspense>
      <ConsoleWorkspace name={name} />
    </Suspense>
  );
}
