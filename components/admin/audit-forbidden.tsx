import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/ui/alert";
import { permissionTable, type TenantRole } from "@/lib/shared/permissions";

/**
 * What a member whose role cannot read the tenant's audit log sees on `/t/{tenant}/audit` instead
 * of the log (server component): their role and the level the log needs, translated, and nothing
 * else (no filters, downloads or table, which could only fail).
 * @param tenant the tenant's display name
 * @param role the member's level in it
 */
export async function AuditForbidden({ tenant, role }: { tenant: string; role: TenantRole }) {
  const t = await getTranslations("Audit");
  const tRole = await getTranslations("Roles");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">{t("title")}</h1>
      <Alert tone="info" title={t("forbiddenTitle")}>
        {t("forbiddenBody", { tenant, role: tRole(role), needed: tRole(permissionTable["audit.read"]) })}
      </Alert>
    </div>
  );
}
