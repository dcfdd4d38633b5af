"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { auditQuery, fetchAuditPage } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { auditKeys } from "@/lib/client/query-keys";
import { auditResults } from "@/lib/shared/audit";
import { auditActionGroups, auditActionLabelKey, auditTargetKindLabelKey, auditTargetKinds } from "@/lib/shared/audit-actions";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

type Filter = { tenant: string; actor: string; action: string; result: string; from: string; to: string };
const empty: Filter = { tenant: "", actor: "", action: "", result: "", from: "", to: "" };

/** `datetime-local` text (the browser's local time) → ISO 8601, or undefined when empty. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** A tenant's log never holds sign-ins (they are platform rows): its action filter leaves them out. */
const tenantLogKinds = auditTargetKinds.filter((k) => k !== "Session");

/**
 * The audit log: filters (tenant, actor, action, result, time range) applied on submit, a table
 * newest first with "Load more" (keyset pages), and CSV / JSON downloads of the filtered rows.
 * Actions and target kinds show as translated labels with the stored code beside them (a code no
 * longer written shows as it is); the action filter offers the known actions, grouped by target kind.
 * @param fixedTenant for tenant admins: the tenant is fixed and its filter hidden
 */
export function AuditLog({ fixedTenant }: { fixedTenant?: string }) {
  const t = useTranslations("Audit");
  const format = useFormat();
  const errorMessage = useApiErrorMessage();
  const actionLabel = (code: string) => {
    const key = auditActionLabelKey(code);
    return key ? t(key) : code;
  };
  const kindLabel = (kind: string) => {
    const key = auditTargetKindLabelKey(kind);
    return key ? t(key) : kind;
  };
  const [draft, setDraft] = useState<Filter>({ ...empty, tenant: fixedTenant ?? "" });
  const [applied, setApplied] = useState<Filter>(draft);
  const filter = { tenant: applied.tenant, actor: applied.actor, action: applied.action, result: applied.result, from: toIso(applied.from), to: toIso(applied.to) };
  const query = auditQuery(filter);
  const pages = useInfiniteQuery({
    queryKey: auditKeys.page(query),
    queryFn: ({ pageParam, signal }) => fetchAuditPage({ ...filter, limit: "50", cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const field = (key: keyof Filter, label: string, type = "text") => (
    <div>
      <label htmlFor={`audit-${key}`} className={labelClass}>{label}</label>
      <input id={`audit-${key}`} type={type} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} className={`${inputClass} mt-1`} />
    </div>
  );
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">{t("title")}</h1>
      <form className={`${panelClass} grid gap-4 p-4 sm:grid-cols-3 lg:grid-cols-6 lg:items-end`} onSubmit={(e) => { e.preventDefault(); setApplied(draft); }}>
        {!fixedTenant && field("tenant", t("tenant"))}
        {field("actor", t("actor"))}
        <div>
          <label htmlFor="audit-action" className={labelClass}>{t("action")}</label>
          <select id="audit-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} className={`${inputClass} mt-1`}>
            <option value="">{t("anyAction")}</option>
            {auditActionGroups(fixedTenant ? tenantLogKinds : auditTargetKinds).map((g) => (
              <optgroup key={g.kind} label={kindLabel(g.kind)}>
                {g.actions.map((a) => <option key={a} value={a}>{actionLabel(a)}</option>)}
              </optgroup>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-result" className={labelClass}>{t("result")}</label>
          <select id="audit-result" value={draft.result} onChange={(e) => setDraft({ ...draft, result: e.target.value })} className={`${inputClass} mt-1`}>
            <option value="">{t("anyResult")}</option>
            {auditResults.map((r) => <option key={r} value={r}>{t(`results.${r}`)}</option>)}
          </select>
        </div>
        {field("from", t("from"), "datetime-local")}
        {field("to", t("to"), "datetime-local")}
        <div className="flex flex-wrap gap-2 sm:col-span-3 lg:col-span-6">
          <button type="submit" className={buttonClass("primary")}>{t("apply")}</button>
          <a className={buttonClass("secondary")} href={`/api/audit/export?${auditQuery({ ...filter, format: "csv" })}`} download>{t("downloadCsv")}</a>
          <a className={buttonClass("secondary")} href={`/api/audit/export?${auditQuery({ ...filter, format: "json" })}`} download>{t("downloadJson")}</a>
        </div>
      </form>
      {pages.isError && <Alert>{errorMessage(pages.error)}</Alert>}
      {/* A phone scrolls the table sideways in a region reachable by Tab: its rows hold nothing focusable. */}
      <ScrollRegion label={t("title")} className={panelClass}>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{t("title")}</caption>
          <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
            <tr>
              {(["time", "actor", "tenant", "action", "target", "result", "message"] as const).map((c) => <th key={c} scope="col" className="px-3 py-2">{t(`columns.${c}`)}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className="border-b border-zinc-100 align-top last:border-0 dark:border-zinc-800">
                <td className="whitespace-nowrap px-3 py-2 text-zinc-600 dark:text-zinc-400">{format.dateTime(r.createdAt)}</td>
                <td className="px-3 py-2 font-mono break-all">{r.actor}</td>
                <td className="px-3 py-2 font-mono">{r.tenantName}</td>
                <td className="px-3 py-2">
                  {auditActionLabelKey(r.action) ? (
                    <>
                      <span className="block">{actionLabel(r.action)}</span>
                      <span className="block font-mono text-xs text-zinc-500 dark:text-zinc-400">{r.action}</span>
                    </>
                  ) : (
                    <span className="font-mono">{r.action}</span>
                  )}
                </td>
                <td className="px-3 py-2">
                  <span title={r.targetKind}>{kindLabel(r.targetKind)}</span>
                  {r.targetName && <> <span className="font-mono">{r.targetName}</span></>}
                </td>
                <td className="px-3 py-2">
                  <span className={r.result === "success" ? "text-green-700 dark:text-green-400" : r.result === "denied" ? "text-red-700 dark:text-red-400" : "text-amber-700 dark:text-amber-400"}>
                    {t(`results.${r.result}`)}
                  </span>
                </td>
                {/* stored as the server wrote it, in English: marked so (WCAG 3.1.2) */}
                <td lang="en" className="max-w-md px-3 py-2 text-zinc-600 dark:text-zinc-400">{r.errorMessage}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {pages.isPending && <div className="p-4"><Spinner /></div>}
        {pages.isSuccess && rows.length === 0 && <p className="p-4 text-sm text-zinc-500 dark:text-zinc-400">{t("empty")}</p>}
      </ScrollRegion>
      {pages.hasNextPage && (
        <button type="button" className={buttonClass("secondary")} onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          {pages.isFetchingNextPage && <Spinner />} {t("loadMore")}
        </button>
      )}
    </div>
  );
}
