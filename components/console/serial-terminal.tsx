"use client";

import "@xterm/xterm/css/xterm.css";
import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState } from "react";
import type { Terminal } from "@xterm/xterm";
import type { FitAddon } from "@xterm/addon-fit";
import { createLeaveSequence } from "@/lib/client/console-keyboard";
import { kubevirtSubprotocol } from "@/lib/shared/console";
import type { RegisterActions } from "./console-actions";
import { KeyboardHint } from "./keyboard-hint";
import type { ConsoleSocketTarget } from "./use-console-session";

/**
 * The serial console: an xterm.js terminal on the relay's WebSocket. Bytes go both ways as binary
 * frames (KubeVirt drops text frames). The terminal fits its box (fit addon); a serial line has no
 * SIGWINCH, so "Set guest size" types `stty rows R cols C` for the shell on the other side.
 *
 * Keyboard (WCAG 2.1.2, issue 16 defect B): the terminal takes focus only when the user clicks
 * it, tabs into it or presses "Focus terminal", never by itself (not on load, on a tab switch or
 * after a toolbar action). While it has focus every key goes to the guest, Tab included (shells
 * complete on Tab); Esc then Tab (or Shift+Tab) leaves it (lib/client/console-keyboard.ts), as
 * the hint above the terminal says (also its textarea's accessible description).
 *
 * Registers: set guest size, copy selection, paste, clear.
 */
export function SerialTerminal({ target, connected, visible, registerActions }: {
  target: ConsoleSocketTarget;
  connected: boolean;
  visible: boolean;
  registerActions: RegisterActions;
}) {
  const t = useTranslations("Console");
  const boxRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const socketRef = useRef<WebSocket | null>(null);
  const [ready, setReady] = useState(false);
  const hintId = useId();

  // The terminal lives as long as the page; sockets come and go under it.
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      if (disposed || !boxRef.current) return;
      const term = new Terminal({
        cursorBlink: true,
        convertEol: false,
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        fontSize: 14,
        scrollback: 5000,
        theme: { background: "#09090b", foreground: "#e4e4e7" },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(boxRef.current);
      term.textarea?.setAttribute("aria-label", t("serialInputLabel"));
      term.textarea?.setAttribute("aria-describedby", hintId);
      // Esc then Tab: xterm leaves that Tab alone (no preventDefault), so the browser moves focus.
      const leave = createLeaveSequence();
      term.attachCustomKeyEventHandler((e) => leave(e) === "guest");
      const encoder = new TextEncoder();
      const send = (bytes: Uint8Array) => {
        const ws = socketRef.current;
        if (ws?.readyState === WebSocket.OPEN) ws.send(bytes);
      };
      term.onData((data) => send(encoder.encode(data)));
      term.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
      observer = new ResizeObserver(() => {
        if (boxRef.current?.offsetParent) fit.fit();
      });
      observer.observe(boxRef.current);
      termRef.current = term;
      fitRef.current = fit;
      setReady(true);
    })();
    return () => {
      disposed = true;
      observer?.disconnect();
      termRef.current?.dispose();
      termRef.current = null;
    };
  }, [t, hintId]);

  // One socket per generation.
  const { url, generation, onOpen, onClose } = target;
  useEffect(() => {
    if (!ready || !url) return;
    const term = termRef.current!;
    const ws = new WebSocket(url, [kubevirtSubprotocol]);
    ws.binaryType = "arraybuffer";
    socketRef.current = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      onOpen(generation);
    };
    ws.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) term.write(new Uint8Array(e.data));
      else if (typeof e.data === "string") term.write(e.data);
    };
    ws.onclose = (e) => {
      if (socketRef.current === ws) socketRef.current = null;
      onClose(generation, e.code, e.reason, opened);
    };
    return () => {
      ws.onopen = ws.onmessage = ws.onclose = null;
      if (socketRef.current === ws) socketRef.current = null;
      ws.close(1000);
    };
  }, [ready, url, generation, onOpen, onClose]);

  // Refit when the tab shows again (a hidden box has no size). No focus: a keyboard user would be
  // caught in the terminal without having asked for it.
  useEffect(() => {
    if (!visible || !ready) return;
    fitRef.current?.fit();
  }, [visible, ready, connected]);

  useEffect(() => {
    const typeIntoGuest = (text: string) => {
      const ws = socketRef.current;
      if (ws?.readyState === WebSocket.OPEN) ws.send(new TextEncoder().encode(text));
    };
    registerActions([
      {
        id: "size",
        label: t("setGuestSize"),
        hint: t("setGuestSizeHint"),
        disabled: !connected,
        onSelect: () => {
          const term = termRef.current;
          if (!term) return;
          typeIntoGuest(`stty rows ${term.rows} cols ${term.cols}\r`);
        },
      },
      {
        id: "copy",
        label: t("copy"),
        hint: t("copyHint"),
        onSelect: () => {
          const text = termRef.current?.getSelection() ?? "";
          if (text) void navigator.clipboard?.writeText(text);
        },
      },
      {
        id: "paste",
        label: t("paste"),
        disabled: !connected,
        onSelect: () => {
          void navigator.clipboard?.readText().then((text) => {
            if (text) termRef.current?.paste(text);
          });
        },
      },
      {
        id: "clear",
        label: t("clear"),
        onSelect: () => {
          termRef.current?.clear();
        },
      },
    ]);
  }, [registerActions, connected, t]);

  return (
    <>
      <KeyboardHint id={hintId} hint={t("keyboardHintSerial")} focusLabel={t("focusTerminal")} canFocus={ready} onFocus={() => termRef.current?.focus()} />
      <div ref={boxRef} data-testid="serial-terminal" className="h-[60vh] min-h-80 w-full overflow-hidden bg-zinc-950 p-2" />
    </>
  );
}
