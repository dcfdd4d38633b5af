"use client";

import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState } from "react";
import type RFB from "@novnc/novnc";
import { createLeaveSequence } from "@/lib/client/console-keyboard";
import { kubevirtSubprotocol } from "@/lib/shared/console";
import { keysyms, keysymsForText } from "@/lib/client/keysym";
import type { RegisterActions } from "./console-actions";
import { KeyboardHint } from "./keyboard-hint";
import type { ConsoleSocketTarget } from "./use-console-session";

/** Pause between typed characters of a paste, in milliseconds (QEMU's keyboard queue is short). */
const typingDelayMs = 8;

/**
 * The VNC screen: noVNC's RFB on a WebSocket the page opens itself (so that the relay's close
 * code reaches the state machine; noVNC's own `disconnect` event only says clean or not).
 *
 * Every RFB belongs to one generation; actions reach only the current one and events of an older
 * one are dropped (a stale session cannot act on the screen after a reconnect).
 *
 * Keyboard (WCAG 2.1.2, issue 16 defect B): noVNC keeps every key while its canvas has focus, Tab
 * and Esc included, and its canvas is not in the tab order. So the screen takes focus only when the
 * user clicks it or presses "Focus screen", never by itself; Esc then Tab (or Shift+Tab) leaves it
 * (lib/client/console-keyboard.ts), as the hint above the screen says.
 *
 * Registers: Ctrl+Alt+Del, other special keys, paste as keystrokes, scale to fit, view only,
 * fullscreen.
 */
