"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { buttonClass, inputClass, panelClass } from "@/components/ui/styles";
import { PowerActions } from "@/components/vms/power-actions";
import { useNow } from "@/components/vms/use-now";
import { useVmList } from "@/components/vms/use-vms";
import { useVmStateLabel, VmStateBadge } from "@/components/vms/vm-state-badge";
import type { ConsoleKind } from "@/lib/client/api";
import { describeDrop, type ConsoleDropReason, type ConsoleState } from "@/lib/client/console-state";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { signInHref } from "@/lib/shared/callback-url";
import { permissionTable } from "@/lib/shared/permissions";
import type { ConsoleAction } from "./console-actions";
import { SerialTerminal } from "./serial-terminal";
import { useConsoleSession } from "./use-console-session";
import { VncScreen } from "./vnc-screen";

const tabs: { kind: ConsoleKind; labelKey: "serial" | "vnc" }[] = [
  { kind: "console", labelKey: "serial" },
  { kind: "vnc", labelKey: "vnc" },
];

/**
 * A VM's console page: Serial and VNC tabs over one state machine per protocol (see
 * lib/client/console-state.ts), a status line saying what happens (connecting, connected,
 * reconnecting with a countdown, VM not running, session in use, taken over, forbidden), the
 * actions of the protocol in view, and the VM's power buttons.
 *
 * A tab connects the first time it is shown and stays connected while the other one is in view,
 * so switching tabs keeps the terminal's scrollback.
 */
