"use client";

import { buttonClass } from "@/components/ui/styles";

/**
 * The line above a console (serial terminal or VNC screen) that says how keys behave there and
 * how to leave it with the keyboard (issue 16, defect B), with the button that gives it focus:
 * the visible way in for keyboard users (noVNC's canvas is not in the tab order).
 * @param id the hint's element id, for the console input's `aria-describedby`
 * @param hint the translated explanation
 * @param focusLabel the translated button label ("Focus terminal", "Focus screen")
 * @param canFocus false while there is nothing to focus yet
 * @param onFocus gives the console focus
 */
export function KeyboardHint({ id, hint, focusLabel, canFocus, onFocus }: {
  id: string;
  hint: string;
  focusLabel: string;
  canFocus: boolean;
  onFocus: () => void;
}) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 px-4 py-1.5 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
      <p id={id}>{hint}</p>
      <button type="button" className={buttonClass("ghost", "sm")} disabled={!canFocus} onClick={onFocus}>
        {focusLabel}
      </button>
    </div>
  );
}
