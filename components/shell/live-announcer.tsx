"use client";

import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

/** Announces a short text to screen readers (see {@link LiveAnnouncerProvider}). */
export type Announce = (text: string) => void;

const AnnounceContext = createContext<Announce | null>(null);

/** How long a message stays in the region once set: long enough to be read, then it is emptied. */
const keepMs = 7_000;

/**
 * The app's one polite live region (`role="status"`, visually hidden, after the page content) and
 * the {@link useAnnounce} hook that writes to it: what happened after an action whose result is not
 * where the focus is (a VM created, stopped, deleted). It lives in the root layout, so a message
 * survives the client-side navigation that often follows the action. Each message replaces the
 * previous one; the region is emptied first, so the same text twice in a row is read twice.
 */
export function LiveAnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState("");
  const [next, setNext] = useState<{ text: string; serial: number } | null>(null);

  const announce = useCallback<Announce>((text) => {
    setMessage("");
    setNext((previous) => ({ text, serial: (previous?.serial ?? 0) + 1 }));
  }, []);

  useEffect(() => {
    if (!next) return;
    // A separate, later change: screen readers announce what changes in the region.
    const show = window.setTimeout(() => setMessage(next.text), 50);
    const clear = window.setTimeout(() => setMessage(""), 50 + keepMs);
    return () => {
      window.clearTimeout(show);
      window.clearTimeout(clear);
    };
  }, [next]);

  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div role="status" aria-live="polite" aria-atomic="true" className="sr-only">
        {message}
      </div>
    </AnnounceContext.Provider>
  );
}

/**
 * The function that announces a text in the app's polite live region.
 * @throws Error outside a {@link LiveAnnouncerProvider} (components/shell/providers.tsx has one)
 */
export function useAnnounce(): Announce {
  const announce = useContext(AnnounceContext);
  if (!announce) throw new Error("useAnnounce() needs a <LiveAnnouncerProvider> (components/shell/providers.tsx)");
  return announce;
}
