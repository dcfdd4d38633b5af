"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCallback, useId, useMemo, useState } from "react";
import YAML from "yaml";
import { diffLines } from "diff";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass } from "@/components/ui/styles";
import { fetchVmYaml, isApiError, saveVmYaml, type VmYaml } from "@/lib/client/api";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { vmKeys } from "@/lib/client/query-keys";
import { createYamlChecker, hasErrors, serverProblem, type YamlProblem } from "@/lib/client/yaml-check";
import type { VmEditResult } from "@/lib/shared/vm";
import { YamlEditor, type EditorProblem } from "./yaml-editor";
import { CopyButton } from "./yaml-copy";

/** What a 409 `stale` answer carries (lib/server/vms/update.ts `staleError`). */
interface StaleDetails {
  reason: "stale";
  resourceVersion: string;
  spec: Record<string, unknown>;
}

const isStale = (details: unknown): details is StaleDetails =>
  typeof details === "object" && details !== null && (details as { reason?: unknown }).reason === "stale";

/** The `spec` of a VMInstance's YAML text as YAML lines (`{}` when it has none or cannot be read). */
function specYaml(spec: unknown): string {
  return YAML.stringify(spec ?? {}, { lineWidth: 0 });
}

function specOf(text: string): unknown {
  try {
    return (YAML.parse(text) as { spec?: unknown } | null)?.spec;
  } catch {
    return undefined;
  }
}

/**
 * The YAML tab's edit mode (loaded only when the user clicks Edit): a CodeMirror editor of the
 * VMInstance with diagnostics as the user types (syntax, identity, the cluster's schema), the
 * problems listed by field under it, Save (disabled while there are errors) and Cancel.
 *
 * Saving sends the text with the resourceVersion it was opened at. A 422 is shown naming the
 * field and marked in the text; a 409 `stale` opens the conflict view: what changed in the stored
 * spec since the editor was opened (a line diff), Reload (after a confirmation, drops the edits;
 * they stay available to copy), or, when the stored spec is the one the edit started from (only
 * status or metadata moved), saving on the new version.
 *
 * @param opened the YAML as read when Edit was clicked (its resourceVersion is the base of the edit)
 * @param onSaved called after a successful save with what changed
 * @param onCancel called when the user leaves the editor without saving
 */
