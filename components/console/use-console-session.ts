"use client";

import { useCallback, useEffect, useReducer, useRef } from "react";
import { checkConsoleAccess, consoleSocketUrl, type ConsoleKind } from "@/lib/client/api";
import { consoleReducer, initialConsoleState, notRunningRetryMs } from "@/lib/client/console-state";

/** What a protocol child (serial terminal, VNC screen) needs from the session. */
export interface ConsoleSocketTarget {
  /** the WebSocket URL to open, or null when no socket should be open */
  url: string | null;
  /** the generation the socket belongs to; a new generation means: close the old one, open anew */
  generation: number;
  /** the child reports its socket's open (RFB: after the handshake) */
  onOpen: (generation: number) => void;
  /** the child reports its socket's close, with the WebSocket close code and reason */
  onClose: (generation: number, code: number, reason: string, wasOpen: boolean) => void;
}

/**
 * One console session's state machine (lib/client/console-state.ts) with its timers: the
 * reconnect countdown, the retry while the VM is not running, the HTTP check that explains a
 * socket refused before opening. The page keeps one per protocol.
 *
 * @param active whether the protocol's tab has been opened (the first activation connects)
 * @param vmRunning whether the VM's power state is Running (a stopped VM reconnects when it runs)
 */
export function useConsoleSession(tenant: string, name: string, kind: ConsoleKind, active: boolean, vmRunning: boolean) {
  const [state, dispatch] = useReducer(consoleReducer, initialConsoleState);

  // The first time the tab shows, connect without taking over anyone's session.
  useEffect(() => {
    if (active && state.kind === "idle") dispatch({ type: "connect", preserveSession: true });
  }, [active, state.kind]);

  // The countdown of an automatic reconnect.
  useEffect(() => {
    if (state.kind !== "reconnecting") return;
    const timer = setTimeout(() => dispatch({ type: "retry" }), Math.max(0, state.retryAt - Date.now()));
    return () => clearTimeout(timer);
  }, [state]);

  // A stopped VM: reconnect when it runs again (soon after the stream says so, to let its
  // instance come up), and now and then anyway in case the stream lags.
  const wasRunning = useRef(vmRunning);
  useEffect(() => {
    const becameRunning = vmRunning && !wasRunning.current;
    wasRunning.current = vmRunning;
    if (state.kind !== "notRunning") return;
    if (becameRunning) {
      dispatch({ type: "vmRunning" });
      return;
    }
    const timer = setTimeout(() => dispatch({ type: "retry" }), vmRunning ? 2000 : notRunningRetryMs);
    return () => clearTimeout(timer);
  }, [state, vmRunning]);

  const onOpen = useCallback((generation: number) => dispatch({ type: "opened", generation, now: Date.now() }), []);
  const onClose = useCallback((generation: number, code: number, reason: string, wasOpen: boolean) => {
    dispatch({ type: "closed", generation, code, reason, wasOpen, now: Date.now() });
    // A browser hides why an upgrade was refused: ask the same checks over plain HTTP.
    if (!wasOpen && code === 1006) {
      void checkConsoleAccess(tenant, name, kind).then(({ status, error }) =>
        dispatch({ type: "checked", generation, status, error, now: Date.now() }));
    }
  }, [tenant, name, kind]);

  const url = (state.kind === "connecting" || state.kind === "connected") && typeof window !== "undefined"
    ? consoleSocketUrl(tenant, name, kind, state.preserveSession)
    : null;
  const target: ConsoleSocketTarget = { url, generation: state.generation, onOpen, onClose };
  return {
    state,
    target,
    /** connect again now; `takeOver` ends another session holding this console */
    connect: (takeOver = false) => dispatch({ type: "connect", preserveSession: !takeOver }),
    disconnect: () => dispatch({ type: "disconnect" }),
  };
}
