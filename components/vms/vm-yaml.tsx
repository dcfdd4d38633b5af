"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { buttonClass, panelClass } from "@/components/ui/styles";
import { fetchVmYaml, type VmYaml } from "@/lib/client/api";
import { vmKeys } from "@/lib/client/query-keys";
import type { VmEditResult } from "@/lib/shared/vm";
import { CopyButton, downloadText } from "./yaml-copy";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/** The editor (CodeMirror, the schema checker, the diff) is loaded only when the user clicks Edit. */
const VmYamlEdit = dynamic(() => import("./yaml-edit").then((m) => m.VmYamlEdit), {
  ssr: false,
  loading: () => <Skeleton className="h-64" />,
});

/**
 * The YAML tab of the VM page: the VMInstance as stored (without managedFields) and, on a toggle,
 * the VirtualMachine the platform derived from it (read-only), each with Copy and Download
 * (`<name>.yaml`). Users who may update VMs get Edit: the lazily loaded editor of
 * {@link VmYamlEdit}; after a save, a note lists what changed and whether a restart is needed.
 */
export function VmYamlPanel({ name }: { name: string }) {
  const t = useTranslations("VmYaml");
  const errorMessage = useApiErrorMessage();
  const tenant = useTenant();
  const ids = useId();
  const [shown, setShown] = useState<"instance" | "virtualMachine">("instance");
  const [editing, setEditing] = useState<VmYaml | null>(null);
  const [saved, setSaved] = useState<VmEditResult | null>(null);
  const query = useQuery({
    queryKey: vmKeys.yaml(tenant.name, name),
    queryFn: ({ signal }) => fetchVmYaml(tenant.name, name, signal),
  });

  if (!query.data) {
    return query.error ? <Alert tone="error">{t("loadError", { message: errorMessage(query.error) })}</Alert> : <Skeleton className="h-64" />;
  }
  const data = query.data;
  const canEdit = tenant.can("vm.update");

  if (editing) {
    return (
      <section aria-labelledby={`${ids}-edit`} className={`${panelClass} space-y-3 p-4`}>
        <h2 id={`${ids}-edit`} className="text-base font-semibold">{t("editTitle", { name })}</h2>
        <VmYamlEdit tenant={tenant.name} name={name} opened={editing}
          onSaved={(result) => {
            setSaved(result);
            setEditing(null);
          }}
          onCancel={() => setEditing(null)} />
      </section>
    );
  }

  const text = shown === "instance" ? data.instance : data.virtualMachine;
  const kind = shown === "instance" ? "VMInstance" : "VirtualMachine";
  const objectName = shown === "instance" ? name : `vm-instance-${name}`;

  return (
    <div className="space-y-3">
      {saved && (
        <Alert tone="info" title={saved.changed.length > 0 ? t("saved") : t("savedNothing")}>
          {saved.changed.length > 0 && (
            <ul className="list-disc pl-5 font-mono text-xs">
              {saved.changed.map((line) => <li key={line}>{line}</li>)}
            </ul>
          )}
          {saved.restartRequired && <p className="mt-2 font-medium">{t("restartRequired")}</p>}
        </Alert>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <div role="group" aria-label={t("shownLabel")} className="inline-flex rounded-md shadow-sm">
          {(["instance", "virtualMachine"] as const).map((id, i) => (
            <button key={id} type="button" aria-pressed={shown === id} onClick={() => setShown(id)}
              className={`h-8 border px-3 text-sm font-medium focus-visible:z-10 focus-visible:outline-2 focus-visible:outline-blue-600 ${
                i === 0 ? "rounded-l-md" : "-ml-px rounded-r-md"} ${shown === id
                ? "border-blue-600 bg-blue-600 text-white dark:border-blue-500 dark:bg-blue-600"
                : "border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800"}`}>
              {id === "instance" ? "VMInstance" : "VirtualMachine"}
            </button>
          ))}
        </div>
        {text !== null && (
          <>
            <CopyButton text={text} />
            <button type="button" className={buttonClass("secondary", "sm")} onClick={() => downloadText(`${objectName}.yaml`, text)}>{t("download")}</button>
          </>
        )}
        {canEdit && shown === "instance" && (
          <button type="button" className={buttonClass("primary", "sm")} onClick={() => {
            setSaved(null);
            setEditing(data);
          }}>{t("edit")}</button>
        )}
      </div>
      {shown === "virtualMachine" && <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("virtualMachineNote")}</p>}
      {text === null ? (
        <p className={`${panelClass} p-6 text-sm`}>{t("noVirtualMachine")}</p>
      ) : (
        <pre aria-label={t("yamlOf", { kind, name: objectName })} tabIndex={0}
          className={`${panelClass} max-h-[70vh] overflow-auto p-4 font-mono text-xs leading-5 text-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-100`}>
          {text}
        </pre>
      )}
    </div>
  );
}
