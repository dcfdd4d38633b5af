import type { ReactNode } from "react";

/**
 * A container that scrolls its wide content (a table) sideways instead of the page, reachable
 * with the keyboard: it is a named region in the Tab order, so arrow keys scroll it (axe rule
 * `scrollable-region-focusable`, WCAG 2.1.1) even when it holds nothing focusable. It is
 * positioned (`relative`) so that absolutely positioned descendants (`sr-only` texts in cells) are
 * clipped by it instead of widening the page.
 * @param label the region's accessible name, e.g. the table's caption
 */
export function ScrollRegion({ label, className = "", children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0}
      className={`relative overflow-x-auto focus-visible:outline-2 focus-visible:outline-blue-600 ${className}`}>
      {children}
    </div>
  );
}
