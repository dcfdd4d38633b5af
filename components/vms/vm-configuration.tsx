"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { editVm, isApiError, type ApiError } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { vmKeys } from "@/lib/client/query-keys";
import { groupInstanceTypes } from "@/lib/shared/instance-types";
import type { TenantRole } from "@/lib/shared/permissions";
import { parseQuantity, quantityPattern } from "@/lib/shared/quantity";
import { runStrategies, type Catalogue, type EditVmInput, type VmEditResult, type VmEditableSpec } from "@/lib/shared/vm";
import type { VmDetail } from "@/lib/shared/disk";
import { checkCloudInitText, checkSshKeys, parsePorts, parseSshKeys, type Problem } from "./create-vm-validation";
import { useSeriesName } from "./use-series-name";
import { useCatalogue, usePowerVm } from "./use-vms";

/** The fields of the edit form, as text where the user types. */
interface Draft {
  sizing: "type" | "custom";
  instanceType: string;
  cores: string;
  sockets: string;
  memory: string;
  instanceProfile: string;
  runStrategy: string;
  external: boolean;
  externalMethod: "PortList" | "WholeIP";
  ports: string;
  sshKeys: string;
  cloudInit: string;
}

/** The form's starting values from the stored spec. */
export function draftOf(spec: VmEditableSpec): Draft {
  return {
    sizing: spec.instanceType ? "type" : "custom",
    instanceType: spec.instanceType,
    cores: String(spec.resources?.cpu ?? 1),
    sockets: String(spec.resources?.sockets ?? 1),
    memory: spec.resources?.memory ?? "2Gi",
    instanceProfile: spec.instanceProfile,
    runStrategy: spec.runStrategy,
    external: spec.external,
    externalMethod: spec.externalMethod,
    ports: spec.externalPorts.join(", "),
    sshKeys: spec.sshKeys.join("\n"),
    cloudInit: spec.cloudInit,
  };
}

type FieldId = "instanceType" | "cores" | "sockets" | "memory" | "instanceProfile" | "runStrategy" | "ports" | "sshKeys" | "cloudInit";

/** The form field of a server error path (`externalPorts.1` → ports, `resources.cpu` → cores). */
function fieldOf(path: string | undefined): FieldId | null {
  if (!path) return null;
  if (path === "resources.cpu") return "cores";
  if (path === "resources.sockets") return "sockets";
  if (path.startsWith("resources")) return "memory";
  if (path.startsWith("externalPorts") || path === "externalMethod") return "ports";
  if (path.startsWith("sshKeys")) return "sshKeys";
  if (path.startsWith("cloudInit")) return "cloudInit";
  if (path === "instanceType" || path === "instanceProfile" || path === "runStrategy") return path;
  return null;
}

const wholeIn = (text: string, min: number, max: number) => /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max;

/**
 * The change a draft makes to the stored spec: only the fields that differ (so the audit row and
 * the answer name just those), or the first problem of a field.
 */
