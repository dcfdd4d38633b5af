import { AdminTenantsPage } from "@/components/admin/tenants-page";

/** `/admin/tenants`: every tenant and the create form. */
export default function TenantsPage() {
  return <AdminTenantsPage />;
}
