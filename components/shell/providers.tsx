"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { makeQueryClient } from "@/lib/client/query-client";
import { LiveAnnouncerProvider } from "./live-announcer";

/** Client-side providers of the whole app: the React Query cache (one per tab) and the live region. */
export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <LiveAnnouncerProvider>{children}</LiveAnnouncerProvider>
    </QueryClientProvider>
  );
}
