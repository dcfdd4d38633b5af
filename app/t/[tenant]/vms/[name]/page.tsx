import type { Metadata } from "next";
import { Suspense } from "react";
import { VmDetailView } from "@/components/vms/vm-detail";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: (await params).name };
}

/** `/t/{tenant}/vms/{name}`: a VM with its Overview, Disks and Events tabs. */
export default async function VmPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  // the view reads ?tab= (useSearchParams), which needs a Suspense boundary
  return (
    <Suspense>
      <VmDetailView name={name} />
    </Suspense>
  );
}
