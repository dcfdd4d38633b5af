"use client";

import { useEffect, type RefObject } from "react";

/**
 * Publishes how much of the viewport a sticky element covers, as the CSS variable `--sticky-top`
 * or `--sticky-bottom` on `<html>` (its height plus its `top`/`bottom` offset, in px, kept up to date
 * as it wraps or grows). app/globals.css turns them into `scroll-padding`, so the browser never
 * scrolls a focused control under a sticky header or action bar (WCAG 2.4.11). The variable is
 * removed when the element goes away.
 *
 * One sticky element per edge: the app header at the top, a form's action bar at the bottom.
 */
export function useStickyInset(ref: RefObject<HTMLElement | null>, edge: "top" | "bottom"): void {
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const root = document.documentElement;
    const variable = `--sticky-${edge}`;
    const update = () => {
      const offset = Number.parseFloat(getComputedStyle(element)[edge]) || 0;
      root.style.setProperty(variable, `${Math.ceil(element.getBoundingClientRect().height + offset)}px`);
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.removeProperty(variable);
    };
  }, [ref, edge]);
}
