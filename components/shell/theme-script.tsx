"use client";

import { useSyncExternalStore } from "react";
import { themeInitScript } from "@/lib/client/theme";

const noopSubscribe = () => () => {};

/**
 * The inline script that sets the theme class before the first paint. It is rendered in the
 * server HTML (and kept while hydrating) but never created by a client-side render, where it would
 * not run anyway and React warns about it (e.g. when a not-found page re-renders the root).
 */
export function ThemeScript() {
  const isServerHtml = useSyncExternalStore(noopSubscribe, () => false, () => true);
  if (!isServerHtml) return null;
  return <script dangerouslySetInnerHTML={{ __html: themeInitScript }} />;
}
