"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { adminApi, isApiError } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { adminKeys } from "@/lib/client/query-keys";
import { tenantNamePattern } from "@/lib/shared/admin";
import { QuotaFields, fromQuotaDraft, type QuotaDraft } from "./quota-fields";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

const defaultDraft: QuotaDraft = { cpuMillicores: "8", memoryBytes: "32", storageBytes: "200", vmCount: "10", diskCount: "20", loadBalancers: "2" };

/** `/admin/tenants`: every tenant with its quota, and the create form. */
export function AdminTenantsPage() {
  const t = useTranslations("Admin");
  const format = useFormat();
  const errorMessage = useApiErrorMessage();
  const tenants = useQuery({ queryKey: adminKeys.tenants(), queryFn: ({ signal }) => adminApi.listTenants(signal) });
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">{t("tenantsTitle")}</h1>
      <section className={`${panelClass} relative overflow-x-auto`}>
        {tenants.isPending && <div className="p-4"><Spinner /></div>}
        {tenants.isError && <Alert className="m-4">{errorMessage(tenants.error)}</Alert>}
        {tenants.data && (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("tenantsTitle")}</caption>
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-4 py-2">{t("name")}</th>
                <th scope="col" className="px-4 py-2">{t("displayName")}</th>
                <th scope="col" className="px-4 py-2">{t("members")}</th>
                <th scope="col" className="px-4 py-2">{t("quotaSummary")}</th>
              </tr>
            </thead>
            <tbody>
              {tenants.data.map((tenant) => (
                <tr key={tenant.name} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
                  <td className="px-4 py-2 font-mono"><Link className="text-blue-700 hover:underline dark:text-blue-400" href={`/admin/tenants/${tenant.name}`}>{tenant.name}</Link></td>
                  <td className="px-4 py-2">{tenant.displayName}</td>
                  <td className="px-4 py-2">{tenant.memberCount}</td>
                  <td className="px-4 py-2 text-zinc-600 dark:text-zinc-300">
                    {tenant.quota
                      ? t("quotaLine", { cpu: format.quota("cpuMillicores", tenant.quota.cpuMillicores), memory: format.quota("memoryBytes", tenant.quota.memoryBytes), vms: tenant.quota.vmCount })
                      : t("noQuota")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <CreateTenantForm />
    </div>
  );
}

function CreateTenantForm() {
  const t = useTranslations("Admin");
  const errorMessage = useApiErrorMessage();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [quota, setQuota] = useState<QuotaDraft>(defaultDraft);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const mutation = useMutation({
    mutationFn: adminApi.createTenant,
    onSuccess: async (tenant) => {
      await queryClient.invalidateQueries({ queryKey: adminKeys.all });
      router.push(`/admin/tenants/${tenant.name}`);
    },
    onError: (err) => setError({ field: isApiError(err) ? err.field : undefined, message: errorMessage(err) }),
  });
  const nameInvalid = name !== "" && !tenantNamePattern.test(name);
  const parsed = fromQuotaDraft(quota);
  return (
    <section aria-labelledby="create-tenant" className={`${panelClass} p-4 sm:p-6`}>
      <h2 id="create-tenant" className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">{t("createTitle")}</h2>
      <form
        className="mt-4 space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          if (!name || nameInvalid) return setError({ field: "name", message: t("nameRule") });
          if (!displayName.trim()) return setError({ field: "displayName", message: t("displayNameRequired") });
          if ("invalid" in parsed) return setError({ field: `quota.${parsed.invalid}`, message: t("quotaInvalid") });
          mutation.mutate({ name, displayName: displayName.trim(), quota: parsed.amounts });
        }}
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <div>
            <label htmlFor="tenant-name" className={labelClass}>{t("name")}</label>
            <input id="tenant-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={nameInvalid || error?.field === "name" || undefined}
              aria-describedby="tenant-name-hint" className={`${inputClass} mt-1 font-mono`} autoComplete="off" />
            <p id="tenant-name-hint" className={hintClass}>{t("nameRule")}</p>
          </div>
          <div>
            <label htmlFor="tenant-display" className={labelClass}>{t("displayName")}</label>
            <input id="tenant-display" value={displayName} onChange={(e) => setDisplayName(e.target.value)} className={`${inputClass} mt-1`} />
          </div>
        </div>
        <fieldset>
          <legend className="mb-2 text-sm font-semibold text-zinc-800 dark:text-zinc-200">{t("quotaTitle")}</legend>
          <QuotaFields idPrefix="new-quota" value={quota} onChange={setQuota} invalid={"invalid" in parsed ? parsed.invalid : null} />
        </fieldset>
        {error && <p role="alert" className={errorTextClass}>{error.message}</p>}
        <button type="submit" className={buttonClass("primary")} disabled={mutation.isPending}>
          {mutation.isPending && <Spinner />} {t("createButton")}
        </button>
      </form>
    </section>
  );
}
