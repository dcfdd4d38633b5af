import { AuditLog } from "@/components/admin/audit-log";

/** `/t/{tenant}/audit`: the tenant's own audit log (tenant admins; the API checks the level). */
export default async function TenantAuditPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  return <AuditLog fixedTenant={tenant} />;
}