export function changeOf(spec: VmEditableSpec, d: Draft): { change: Omit<EditVmInput, "resourceVersion">; problems: Partial<Record<FieldId, Problem>> } {
  const problems: Partial<Record<FieldId, Problem>> = {};
  const change: Omit<EditVmInput, "resourceVersion"> = {};
  if (d.sizing === "type") {
    if (!d.instanceType) problems.instanceType = { key: "typeRequired" };
    else if (d.instanceType !== spec.instanceType) change.instanceType = d.instanceType;
  } else {
    if (!wholeIn(d.cores, 1, 64)) problems.cores = { key: "wholeBetween", values: { min: 1, max: 64 } };
    if (!wholeIn(d.sockets, 1, 16)) problems.sockets = { key: "wholeBetween", values: { min: 1, max: 16 } };
    if (!quantityPattern.test(d.memory.trim()) || parseQuantity(d.memory.trim()) < 128 * 1024 * 1024) problems.memory = { key: "memoryInvalid" };
    const resources = { cpu: Number(d.cores), sockets: Number(d.sockets), memory: d.memory.trim() };
    const same = spec.resources && !spec.instanceType && spec.resources.cpu === resources.cpu && spec.resources.sockets === resources.sockets
      && spec.resources.memory === resources.memory;
    if (!same) Object.assign(change, { instanceType: "", resources });
  }
  if (d.instanceProfile !== spec.instanceProfile) change.instanceProfile = d.instanceProfile;
  if (d.runStrategy !== spec.runStrategy) change.runStrategy = d.runStrategy as EditVmInput["runStrategy"];
  if (d.external !== spec.external) change.external = d.external;
  if (d.external) {
    if (d.externalMethod !== spec.externalMethod) change.externalMethod = d.externalMethod;
    if (d.externalMethod === "PortList") {
      const parsed = parsePorts(d.ports);
      if (parsed.problem) problems.ports = parsed.problem;
      else if (parsed.ports.join(",") !== spec.externalPorts.join(",")) change.externalPorts = parsed.ports;
    }
  }
  const sshProblem = checkSshKeys(d.sshKeys);
  if (sshProblem) problems.sshKeys = sshProblem;
  else {
    const keys = parseSshKeys(d.sshKeys).keys;
    if (keys.join("\n") !== spec.sshKeys.join("\n")) change.sshKeys = keys;
  }
  const cloudInitProblem = checkCloudInitText(d.cloudInit);
  if (cloudInitProblem) problems.cloudInit = cloudInitProblem;
  else if (d.cloudInit !== spec.cloudInit) change.cloudInit = d.cloudInit;
  return { change, problems };
}

/**
 * The Configuration tab of the VM page: the edit form (instance type or a custom size, OS profile,
 * run strategy, external access, SSH keys, cloud-init). Only changed fields are sent, with the
 * resourceVersion the form started from; a running VM whose size changed says "restart required"
 * and offers Restart. A viewer sees the values read-only.
 */
export function VmConfigurationPanel({ detail }: { detail: VmDetail }) {
  const tenant = useTenant();
  const t = useTranslations("VmConfiguration");
  const errorMessage = useApiErrorMessage();
  const catalogue = useCatalogue(tenant.name);
  const canEdit = tenant.can("vm.update");
  if (!catalogue.data) {
    return catalogue.error ? <Alert tone="error">{errorMessage(catalogue.error)}</Alert> : <p className="text-sm" role="status">{t("loading")}</p>;
  }
  return <ConfigurationForm key={detail.vm.name} detail={detail} catalogue={catalogue.data} canEdit={canEdit} role={tenant.role} />;
}

