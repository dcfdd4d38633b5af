"use client";

import { useRef, type ReactNode } from "react";
import { useStickyInset } from "@/components/ui/use-sticky-inset";

/**
 * The app header's `<header>` (banner landmark), sticky at the top. Its height changes (one row on
 * phones, two when the items wrap at medium widths, more with the phone menu open), so it reports
 * it through {@link useStickyInset}: the page's scroll padding keeps focused controls below it.
 */
export function StickyHeader({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  useStickyInset(ref, "top");
  return (
    <header ref={ref} className="sticky top-0 z-20 border-b border-zinc-200 bg-white/95 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
      {children}
    </header>
  );
}
