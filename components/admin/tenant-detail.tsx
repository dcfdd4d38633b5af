"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, compactSelectClass, errorTextClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { QuotaUsageList } from "@/components/quota/quota-bars";
import { adminApi, isApiError } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { adminKeys } from "@/lib/client/query-keys";
import { tenantRoles, type TenantRole } from "@/lib/shared/permissions";
import type { QuotaExcess } from "@/lib/shared/quota";
import type { QuotaOverUsageDetails } from "@/lib/shared/admin";
import { MemberChangeDialog, type MemberChange } from "./member-change-dialog";
import { QuotaFields, fromQuotaDraft, toQuotaDraft, type QuotaDraft } from "./quota-fields";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/** `/admin/tenants/{tenant}`: display name, quota (with usage), local members, deletion. */
export function AdminTenantDetail({ name }: { name: string }) {
  const t = useTranslations("Admin");
  const tenants = useQuery({ queryKey: adminKeys.tenants(), queryFn: ({ signal }) => adminApi.listTenants(signal) });
  const tenant = tenants.data?.find((x) => x.name === name);
  if (tenants.isPending) return <Spinner />;
  if (!tenant) return <Alert>{t("tenantNotFound", { name })}</Alert>;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight break-words text-zinc-900 dark:text-zinc-50">{tenant.displayName}</h1>
        <p className="mt-1 font-mono text-sm break-all text-zinc-500 dark:text-zinc-400">{t("namespaceLine", { name: tenant.name, namespace: tenant.namespace })}</p>
      </div>
      <DisplayNameForm name={name} current={tenant.displayName} />
      <QuotaSection name={name} />
      <MembersSection name={name} />
      <DeleteSection name={name} />
    </div>
  );
}

function DisplayNameForm({ name, current }: { name: string; current: string }) {
  const t = useTranslations("Admin");
  const errorMessage = useApiErrorMessage();
  const queryClient = useQueryClient();
  const [value, setValue] = useState(current);
  const mutation = useMutation({
    mutationFn: () => adminApi.updateTenant(name, value.trim()),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.tenants() }),
  });
  return (
    <section aria-labelledby="display-title" className={`${panelClass} p-4 sm:p-6`}>
      <h2 id="display-title" className="text-lg font-semibold">{t("displayName")}</h2>
      <form className="mt-3 flex flex-wrap items-end gap-3" onSubmit={(e) => { e.preventDefault(); mutation.mutate(); }}>
        <div className="min-w-0 grow basis-48">
          <label htmlFor="display-name" className="sr-only">{t("displayName")}</label>
          <input id="display-name" value={value} onChange={(e) => setValue(e.target.value)} className={inputClass} />
        </div>
        <button type="submit" className={buttonClass("secondary")} disabled={mutation.isPending || !value.trim()}>{t("rename")}</button>
      </form>
      {mutation.isError && <p role="alert" className={errorTextClass}>{errorMessage(mutation.error)}</p>}
      {mutation.isSuccess && <p role="status" className="mt-2 text-sm text-green-700 dark:text-green-400">{t("saved")}</p>}
    </section>
  );
}

