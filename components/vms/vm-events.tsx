"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { panelClass } from "@/components/ui/styles";
import { fetchVmEvents, vmEventsStreamUrl } from "@/lib/client/api";
import { useLiveList } from "@/lib/client/use-live-list";
import { compareVmEvents, type VmEvent } from "@/lib/shared/vm";
import { vmKeys } from "@/lib/client/query-keys";
import { useFormat } from "@/lib/client/format";
import { useNow } from "./use-now";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/** The most rows the tab keeps (the server's snapshot has at most as many). */
const maxRows = 200;

/**
 * The Events tab of the VM page: events of the VMInstance, its VirtualMachine,
 * VirtualMachineInstance, Service and DataVolumes, newest first, with type, reason, message,
 * count and age; live from the server's watch (`?watch=true`, lib/server/vms/events.ts
 * `vmEventsStream`), with the plain list as the first answer. Warnings stand out.
 */
export function VmEventsPanel({ name }: { name: string }) {
  const t = useTranslations("VmEvents");
  const errorMessage = useApiErrorMessage();
  const tenant = useTenant();
  const format = useFormat();
  const now = useNow(5_000);
  const queryClient = useQueryClient();
  const key = vmKeys.events(tenant.name, name);
  const events = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => fetchVmEvents(tenant.name, name, signal),
    staleTime: Infinity,
  });
  const patch = (f: (old: VmEvent[]) => VmEvent[]) => queryClient.setQueryData<VmEvent[]>(key, (old) => f(old ?? []));
  useLiveList<VmEvent>(vmEventsStreamUrl(tenant.name, name), {
    snapshot: (rows) => patch(() => [...rows].sort(compareVmEvents)),
    upsert: (row) => patch((old) => [row, ...old.filter((e) => e.id !== row.id)].sort(compareVmEvents).slice(0, maxRows)),
    remove: (id) => patch((old) => old.filter((e) => e.id !== id)),
    closed: () => void queryClient.invalidateQueries({ queryKey: key }),
  });

  if (!events.data) {
    return events.error ? <Alert tone="error">{t("loadError", { message: errorMessage(events.error) })}</Alert> : <Skeleton className="h-40" />;
  }
  if (events.data.length === 0) return <p className={`${panelClass} p-6 text-sm`}>{t("empty")}</p>;
  return (
    <ScrollRegion label={t("caption", { name })} className={panelClass}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{t("caption", { name })}</caption>
        <thead className="border-b border-zinc-200 text-xs text-zinc-500 uppercase dark:border-zinc-800 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-4 py-2">{t("colType")}</th>
            <th scope="col" className="px-4 py-2">{t("colReason")}</th>
            <th scope="col" className="px-4 py-2">{t("colObject")}</th>
            <th scope="col" className="px-4 py-2">{t("colMessage")}</th>
            <th scope="col" className="px-4 py-2 text-right">{t("colCount")}</th>
            <th scope="col" className="px-4 py-2">{t("colAge")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {events.data.map((e) => (
            <tr key={e.id}>
              <td className="px-4 py-2">
                <span className={e.type === "Warning" ? "font-medium text-amber-800 dark:text-amber-300" : "text-zinc-700 dark:text-zinc-300"}>
                  {e.type === "Warning" ? t("warning") : t("normal")}
                </span>
              </td>
              <td lang="en" className="px-4 py-2 font-medium">{e.reason}</td>
              <td className="px-4 py-2 text-xs text-zinc-600 dark:text-zinc-400"><span className="block">{e.object.kind}</span><span className="font-mono break-all">{e.object.name}</span></td>
              {/* the cluster writes its events in English: marked so (WCAG 3.1.2) */}
              <td lang="en" className="px-4 py-2 break-words">{e.message}</td>
              <td className="px-4 py-2 text-right tabular-nums">{e.count}</td>
              <td className="px-4 py-2 whitespace-nowrap">
                <time dateTime={e.lastSeen} title={e.lastSeen ? format.dateTime(e.lastSeen) : undefined}>{format.age(e.lastSeen, now)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
