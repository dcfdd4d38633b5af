"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { makeQueryClient } from "@/lib/client/query-client";
import { LiveAnnouncerProvider } from "./live-announcer";

/**
 * Client-side providers of the whole app: the React Query cache (one per tab) and the live region.
 * Once React has hydrated the page (effects run after the whole tree below committed), `<html>`
 * gets `data-hydrated`: from then on a click reaches React. End-to-end tests wait for it
 * (e2e/fixtures.ts `waitForHydration`) instead of retrying clicks that came too early.
 */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return (
    <QueryClientProvider client={queryClient}>
      <LiveAnnouncerProvider>{children}</LiveAnnouncerProvider>
    </QueryClientProvider>
  );
}