function ConfigurationForm({ detail, catalogue, canEdit, role }: { detail: VmDetail; catalogue: Catalogue; canEdit: boolean; role: TenantRole }) {
  const tenant = useTenant();
  const t = useTranslations("VmConfiguration");
  const tCreate = useTranslations("CreateVm");
  const tRole = useTranslations("Roles");
  const format = useFormat();
  const seriesName = useSeriesName();
  const errorMessage = useApiErrorMessage();
  const queryClient = useQueryClient();
  const ids = useId();
  const id = (f: string) => `${ids}-${f}`;
  // The form edits a copy of the spec as it was when the form started (or was reset).
  const [base, setBase] = useState(() => ({ spec: detail.spec, resourceVersion: detail.vm.resourceVersion }));
  const [draft, setDraft] = useState(() => draftOf(detail.spec));
  const [submitted, setSubmitted] = useState(false);
  const [result, setResult] = useState<VmEditResult | null>(null);
  const power = usePowerVm(tenant.name);
  const mutation = useMutation({
    mutationFn: (change: EditVmInput) => editVm(tenant.name, detail.vm.name, change),
    onSuccess: (answer) => {
      setResult(answer);
      setSubmitted(false);
      void queryClient.invalidateQueries({ queryKey: vmKeys.detail(tenant.name, detail.vm.name) });
      void queryClient.invalidateQueries({ queryKey: vmKeys.list(tenant.name) });
    },
  });
  const { change, problems } = changeOf(base.spec, draft);
  const dirty = Object.keys(change).length > 0;
  const serverError = mutation.error as ApiError | null;
  const stale = isApiError(serverError, 409) && (serverError.details as { reason?: string } | undefined)?.reason === "stale";
  const serverField = serverError && !stale ? fieldOf(serverError.field) : null;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setResult(null);
    if (mutation.error) mutation.reset();
  };
  const reload = () => {
    setBase({ spec: detail.spec, resourceVersion: detail.vm.resourceVersion });
    setDraft(draftOf(detail.spec));
    setSubmitted(false);
    mutation.reset();
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0 || !dirty) return;
    mutation.mutate({ ...change, resourceVersion: base.resourceVersion }, {
      onSuccess: (answer) => setBase({ spec: specAfter(base.spec, change), resourceVersion: answer.resourceVersion }),
    });
  };
  const problemText = (p: Problem) => (p.key === "typeRequired" || p.key === "wholeBetween" || p.key === "memoryInvalid"
    ? t(`errors.${p.key}` as "errors.wholeBetween", p.values as { min: number; max: number })
    : tCreate(`errors.${p.key}` as "errors.raw", p.values as { message: string }));
  const errorOf = (f: FieldId): string | null => {
    // next to its field, a field problem is said without the field's path
    if (serverField === f) return errorMessage(serverError, { withoutField: true });
    const p = problems[f];
    return p && submitted ? problemText(p) : null;
  };
  const fieldError = (f: FieldId) => {
    const message = errorOf(f);
    return message ? <p id={id(`${f}-error`)} className={errorTextClass}>{message}</p> : null;
  };
  const describedBy = (f: FieldId, hint = false) => [hint ? id(`${f}-hint`) : "", errorOf(f) ? id(`${f}-error`) : ""].filter(Boolean).join(" ") || undefined;
  const chosenType = catalogue.instanceTypes.find((x) => x.name === draft.instanceType);
  const customCpu = wholeIn(draft.cores, 1, 64) && wholeIn(draft.sockets, 1, 16) ? Number(draft.cores) * Number(draft.sockets) : null;
  const running = ["Running", "Paused", "Starting"].includes(detail.vm.powerState);

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-labelledby={id("title")}>
      <h2 id={id("title")} className="sr-only">{t("title")}</h2>
      {!canEdit && <Alert tone="info">{t("readOnly", { role: tRole(role) })}</Alert>}
      {result && (
        <Alert tone={result.restartRequired ? "warning" : "info"} title={result.changed.length ? t("saved") : t("nothingChanged")}>
          {result.changed.length > 0 && (
            <ul className="list-disc pl-5 font-mono text-xs">{result.changed.map((line) => <li key={line}>{line}</li>)}</ul>
          )}
          {result.restartRequired && (
            <div className="mt-2 flex flex-wrap items-center gap-3">
              <span>{t("restartRequired")}</span>
              {tenant.can("vm.power") && (
                <button type="button" className={buttonClass("secondary", "sm")} disabled={power.isPending}
                  onClick={() => power.mutate({ name: detail.vm.name, action: "restart" }, { onSuccess: () => setResult({ ...result, restartRequired: false }) })}>
                  {power.isPending && <Spinner />}
                  {t("restartNow")}
                </button>
              )}
            </div>
          )}
        </Alert>
      )}
      {stale && (
        <Alert tone="warning" title={t("staleTitle")}>
          <p>{t("staleBody")}</p>
          <button type="button" className={`${buttonClass("secondary", "sm")} mt-2`} onClick={reload}>{t("reload")}</button>
        </Alert>
      )}
      {serverError && !stale && !serverField && <Alert tone="error">{errorMessage(serverError)}</Alert>}

      <fieldset disabled={!canEdit || mutation.isPending} className="space-y-6">
        <Section title={t("sizeTitle")} hint={running ? t("sizeRunningHint") : undefined}>
          <div role="radiogroup" aria-label={t("sizing")} className="flex flex-wrap gap-4 text-sm">
            <label className="inline-flex items-center gap-2">
              <input type="radio" name={id("sizing")} checked={draft.sizing === "type"} onChange={() => set("sizing", "type")} />
              {t("sizingType")}
            </label>
            <label className="inline-flex items-center gap-2">
              <input type="radio" name={id("sizing")} checked={draft.sizing === "custom"} onChange={() => set("sizing", "custom")} />
              {t("sizingCustom")}
            </label>
          </div>
          {draft.sizing === "type" ? (
            <div>
              <label htmlFor={id("instanceType")} className={labelClass}>{t("instanceType")}</label>
              <select id={id("instanceType")} className={`${inputClass} mt-1 max-w-md`} value={draft.instanceType}
                onChange={(e) => set("instanceType", e.target.value)} aria-invalid={Boolean(errorOf("instanceType"))} aria-describedby={describedBy("instanceType")}>
                {!chosenType && <option value="">{t("chooseType")}</option>}
                {groupInstanceTypes(catalogue.instanceTypes).map((g) => (
                  <optgroup key={g.series} label={seriesName(g.series, g.displayName)}>
                    {g.types.map((x) => <option key={x.name} value={x.name}>{t("typeOption", { name: x.name, cpu: x.cpu, memory: format.bytes(x.memoryBytes) })}</option>)}
                  </optgroup>
                ))}
              </select>
              {fieldError("instanceType")}
            </div>
          ) : (
            <div className="grid max-w-xl grid-cols-1 gap-4 sm:grid-cols-3">
              {(["cores", "sockets", "memory"] as const).map((f) => (
                <div key={f}>
                  <label htmlFor={id(f)} className={labelClass}>{t(f)}</label>
                  <input id={id(f)} className={`${inputClass} mt-1`} value={draft[f]} inputMode={f === "memory" ? "text" : "numeric"}
                    onChange={(e) => set(f, e.target.value)} aria-invalid={Boolean(errorOf(f))} aria-describedby={describedBy(f)} />
                  {fieldError(f)}
                </div>
              ))}
              <p className={`${hintClass} sm:col-span-3`}>{customCpu ? t("customTotal", { cpu: customCpu }) : t("customHint")}</p>
            </div>
          )}
          <div>
            <label htmlFor={id("instanceProfile")} className={labelClass}>{t("profile")}</label>
            <select id={id("instanceProfile")} className={`${inputClass} mt-1 max-w-md`} value={draft.instanceProfile}
              onChange={(e) => set("instanceProfile", e.target.value)} aria-invalid={Boolean(errorOf("instanceProfile"))} aria-describedby={describedBy("instanceProfile")}>
              {catalogue.preferences.map((p) => <option key={p.name} value={p.name}>{p.displayName}</option>)}
            </select>
            {fieldError("instanceProfile")}
          </div>
        </Section>

        <Section title={t("runStrategy")}>
          <div>
            <label htmlFor={id("runStrategy")} className="sr-only">{t("runStrategy")}</label>
            <select id={id("runStrategy")} className={`${inputClass} max-w-md`} value={draft.runStrategy}
              onChange={(e) => set("runStrategy", e.target.value)} aria-describedby={describedBy("runStrategy", true)}>
              {runStrategies.map((s) => <option key={s} value={s}>{tCreate(`runStrategies.${s}.label`)}</option>)}
            </select>
            <p id={id("runStrategy-hint")} className={hintClass}>
              {(runStrategies as readonly string[]).includes(draft.runStrategy) ? tCreate(`runStrategies.${draft.runStrategy as "Always"}.help`) : null}
            </p>
            {fieldError("runStrategy")}
          </div>
        </Section>

        <Section title={t("externalTitle")}>
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" checked={draft.external} onChange={(e) => set("external", e.target.checked)} />
            {t("external")}
          </label>
          {draft.external && (
            <>
              <div role="radiogroup" aria-label={t("externalMethod")} className="flex flex-wrap gap-4 text-sm">
                <label className="inline-flex items-center gap-2">
                  <input type="radio" name={id("method")} checked={draft.externalMethod === "PortList"} onChange={() => set("externalMethod", "PortList")} />
                  {t("portList")}
                </label>
                <label className="inline-flex items-center gap-2">
                  <input type="radio" name={id("method")} checked={draft.externalMethod === "WholeIP"} onChange={() => set("externalMethod", "WholeIP")} />
                  {t("wholeIp")}
                </label>
              </div>
              {draft.externalMethod === "PortList" && (
                <div>
                  <label htmlFor={id("ports")} className={labelClass}>{t("ports")}</label>
                  <input id={id("ports")} className={`${inputClass} mt-1 max-w-md`} value={draft.ports} onChange={(e) => set("ports", e.target.value)}
                    aria-invalid={Boolean(errorOf("ports"))} aria-describedby={describedBy("ports", true)} />
                  <p id={id("ports-hint")} className={hintClass}>{t("portsHint")}</p>
                  {fieldError("ports")}
                </div>
              )}
              {!base.spec.external && <p className={hintClass}>{t("loadBalancerQuota")}</p>}
            </>
          )}
        </Section>

        <Section title={t("accessTitle")}>
          <div>
            <label htmlFor={id("sshKeys")} className={labelClass}>{t("sshKeys")}</label>
            <textarea id={id("sshKeys")} rows={3} spellCheck={false} className={`${inputClass} mt-1 font-mono text-xs`} value={draft.sshKeys}
              onChange={(e) => set("sshKeys", e.target.value)} aria-invalid={Boolean(errorOf("sshKeys"))} aria-describedby={describedBy("sshKeys", true)} />
            <p id={id("sshKeys-hint")} className={hintClass}>{t("sshKeysHint")}</p>
            {fieldError("sshKeys")}
          </div>
          <div>
            <label htmlFor={id("cloudInit")} className={labelClass}>{t("cloudInit")}</label>
            <textarea id={id("cloudInit")} rows={6} spellCheck={false} className={`${inputClass} mt-1 font-mono text-xs`} value={draft.cloudInit}
              onChange={(e) => set("cloudInit", e.target.value)} aria-invalid={Boolean(errorOf("cloudInit"))} aria-describedby={describedBy("cloudInit", true)} />
            <p id={id("cloudInit-hint")} className={hintClass}>{t("cloudInitHint")}</p>
            {fieldError("cloudInit")}
          </div>
        </Section>

        {canEdit && (
          <div className="flex flex-wrap items-center gap-3">
            <button type="submit" className={buttonClass("primary")} disabled={!dirty || mutation.isPending}>
              {mutation.isPending && <Spinner />}
              {t("save")}
            </button>
            <button type="button" className={buttonClass("secondary")} disabled={!dirty || mutation.isPending} onClick={reload}>{t("reset")}</button>
            {!dirty && <span className={hintClass}>{t("noChanges")}</span>}
          </div>
        )}
      </fieldset>
    </form>
  );
}

/** The stored spec after a successful change (what the form compares against next). */
function specAfter(spec: VmEditableSpec, change: Omit<EditVmInput, "resourceVersion">): VmEditableSpec {
  const next: VmEditableSpec = { ...spec };
  for (const [k, v] of Object.entries(change)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  if (next.instanceType) delete next.resources;
  return next;
}

function Section({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  return (
    <section className={`${panelClass} space-y-4 p-5`}>
      <div>
        <h3 className="text-base font-semibold">{title}</h3>
        {hint && <p className={hintClass}>{hint}</p>}
      </div>
      {children}
    </section>
  );
}
