/**
 * Ages for people ("3 min ago", "il y a 3 min") with Intl.RelativeTimeFormat, choosing the
 * largest unit that fits.
 */
import { relativeTimeFormat } from "@/lib/shared/intl-formats";

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/**
 * How long ago `iso` was, relative to `now` (milliseconds since the epoch).
 * @returns e.g. "3 min ago"; "now" under 45 seconds; "" when `iso` is empty or invalid
 */
export function formatAge(iso: string, now: number, locale: string): string {
  const then = Date.parse(iso);
  if (!iso || Number.isNaN(then)) return "";
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  const rtf = relativeTimeFormat(locale, { numeric: "auto", style: "short" });
  if (seconds < 45) return rtf.format(0, "second");
  for (const [unit, size] of units) {
    if (seconds >= size) return rtf.format(-Math.floor(seconds / size), unit);
  }
  return rtf.format(-1, "minute");
}
