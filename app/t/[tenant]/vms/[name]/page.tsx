import type { Metadata } from "next";
import { VmDetailView } from "@/components/vms/vm-detail";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: (await params).name };
}

/** `/t/{tenant}/vms/{name}`: a VM, its disks in boot order (attach/detach) and its console link. */
export default async function VmPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <VmDetailView name={name} />;
}
