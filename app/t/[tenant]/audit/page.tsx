import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { AuditLog } from "@/components/admin/audit-log";
import { AuditForbidden } from "@/components/admin/audit-forbidden";
import { getPrincipal } from "@/lib/server/auth/auth";
import { getTenantAccess } from "@/lib/server/tenancy/tenancy";
import { can } from "@/lib/shared/permissions";

/** The tab title: "Audit log", translated. */
export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Audit");
  return { title: t("title") };
}

/**
 * `/t/{tenant}/audit`: the tenant's own audit log for members whose role may read it
 * (`audit.read`); anyone else among the members gets only the explanation of
 * {@link AuditForbidden}, decided here on the server. The API checks the level again.
 */
export default async function TenantAuditPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  // The layout sends signed-out visitors to sign in and answers 404 to non-members.
  const principal = await getPrincipal();
  if (!principal) return null;
  const access = await getTenantAccess(principal, tenant);
  if (!access) notFound();
  if (!can(access.role, "audit.read")) return <AuditForbidden tenant={access.tenant.displayName} role={access.role} />;
  return <AuditLog fixedTenant={access.tenant.name} />;
}
