import type { ReactNode } from "react";

/** The id of every page's `<main>`: the target of the "Skip to content" link ({@link SkipLink}). */
export const mainContentId = "main-content";

/**
 * The page's main landmark, the one element the skip link jumps to. `tabIndex={-1}` lets it take
 * the focus from the link (and from script) without becoming a Tab stop; the focus ring is left out
 * because the whole page would be outlined. Usable from server and client components alike.
 */
export function MainLandmark({ className, children }: { className?: string; children: ReactNode }) {
  return (
    <main id={mainContentId} tabIndex={-1} className={`${className ?? ""} focus:outline-none`}>
      {children}
    </main>
  );
}
