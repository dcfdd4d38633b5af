import { AuditLog } from "@/components/admin/audit-log";

/** `/admin/audit`: the audit log of every tenant. */
export default function AdminAuditPage() {
  return <AuditLog />;
}
