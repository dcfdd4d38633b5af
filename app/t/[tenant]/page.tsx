import { redirect } from "next/navigation";

/** `/t/{tenant}`: the VM list is the tenant's home. */
export default async function TenantHome({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  redirect(`/t/${tenant}/vms`);
}