export function VncScreen({ target, connected, registerActions, onPasteRequest }: {
  target: ConsoleSocketTarget;
  connected: boolean;
  registerActions: RegisterActions;
  /** the page asks the user for text to type; resolves with it, or null when cancelled */
  onPasteRequest: () => Promise<string | null>;
}) {
  const t = useTranslations("Console");
  const label = t("vncScreenLabel");
  const frameRef = useRef<HTMLDivElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<{ generation: number; rfb: RFB } | null>(null);
  const [scale, setScale] = useState(true);
  const [viewOnly, setViewOnly] = useState(false);
  const hintId = useId();

  const { url, generation, onOpen, onClose } = target;
  useEffect(() => {
    if (!url || !screenRef.current) return;
    const screen = screenRef.current;
    let cancelled = false;
    let ws: WebSocket | null = null;
    let rfb: RFB | null = null;
    void import("@novnc/novnc").then(({ default: RFBClass }) => {
      if (cancelled) return;
      ws = new WebSocket(url, [kubevirtSubprotocol]);
      ws.binaryType = "arraybuffer";
      let opened = false;
      ws.addEventListener("open", () => {
        opened = true;
      });
      ws.addEventListener("close", (e) => {
        if (cancelled) return;
        if (rfbRef.current?.generation === generation) rfbRef.current = null;
        onClose(generation, e.code, e.reason, opened);
      });
      rfb = new RFBClass(screen, ws, { shared: true });
      rfb.background = "#09090b";
      rfb.focusOnClick = true;
      rfb.addEventListener("connect", () => {
        if (cancelled) return;
        rfbRef.current = { generation, rfb: rfb! };
        onOpen(generation);
      });
    });
    return () => {
      cancelled = true;
      if (rfbRef.current?.generation === generation) rfbRef.current = null;
      try {
        rfb?.disconnect();
      } catch {
        /* already disconnected */
      }
      ws?.close(1000);
      // noVNC leaves its screen element behind after disconnect.
      screen.replaceChildren();
    };
  }, [url, generation, onOpen, onClose]);

  // noVNC's canvas (the element that takes the keys) gets a name and the way out.
  useEffect(() => {
    const canvas = screenRef.current?.querySelector("canvas");
    canvas?.setAttribute("aria-label", label);
    canvas?.setAttribute("aria-describedby", hintId);
  }, [connected, generation, label, hintId]);

  // Esc then Tab leaves the screen: that Tab is stopped here, in the capture phase, before
  // noVNC's own listener on the canvas (which would send it to the guest and preventDefault), so
  // the browser moves focus. A Shift held for Shift+Tab went down to the guest: release it there.
  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    const leave = createLeaveSequence();
    const onKeyDown = (e: KeyboardEvent) => {
      if (leave(e) !== "leave") return;
      e.stopPropagation();
      if (e.shiftKey) {
        const rfb = rfbRef.current?.rfb;
        rfb?.sendKey(keysyms.Shift_L, "ShiftLeft", false);
        rfb?.sendKey(keysyms.Shift_R, "ShiftRight", false);
      }
    };
    screen.addEventListener("keydown", onKeyDown, true);
    return () => screen.removeEventListener("keydown", onKeyDown, true);
  }, []);

  // Settings apply to the current RFB whenever it (re)connects. No focus: a keyboard user would be
  // caught in the screen without having asked for it.
  useEffect(() => {
    const current = rfbRef.current;
    if (!connected || !current) return;
    current.rfb.scaleViewport = scale;
    current.rfb.clipViewport = !scale;
    current.rfb.viewOnly = viewOnly;
  }, [connected, scale, viewOnly, generation]);

  useEffect(() => {
    /** The RFB of the current generation, if connected. */
    const current = () => (rfbRef.current?.generation === generation ? rfbRef.current.rfb : null);
    const combo = (modifiers: number[], key: number) => {
      const rfb = current();
      if (!rfb) return;
      for (const m of modifiers) rfb.sendKey(m, null, true);
      rfb.sendKey(key, null);
      for (const m of [...modifiers].reverse()) rfb.sendKey(m, null, false);
    };
    const disabled = !connected || viewOnly;
    registerActions([
      {
        id: "ctrl-alt-del",
        label: t("ctrlAltDel"),
        hint: t("ctrlAltDelHint"),
        disabled,
        onSelect: () => current()?.sendCtrlAltDel(),
      },
      { id: "ctrl-alt-f1", label: "Ctrl+Alt+F1", disabled, onSelect: () => combo([keysyms.Control_L, keysyms.Alt_L], keysyms.F1) },
      { id: "ctrl-alt-f2", label: "Ctrl+Alt+F2", disabled, onSelect: () => combo([keysyms.Control_L, keysyms.Alt_L], keysyms.F2) },
      { id: "esc", label: "Esc", disabled, onSelect: () => combo([], keysyms.Escape) },
      {
        id: "type",
        label: t("typeText"),
        hint: t("typeTextHint"),
        disabled,
        onSelect: () => {
          void onPasteRequest().then(async (text) => {
            if (!text) return;
            for (const keysym of keysymsForText(text)) {
              const rfb = current();
              if (!rfb) return;
              rfb.sendKey(keysym, null);
              await new Promise((r) => setTimeout(r, typingDelayMs));
            }
          });
        },
      },
      { id: "scale", label: t("scale"), pressed: scale, onSelect: () => setScale((s) => !s) },
      { id: "view-only", label: t("viewOnly"), pressed: viewOnly, onSelect: () => setViewOnly((v) => !v) },
      {
        id: "fullscreen",
        label: t("fullscreen"),
        onSelect: () => void frameRef.current?.requestFullscreen?.().catch(() => {}),
      },
    ]);
  }, [registerActions, connected, generation, scale, viewOnly, onPasteRequest, t]);

  return (
    <>
      <KeyboardHint id={hintId} hint={t("keyboardHintVnc")} focusLabel={t("focusScreen")} canFocus={connected} onFocus={() => rfbRef.current?.rfb.focus()} />
      <div ref={frameRef} className="h-[60vh] min-h-80 w-full bg-zinc-950">
        <div ref={screenRef} data-testid="vnc-screen" className="size-full" />
      </div>
    </>
  );
}