function QuotaSection({ name }: { name: string }) {
  const t = useTranslations("Admin");
  const errorMessage = useApiErrorMessage();
  const tQuota = useTranslations("Quota");
  const format = useFormat();
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: adminKeys.quota(name), queryFn: ({ signal }) => adminApi.getQuota(name, signal) });
  const [draft, setDraft] = useState<QuotaDraft | null>(null);
  const [over, setOver] = useState<QuotaExcess[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Until the admin edits a field, the form shows the saved limits.
  const shown = draft ?? (status.data?.limits ? toQuotaDraft(status.data.limits) : null);
  const mutation = useMutation({
    mutationFn: (confirmOverUsage: boolean) => {
      const parsed = fromQuotaDraft(shown!);
      if ("invalid" in parsed) throw new Error(t("quotaInvalid"));
      return adminApi.updateQuota(name, { ...parsed.amounts, confirmOverUsage });
    },
    onSuccess: async () => {
      setOver(null);
      setError(null);
      await queryClient.invalidateQueries({ queryKey: adminKeys.all });
    },
    onError: (err) => {
      if (isApiError(err, 409) && (err.details as QuotaOverUsageDetails | undefined)?.over) {
        setOver((err.details as QuotaOverUsageDetails).over);
      } else {
        setError(errorMessage(err));
      }
    },
  });
  return (
    <section aria-labelledby="quota-title" className={`${panelClass} p-4 sm:p-6`}>
      <h2 id="quota-title" className="text-lg font-semibold">{t("quotaTitle")}</h2>
      {status.isError && <Alert className="mt-3">{errorMessage(status.error)}</Alert>}
      {status.data?.limits && <div className="mt-4"><QuotaUsageList limits={status.data.limits} usage={status.data.usage} /></div>}
      {shown && (
        <form className="mt-6 space-y-4" onSubmit={(e) => { e.preventDefault(); setError(null); mutation.mutate(false); }}>
          <QuotaFields idPrefix="edit-quota" value={shown} onChange={setDraft} />
          {error && <p role="alert" className={errorTextClass}>{error}</p>}
          {mutation.isSuccess && <p role="status" className="text-sm text-green-700 dark:text-green-400">{t("saved")}</p>}
          <button type="submit" className={buttonClass("primary")} disabled={mutation.isPending}>{t("saveQuota")}</button>
        </form>
      )}
      <Dialog open={over !== null} onClose={() => setOver(null)} title={t("overTitle")} description={t("overBody")}>
        <ul className="list-disc space-y-1 pl-5 text-sm">
          {over?.map((o) => (
            <li key={o.resource}>
              {t("overLine", { resource: tQuota(`resources.${o.resource}`), used: format.quota(o.resource, o.used), limit: format.quota(o.resource, o.limit) })}
            </li>
          ))}
        </ul>
        <div className="mt-6 flex justify-end gap-3">
          <button type="button" className={buttonClass("secondary")} onClick={() => setOver(null)}>{t("cancel")}</button>
          <button type="button" className={buttonClass("danger")} onClick={() => mutation.mutate(true)} disabled={mutation.isPending}>{t("saveAnyway")}</button>
        </div>
      </Dialog>
    </section>
  );
}

