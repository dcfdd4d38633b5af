"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import type RFB from "@novnc/novnc";
import { kubevirtSubprotocol } from "@/lib/shared/console";
import { keysyms, keysymsForText } from "@/lib/client/keysym";
import type { RegisterActions } from "./console-actions";
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
 * Registers: Ctrl+Alt+Del, other special keys, paste as keystrokes, scale to fit, view only,
 * fullscreen.
 */
export function VncScreen({ target, connected, visible, registerActions, onPasteRequest }: {
  target: ConsoleSocketTarget;
  connected: boolean;
  visible: boolean;
  registerActions: RegisterActions;
  /** the page asks the user for text to type; resolves with it, or null when cancelled */
  onPasteRequest: () => Promise<string | null>;
}) {
  const t = useTranslations("Console");
  const frameRef = useRef<HTMLDivElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<{ generation: number; rfb: RFB } | null>(null);
  const [scale, setScale] = useState(true);
  const [viewOnly, setViewOnly] = useState(false);

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

  // Settings apply to the current RFB whenever it (re)connects.
  useEffect(() => {
    const current = rfbRef.current;
    if (!connected || !current) return;
    current.rfb.scaleViewport = scale;
    current.rfb.clipViewport = !scale;
    current.rfb.viewOnly = viewOnly;
    if (visible) current.rfb.focus();
  }, [connected, scale, viewOnly, visible, generation]);

  useEffect(() => {
    /** The RFB of the current generation, if connected. */
    const current = () => (rfbRef.current?.generation === generation ? rfbRef.current.rfb : null);
    const combo = (modifiers: number[], key: number) => {
      const rfb = current();
      if (!rfb) return;
      for (const m of modifiers) rfb.sendKey(m, null, true);
      rfb.sendKey(key, null);
      for (const m of [...modifiers].reverse()) rfb.sendKey(m, null, false);
      rfb.focus();
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
            current()?.focus();
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
    <div ref={frameRef} className="h-[60vh] min-h-80 w-full bg-zinc-950">
      <div ref={screenRef} data-testid="vnc-screen" className="size-full" />
    </div>
  );
}
