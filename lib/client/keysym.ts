/**
 * X11 keysyms for typing text into a VNC screen key by key (the "paste as keystrokes" of the VNC
 * console: RFB has no clipboard towards a text-mode guest).
 *
 * Rules (X Window System Protocol, Appendix A "KEYSYM Encoding"; the same mapping noVNC's
 * core/input/keysymdef.js implements, which the package's export map does not expose):
 * - Latin-1 printable characters U+0020–U+007E and U+00A0–U+00FF: the keysym is the code point;
 * - any other Unicode character: 0x01000000 + code point;
 * - newline → Return (0xff0d), tab → Tab (0xff09), backspace → BackSpace (0xff08),
 *   escape → Escape (0xff1b); other control characters have no keysym.
 */

/** Named keysyms the console sends. */
export const keysyms = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Delete: 0xffff,
  Shift_L: 0xffe1,
  Shift_R: 0xffe2,
  Control_L: 0xffe3,
  Alt_L: 0xffe9,
  F1: 0xffbe,
  F2: 0xffbf,
} as const;

/**
 * The keysym of one character (a code point), or null when it has none (control characters).
 * @param char one Unicode character (a string of one code point)
 */
export function keysymForChar(char: string): number | null {
  const cp = char.codePointAt(0);
  if (cp === undefined) return null;
  if (cp === 0x0a || cp === 0x0d) return keysyms.Return;
  if (cp === 0x09) return keysyms.Tab;
  if (cp === 0x08) return keysyms.BackSpace;
  if (cp === 0x1b) return keysyms.Escape;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return null;
  return 0x01000000 + cp;
}

/**
 * The keysyms to type `text`, in order; `\r\n` counts as one Return. Characters without a keysym
 * are skipped.
 */
export function keysymsForText(text: string): number[] {
  const out: number[] = [];
  for (const char of text.replace(/\r\n/g, "\n")) {
    const k = keysymForChar(char);
    if (k !== null) out.push(k);
  }
  return out;
}