function MembersSection({ name }: { name: string }) {
  const t = useTranslations("Admin");
  const errorMessage = useApiErrorMessage();
  const tRole = useTranslations("Roles");
  const queryClient = useQueryClient();
  const members = useQuery({ queryKey: adminKeys.members(name), queryFn: ({ signal }) => adminApi.listMembers(name, signal) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
  // A level change or a removal waits in a confirmation dialog (issue 16: they were one click).
  const [pending, setPending] = useState<MemberChange | null>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [level, setLevel] = useState<TenantRole>("view");
  const add = useMutation({
    mutationFn: () => adminApi.addMember(name, { username: username.trim(), level, ...(displayName.trim() ? { displayName: displayName.trim() } : {}), ...(password ? { password } : {}) }),
    onSuccess: async () => {
      setUsername("");
      setDisplayName("");
      setPassword("");
      await refresh();
    },
  });
  return (
    <section aria-labelledby="members-title" className={`${panelClass} p-4 sm:p-6`}>
      <h2 id="members-title" ref={titleRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">{t("membersTitle")}</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("oidcNote", { name })}</p>
      {members.data && (
        // A wide table scrolls inside its own box on narrow screens, not the page.
        <div className="relative mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("membersTitle")}</caption>
            <thead className="text-xs uppercase text-zinc-500 dark:text-zinc-400">
              <tr><th scope="col" className="py-2">{t("username")}</th><th scope="col">{t("displayName")}</th><th scope="col">{t("level")}</th><th scope="col"><span className="sr-only">{t("actions")}</span></th></tr>
            </thead>
            <tbody>
              {members.data.map((m) => (
                <tr key={m.username} className="border-t border-zinc-100 dark:border-zinc-800">
                  <td className="py-2 pr-3 font-mono">{m.username}</td>
                  <td className="pr-3">{m.displayName}</td>
                  <td>
                    <select aria-label={t("levelOf", { username: m.username })} value={m.level} className={compactSelectClass}
                      onChange={(e) => {
                        const to = e.target.value as TenantRole;
                        if (to !== m.level) setPending({ kind: "level", member: m, to });
                      }}>
                      {tenantRoles.map((r) => <option key={r} value={r}>{tRole(r)}</option>)}
                    </select>
                  </td>
                  <td className="text-right">
                    <button type="button" className={buttonClass("ghost", "sm")} onClick={() => setPending({ kind: "remove", member: m })}>{t("removeMember", { username: m.username })}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {members.data?.length === 0 && <p className="mt-3 text-sm text-zinc-500 dark:text-zinc-400">{t("noMembers")}</p>}
      <form className="mt-6 grid gap-3 sm:grid-cols-5 sm:items-end" onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
        <div>
          <label htmlFor="member-username" className={labelClass}>{t("username")}</label>
          <input id="member-username" value={username} onChange={(e) => setUsername(e.target.value)} className={`${inputClass} mt-1`} autoComplete="off" required />
        </div>
        <div>
          <label htmlFor="member-display" className={labelClass}>{t("memberDisplayName")}</label>
          <input id="member-display" value={displayName} onChange={(e) => setDisplayName(e.target.value)} className={`${inputClass} mt-1`} autoComplete="off" />
        </div>
        <div>
          <label htmlFor="member-password" className={labelClass}>{t("newPassword")}</label>
          <input id="member-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} className={`${inputClass} mt-1`} autoComplete="new-password" />
        </div>
        <div>
          <label htmlFor="member-level" className={labelClass}>{t("level")}</label>
          <select id="member-level" value={level} onChange={(e) => setLevel(e.target.value as TenantRole)} className={`${inputClass} mt-1`}>
            {tenantRoles.map((r) => <option key={r} value={r}>{tRole(r)}</option>)}
          </select>
        </div>
        <button type="submit" className={buttonClass("primary")} disabled={add.isPending}>{t("addMember")}</button>
      </form>
      <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">{t("newPasswordHint")}</p>
      {add.isError && <p role="alert" className={errorTextClass}>{errorMessage(add.error)}</p>}
      {pending && (
        <MemberChangeDialog
          tenant={name}
          change={pending}
          onClose={() => setPending(null)}
          onDone={(done) => {
            setPending(null);
            // A removed member's row (the dialog's trigger) is gone: the focus goes to the section.
            if (done.kind === "remove") requestAnimationFrame(() => titleRef.current?.focus());
          }}
        />
      )}
    </section>
  );
}

function DeleteSection({ name }: { name: string }) {
  const t = useTranslations("Admin");
  const errorMessage = useApiErrorMessage();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const mutation = useMutation({
    mutationFn: () => adminApi.deleteTenant(name, typed),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: adminKeys.all });
      router.push("/admin/tenants");
    },
  });
  return (
    <section aria-labelledby="delete-title" className={`${panelClass} border-red-200 p-4 sm:p-6 dark:border-red-900/60`}>
      <h2 id="delete-title" className="text-lg font-semibold">{t("deleteTitle")}</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("deleteBody")}</p>
      <button type="button" className={`${buttonClass("danger")} mt-3`} onClick={() => setOpen(true)}>{t("deleteButton", { name })}</button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t("deleteConfirmTitle", { name })} description={t("deleteConfirmBody", { name })}>
        <label htmlFor="delete-confirm" className={labelClass}>{t("typeName", { name })}</label>
        <input id="delete-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} className={`${inputClass} mt-1 font-mono`} autoComplete="off" />
        {mutation.isError && <p role="alert" className={errorTextClass}>{errorMessage(mutation.error)}</p>}
        <div className="mt-6 flex justify-end gap-3">
          <button type="button" className={buttonClass("secondary")} onClick={() => setOpen(false)}>{t("cancel")}</button>
          <button type="button" className={buttonClass("danger")} disabled={typed !== name || mutation.isPending} onClick={() => mutation.mutate()}>{t("deleteForever")}</button>
        </div>
      </Dialog>
    </section>
  );
}