export function ConsoleWorkspace({ name }: { name: string }) {
  const tenant = useTenant();
  const t = useTranslations("Console");
  const tRole = useTranslations("Roles");
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const tab: ConsoleKind = searchParams.get("tab") === "vnc" ? "vnc" : "console";
  const [opened, setOpened] = useState<Record<ConsoleKind, boolean>>({ console: tab === "console", vnc: tab === "vnc" });
  const { query } = useVmList(tenant.name);
  const vm = query.data?.find((v) => v.name === name);
  const vmRunning = vm?.powerState === "Running";
  const allowed = tenant.can("vm.console");

  const serial = useConsoleSession(tenant.name, name, "console", allowed && opened.console, vmRunning);
  const vnc = useConsoleSession(tenant.name, name, "vnc", allowed && opened.vnc, vmRunning);
  const sessions = { console: serial, vnc };
  const active = sessions[tab];

  const [actions, setActions] = useState<Record<ConsoleKind, ConsoleAction[]>>({ console: [], vnc: [] });
  const registerSerial = useCallback((a: ConsoleAction[]) => setActions((s) => ({ ...s, console: a })), []);
  const registerVnc = useCallback((a: ConsoleAction[]) => setActions((s) => ({ ...s, vnc: a })), []);

  const [pasteRequest, setPasteRequest] = useState<{ resolve: (text: string | null) => void } | null>(null);
  const requestPaste = useCallback(() => new Promise<string | null>((resolve) => setPasteRequest({ resolve })), []);

  const select = (kind: ConsoleKind) => {
    setOpened((o) => ({ ...o, [kind]: true }));
    const params = new URLSearchParams(searchParams.toString());
    if (kind === "vnc") params.set("tab", "vnc");
    else params.delete("tab");
    const query = params.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  const tabRefs = useRef<Record<ConsoleKind, HTMLButtonElement | null>>({ console: null, vnc: null });
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight" && e.key !== "Home" && e.key !== "End") return;
    e.preventDefault();
    const next: ConsoleKind = e.key === "Home" ? "console" : e.key === "End" ? "vnc" : tab === "console" ? "vnc" : "console";
    select(next);
    tabRefs.current[next]?.focus();
  };

  const vmsHref = `/t/${tenant.name}/vms`;
  const vmMissing = query.isSuccess && !vm;

  return (
    <div className="space-y-4">
      <nav aria-label={t("breadcrumb")} className="text-sm">
        <Link href={vmsHref} className="text-blue-700 hover:underline dark:text-blue-400">{t("backToVms")}</Link>
      </nav>
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div className="flex min-w-0 flex-wrap items-center gap-3">
          <h1 className="min-w-0 text-2xl font-semibold tracking-tight">
            {t("title")} <span className="font-mono text-xl break-all">{name}</span>
          </h1>
          {vm && <VmStateBadge state={vm.powerState} />}
        </div>
        {vm && tenant.can("vm.power") && <PowerActions tenant={tenant.name} name={name} powerState={vm.powerState} />}
      </div>

      {!allowed ? (
        <Alert tone="error" title={t("forbiddenTitle")}>{t("forbiddenRole", { role: tRole(tenant.role), needed: tRole(permissionTable["vm.console"]) })}</Alert>
      ) : vmMissing ? (
        <Alert tone="error" title={t("notFoundTitle")}>
          {t("notFoundBody", { name })} <Link href={vmsHref} className="font-medium underline">{t("backToVms")}</Link>
        </Alert>
      ) : (
        <section className={panelClass}>
          <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 px-3 pt-2 dark:border-zinc-800">
            <div role="tablist" aria-label={t("tabsLabel")} className="flex gap-1">
              {tabs.map(({ kind, labelKey }) => (
                <button
                  key={kind}
                  ref={(el) => {
                    tabRefs.current[kind] = el;
                  }}
                  type="button"
                  role="tab"
                  id={`console-tab-${kind}`}
                  aria-selected={tab === kind}
                  aria-controls={`console-panel-${kind}`}
                  tabIndex={tab === kind ? 0 : -1}
                  onClick={() => select(kind)}
                  onKeyDown={onTabKey}
                  className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-600 ${
                    tab === kind
                      ? "border-blue-600 text-blue-700 dark:border-blue-400 dark:text-blue-300"
                      : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
                  }`}
                >
                  {t(labelKey)}
                </button>
              ))}
            </div>
            <StatusLine state={active.state} />
          </div>

          <Toolbar label={t("toolbarLabel", { tab: t(tab === "vnc" ? "vnc" : "serial") })} actions={actions[tab]} />
          <StatusPanel
            state={active.state}
            kind={tab}
            canPower={tenant.can("vm.power")}
            vmState={vm?.powerState}
            onConnect={active.connect}
            onDisconnect={active.disconnect}
            signInHref={signInHref(pathname, searchParams.toString())}
          />

          {tabs.map(({ kind }) => (
            <div key={kind} role="tabpanel" id={`console-panel-${kind}`} aria-labelledby={`console-tab-${kind}`} hidden={tab !== kind}>
              {opened[kind] && kind === "console" && (
                <SerialTerminal target={serial.target} connected={serial.state.kind === "connected"} visible={tab === "console"} registerActions={registerSerial} />
              )}
              {opened[kind] && kind === "vnc" && (
                <VncScreen target={vnc.target} connected={vnc.state.kind === "connected"} registerActions={registerVnc} onPasteRequest={requestPaste} />
              )}
            </div>
          ))}
        </section>
      )}

      {pasteRequest && (
        <TypeTextDialog
          onDone={(text) => {
            pasteRequest.resolve(text);
            setPasteRequest(null);
          }}
        />
      )}
    </div>
  );
}

/** The one-line state in the tab bar (a live region, so screen readers hear changes). */
function StatusLine({ state }: { state: ConsoleState }) {
  const t = useTranslations("Console");
  const now = useNow(state.kind === "reconnecting" ? 250 : 60_000);
  const tone =
    state.kind === "connected" ? "text-emerald-700 dark:text-emerald-400"
      : state.kind === "connecting" || state.kind === "reconnecting" || state.kind === "idle" ? "text-amber-700 dark:text-amber-400"
        : "text-zinc-600 dark:text-zinc-400";
  let text: string;
  switch (state.kind) {
    case "reconnecting":
      text = t("state.reconnecting", { seconds: Math.max(0, Math.ceil((state.retryAt - now) / 1000)) });
      break;
    default:
      text = t(`state.${state.kind}`);
  }
  return (
    <p role="status" aria-live="polite" data-testid="console-state" data-state={state.kind} className={`pb-2 text-sm font-medium ${tone}`}>
      {text}
    </p>
  );
}

/** The actions the protocol in view registered. */
function Toolbar({ label, actions }: { label: string; actions: ConsoleAction[] }) {
  if (actions.length === 0) return null;
  return (
    <div role="toolbar" aria-label={label} className="flex flex-wrap gap-1.5 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
      {actions.map((a) => (
        <button
          key={a.id}
          type="button"
          title={a.hint}
          aria-pressed={a.pressed}
          disabled={a.disabled}
          onClick={a.onSelect}
          className={`${buttonClass(a.pressed ? "primary" : "secondary", "sm")}`}
        >
          {a.label}
        </button>
      ))}
    </div>
  );
}

/** Words a console drop in the user's language (lib/client/console-state.ts `describeDrop`). */
function useDropText(): (reason: ConsoleDropReason) => string {
  const t = useTranslations("ConsoleReasons");
  const errorMessage = useApiErrorMessage();
  return (reason) => {
    const d = describeDrop(reason);
    if ("error" in d) return errorMessage(d.error);
    if ("text" in d) return d.text;
    return "values" in d ? t(d.key, d.values) : t(d.key);
  };
}

/** What to do in a state that is not plain "connected": explanations and their buttons. */
function StatusPanel({ state, kind, canPower, vmState, onConnect, onDisconnect, signInHref }: {
  state: ConsoleState;
  kind: ConsoleKind;
  canPower: boolean;
  vmState?: string;
  onConnect: (takeOver?: boolean) => void;
  onDisconnect: () => void;
  signInHref: string;
}) {
  const t = useTranslations("Console");
  const stateLabel = useVmStateLabel();
  const dropText = useDropText();
  const errorMessage = useApiErrorMessage();
  const box = "flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800";
  switch (state.kind) {
    case "connected":
      return (
        <div className={box}>
          <span className="text-zinc-600 dark:text-zinc-400">{kind === "console" ? t("hintSerial") : t("hintVnc")}</span>
          <button type="button" className={buttonClass("ghost", "sm")} onClick={onDisconnect}>{t("disconnect")}</button>
        </div>
      );
    case "reconnecting":
      return (
        <div className={box} role="alert">
          <span>{t("dropped", { reason: dropText(state.reason) })}</span>
          <button type="button" className={buttonClass("secondary", "sm")} onClick={() => onConnect()}>{t("reconnectNow")}</button>
        </div>
      );
    case "notRunning":
      return (
        <div className={box} role="alert">
          <span>
            <strong>{t("notRunningTitle")}</strong> {state.message ?? (canPower ? t("notRunningBodyPower") : t("notRunningBody"))}
            {vmState && <span className="ml-1 text-zinc-500 dark:text-zinc-400">{t("vmStateNow", { state: stateLabel(vmState) })}</span>}
          </span>
          <button type="button" className={buttonClass("secondary", "sm")} onClick={() => onConnect()}>{t("retry")}</button>
        </div>
      );
    case "sessionInUse":
      return (
        <div className={box} role="alert">
          <span><strong>{t("sessionInUseTitle")}</strong> {t("sessionInUseBody")}</span>
          <button type="button" className={buttonClass("primary", "sm")} onClick={() => onConnect(true)}>{t("takeOver")}</button>
        </div>
      );
    case "takenOver":
      return (
        <div className={box} role="alert">
          <span><strong>{t("takenOverTitle")}</strong> {t("takenOverBody")}</span>
          <button type="button" className={buttonClass("primary", "sm")} onClick={() => onConnect(true)}>{t("takeBack")}</button>
        </div>
      );
    case "forbidden":
      return <Alert tone="error" className="m-3" title={t("forbiddenTitle")}>{state.error ? errorMessage(state.error) : t("forbiddenBody")}</Alert>;
    case "notFound":
      return <Alert tone="error" className="m-3" title={t("notFoundTitle")}>{t("notFoundShort")}</Alert>;
    case "signedOut":
      return (
        <Alert tone="error" className="m-3" title={t("signedOutTitle")}>
          <Link href={signInHref} className="font-medium underline">{t("signInAgain")}</Link>
        </Alert>
      );
    case "failed":
      return (
        <div className={box} role="alert">
          <span><strong>{t("failedTitle")}</strong> {t("failedBody", { reason: dropText(state.reason) })}</span>
          <button type="button" className={buttonClass("primary", "sm")} onClick={() => onConnect()}>{t("reconnectNow")}</button>
        </div>
      );
    case "closed":
      return (
        <div className={box}>
          <span>{t("closedBody")}</span>
          <button type="button" className={buttonClass("primary", "sm")} onClick={() => onConnect()}>{t("connect")}</button>
        </div>
      );
    default:
      return null;
  }
}

/** Asks for text to type into the VNC screen key by key. */
function TypeTextDialog({ onDone }: { onDone: (text: string | null) => void }) {
  const t = useTranslations("Console");
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <Dialog open onClose={() => onDone(null)} title={t("typeTextTitle")} description={t("typeTextBody")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onDone(text);
        }}
        className="space-y-4"
      >
        <label className="sr-only" htmlFor="vnc-type-text">{t("typeTextLabel")}</label>
        <textarea id="vnc-type-text" ref={ref} rows={4} value={text} onChange={(e) => setText(e.target.value)} className={`${inputClass} font-mono`} />
        <div className="flex justify-end gap-2">
          <button type="button" className={buttonClass("secondary")} onClick={() => onDone(null)}>{t("cancel")}</button>
          <button type="submit" className={buttonClass("primary")} disabled={!text}>{t("typeTextSubmit")}</button>
        </div>
      </form>
    </Dialog>
  );
}
