/**
 * The way out of a console's keyboard capture (WCAG 2.1.2 "No Keyboard Trap"): while the serial
 * terminal or the VNC screen has focus every key goes to the guest, Tab and Esc included (shells
 * complete on Tab, editors need Esc), so the way out is a sequence: **Esc, then Tab** (or
 * Shift+Tab) within {@link leaveWindowMs}. The Esc still reaches the guest; the Tab does not, and
 * the browser moves focus to the next (previous) element as for any other field.
 *
 * The same sequence as CodeMirror 6, the portal's YAML editor (`@codemirror/view`: Escape turns
 * on its "tab focus mode" for 2 s, ended by any other key but a modifier), so one habit works on
 * every screen. The page says so next to each console (messages `Console.keyboardHint*`).
 *
 * The Esc is not held back (vi and friends need it at once), so the guest gets it: busybox's
 * line editor drops a lone Esc, while bash's readline takes it as Meta for the next key typed
 * after coming back (Ctrl+G cancels it).
 */

/** How long after Esc a Tab leaves the console instead of going to the guest, in milliseconds. */
export const leaveWindowMs = 2000;

/** The parts of a DOM KeyboardEvent the sequence reads. */
export interface ConsoleKeyEvent {
  /** `keydown`, `keypress` or `keyup`; only `keydown` counts */
  type: string;
  /** KeyboardEvent.key, e.g. "Escape", "Tab", "a", "Shift" */
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** true while an input method composes a character (its keys are never a way out) */
  isComposing?: boolean;
}

/** What to do with one key event: give it to the guest, or leave it to the browser (focus moves on). */
export type ConsoleKeyVerdict = "guest" | "leave";

/** Keys that only modify another one: pressing Shift between Esc and Tab keeps the sequence. */
const modifierKeys = new Set(["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock", "OS", "Hyper", "Super"]);

/**
 * A fresh Esc-then-Tab detector for one console (it remembers when Esc was last pressed).
 * @param now the clock, in milliseconds (tests pass their own)
 * @returns a function to call with every key event the console receives: "leave" for the Tab (or
 *   Shift+Tab) keydown that ends the sequence, "guest" for everything else
 */
export function createLeaveSequence(now: () => number = Date.now): (event: ConsoleKeyEvent) => ConsoleKeyVerdict {
  let escapeAt: number | null = null;
  return (event) => {
    if (event.type !== "keydown" || event.isComposing) return "guest";
    const plain = !event.ctrlKey && !event.altKey && !event.metaKey;
    if (event.key === "Escape" && plain) {
      escapeAt = now();
      return "guest";
    }
    if (modifierKeys.has(event.key)) return "guest";
    const leaving = event.key === "Tab" && plain && escapeAt !== null && now() - escapeAt <= leaveWindowMs;
    escapeAt = null;
    return leaving ? "leave" : "guest";
  };
}
