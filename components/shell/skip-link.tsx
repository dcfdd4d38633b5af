"use client";

import { mainContentId } from "./main-landmark";

/**
 * "Skip to content": the first focusable element of every page (WCAG 2.4.1), out of sight until it
 * has the focus. Activating it moves the focus to the page's `<main>` ({@link MainLandmark}), so
 * the next Tab goes to the page's first control instead of through the whole header. Without
 * JavaScript the plain `#main-content` link does the same.
 */
export function SkipLink({ label }: { label: string }) {
  return (
    <a
      href={`#${mainContentId}`}
      onClick={(e) => {
        const main = document.getElementById(mainContentId);
        if (!main) return;
        // Focus it directly: the URL keeps no fragment and the focus does not depend on how the
        // browser treats an in-page link.
        e.preventDefault();
        main.focus();
      }}
      className="fixed top-2 left-2 z-50 -translate-y-[200%] rounded-md bg-blue-600 px-4 py-2 text-sm font-medium text-white shadow-lg focus:translate-y-0 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:focus-visible:outline-blue-400"
    >
      {label}
    </a>
  );
}
