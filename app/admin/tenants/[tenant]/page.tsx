import { AdminTenantDetail } from "@/components/admin/tenant-detail";

/** `/admin/tenants/{tenant}`: display name, quota, members, deletion. */
export default async function TenantAdminPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  return <AdminTenantDetail name={tenant} />;
}