export function VmYamlEdit({ tenant, name, opened, onSaved, onCancel }: {
  tenant: string;
  name: string;
  opened: VmYaml;
  onSaved: (result: VmEditResult) => void;
  onCancel: () => void;
}) {
  const t = useTranslations("VmYaml");
  const errorMessage = useApiErrorMessage();
  const queryClient = useQueryClient();
  const ids = useId();
  const [base, setBase] = useState({ yaml: opened.instance, resourceVersion: opened.resourceVersion, schema: opened.schema });
  const [text, setText] = useState(opened.instance);
  const check = useMemo(() => createYamlChecker(base.schema, name), [base.schema, name]);
  const [problems, setProblems] = useState<YamlProblem[]>(() => check(opened.instance));
  const [refused, setRefused] = useState<{ problem: YamlProblem; text: string } | null>(null);
  const [lintVersion, setLintVersion] = useState(0);
  const [conflict, setConflict] = useState<StaleDetails | null>(null);
  const [confirm, setConfirm] = useState<"reload" | "discard" | null>(null);
  const [previousText, setPreviousText] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const describe = useCallback((p: YamlProblem) => t(`problem.${p.code}`, { field: p.field, ...p.params }), [t]);

  /** The problems of a text: the checker's, and the server's refusal while the text is the one it refused. */
  const problemsOf = useCallback((value: string) => {
    const found = check(value);
    if (refused && refused.text === value) found.unshift(refused.problem);
    return found;
  }, [check, refused]);

  const lint = useCallback((value: string): EditorProblem[] => {
    const found = problemsOf(value);
    setProblems(found);
    return found.map((p) => ({ from: p.from, to: p.to, severity: p.severity, message: describe(p) }));
  }, [problemsOf, describe]);

  const save = useMutation({
    mutationFn: (v: { yaml: string; resourceVersion: string }) => saveVmYaml(tenant, name, v.yaml, v.resourceVersion),
    onMutate: () => {
      setFailure(null);
      setRefused(null);
    },
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: vmKeys.yaml(tenant, name) });
      void queryClient.invalidateQueries({ queryKey: vmKeys.detail(tenant, name) });
      void queryClient.invalidateQueries({ queryKey: vmKeys.list(tenant) });
      onSaved(result);
    },
    onError: (err, v) => {
      if (isApiError(err, 409) && isStale(err.details)) {
        setConflict(err.details);
      } else if (isApiError(err, 422)) {
        setRefused({ problem: serverProblem(v.yaml, err.field, errorMessage(err), err.details), text: v.yaml });
        setLintVersion((n) => n + 1);
      } else {
        setFailure(errorMessage(err));
      }
    },
  });

  const submit = (resourceVersion = base.resourceVersion) => {
    const now = problemsOf(text);
    setProblems(now);
    if (hasErrors(now)) return;
    save.mutate({ yaml: text, resourceVersion });
  };

  const reload = async () => {
    setConfirm(null);
    const fresh = await queryClient.fetchQuery({ queryKey: vmKeys.yaml(tenant, name), queryFn: ({ signal }) => fetchVmYaml(tenant, name, signal), staleTime: 0 })
      .catch((err: Error) => {
        setFailure(errorMessage(err));
        return null;
      });
    if (!fresh) return;
    if (text !== base.yaml) setPreviousText(text);
    setBase({ yaml: fresh.instance, resourceVersion: fresh.resourceVersion, schema: fresh.schema });
    setText(fresh.instance);
    setConflict(null);
    setRefused(null);
    save.reset();
  };

  const changed = text !== base.yaml;
  const errors = problems.filter((p) => p.severity === "error").length;
  const listId = `${ids}-problems`;
  const hintId = `${ids}-hint`;

  return (
    <div className="space-y-3">
      <p id={hintId} className="text-sm text-zinc-600 dark:text-zinc-400">{t("editHint")}</p>
      {!base.schema && <Alert tone="info">{t("noSchema")}</Alert>}
      {conflict && (
        <ConflictView
          startedFrom={specOf(base.yaml)}
          stored={conflict.spec}
          text={text}
          onReload={() => setConfirm("reload")}
          onSaveOnNew={() => {
            setBase((b) => ({ ...b, resourceVersion: conflict.resourceVersion }));
            setConflict(null);
            submit(conflict.resourceVersion);
          }}
        />
      )}
      {previousText !== null && !conflict && (
        <details className="rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
          <summary className="cursor-pointer font-medium">{t("previousText")}</summary>
          <PreviousText text={previousText} label={t("previousText")} />
        </details>
      )}
      <YamlEditor value={text} onChange={setText} lint={lint} lintVersion={lintVersion}
        label={t("editorLabel", { name })} describedBy={`${hintId} ${listId}`} />
      <div id={listId} aria-live="polite">
        {problems.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("noProblems")}</p>
        ) : (
          <div>
            <h3 className="text-sm font-semibold">{t("problemsTitle", { count: problems.length })}</h3>
            <ul className="mt-1 space-y-1 text-sm">
              {problems.map((p) => (
                <li key={`${p.code}-${p.field}-${p.from}`} className={p.severity === "error" ? "text-red-700 dark:text-red-400" : "text-amber-800 dark:text-amber-300"}>
                  <span className="font-medium">{t(p.severity === "error" ? "error" : "warning")}</span>{" "}
                  <span className="text-zinc-600 dark:text-zinc-400">{t("lineCol", { line: p.line, column: p.column })}</span>{" "}
                  {describe(p)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      {failure && <Alert tone="error">{t("saveError", { message: failure })}</Alert>}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass("primary")} disabled={!changed || errors > 0 || save.isPending || conflict !== null}
          onClick={() => submit()}>
          {save.isPending && <Spinner />}
          {save.isPending ? t("saving") : t("save")}
        </button>
        <button type="button" className={buttonClass("secondary")} disabled={save.isPending}
          onClick={() => (changed ? setConfirm("discard") : onCancel())}>
          {t("cancel")}
        </button>
      </div>
      {confirm === "reload" && (
        <Dialog open onClose={() => setConfirm(null)} title={t("reloadTitle")} description={t("reloadBody")} initialFocus="[data-autofocus]">
          <div className="flex justify-end gap-2">
            <button type="button" className={buttonClass("secondary")} onClick={() => setConfirm(null)} data-autofocus>{t("keepEditing")}</button>
            <button type="button" className={buttonClass("danger")} onClick={() => void reload()}>{t("reload")}</button>
          </div>
        </Dialog>
      )}
      {confirm === "discard" && (
        <Dialog open onClose={() => setConfirm(null)} title={t("discardTitle")} description={t("discardBody")} initialFocus="[data-autofocus]">
          <div className="flex justify-end gap-2">
            <button type="button" className={buttonClass("secondary")} onClick={() => setConfirm(null)} data-autofocus>{t("keepEditing")}</button>
            <button type="button" className={buttonClass("danger")} onClick={onCancel}>{t("discard")}</button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

/** A read-only copy of the user's text with a Copy button. */
function PreviousText({ text, label }: { text: string; label: string }) {
  return (
    <div className="mt-2 space-y-2">
      <textarea readOnly value={text} aria-label={label} rows={Math.min(16, text.split("\n").length + 1)}
        className="block w-full rounded-md border border-zinc-300 bg-zinc-50 p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950" />
      <CopyButton text={text} />
    </div>
  );
}

/**
 * The conflict view: the line diff between the spec the edit started from and the stored one,
 * Reload, and the user's text to copy.
 */
function ConflictView({ startedFrom, stored, text, onReload, onSaveOnNew }: {
  startedFrom: unknown;
  stored: unknown;
  text: string;
  onReload: () => void;
  onSaveOnNew: () => void;
}) {
  const t = useTranslations("VmYaml");
  const ids = useId();
  const parts = useMemo(() => diffLines(specYaml(startedFrom), specYaml(stored)), [startedFrom, stored]);
  const same = parts.every((p) => !p.added && !p.removed);
  return (
    <section aria-labelledby={`${ids}-title`} className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-900/70 dark:bg-amber-950/40 dark:text-amber-100">
      <h3 id={`${ids}-title`} role="alert" className="font-semibold">{t("conflictTitle")}</h3>
      {same ? (
        <p>{t("conflictSameSpec")}</p>
      ) : (
        <>
          <p id={`${ids}-legend`}>{t("conflictDiff")}</p>
          <pre aria-label={t("conflictDiffLabel")} aria-describedby={`${ids}-legend`}
            className="max-h-80 overflow-auto rounded border border-amber-200 bg-white p-2 font-mono text-xs text-zinc-900 dark:border-amber-900/60 dark:bg-zinc-950 dark:text-zinc-100">
            {parts.flatMap((part, i) => part.value.replace(/\n$/, "").split("\n").map((line, j) => (
              <span key={`${i}-${j}`} className={`block ${part.added ? "bg-green-100 text-green-900 dark:bg-green-950/60 dark:text-green-200"
                : part.removed ? "bg-red-100 text-red-900 dark:bg-red-950/60 dark:text-red-200" : ""}`}>
                <span aria-hidden="true">{part.added ? "+ " : part.removed ? "− " : "  "}</span>
                {part.added ? <span className="sr-only">{t("added")} </span> : part.removed ? <span className="sr-only">{t("removed")} </span> : null}
                {line}
              </span>
            )))}
          </pre>
        </>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass("primary", "sm")} onClick={onReload}>{t("reload")}</button>
        {same && <button type="button" className={buttonClass("secondary", "sm")} onClick={onSaveOnNew}>{t("saveOnNew")}</button>}
      </div>
      <details>
        <summary className="cursor-pointer font-medium">{t("yourText")}</summary>
        <PreviousText text={text} label={t("yourText")} />
      </details>
    </section>
  );
}
