/**
 * Ages for people ("3 min ago", "il y a 3 min") with Intl.RelativeTimeFormat, choosing the
 * largest unit that fits.
 */
import { numberFormat, relativeTimeFormat } from "@/lib/shared/intl-formats";

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

/** Units of {@link formatUntil}: days at most (a backup lives 30 days; "in 4 weeks" says less). */
const untilUnits: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/**
 * How long until `iso`, relative to `now` (milliseconds since the epoch), in the largest unit up
 * to days: "in 29 days", "dans 3 heures". A moment already past is said as {@link formatAge} does.
 * @returns "" when `iso` is empty or invalid
 */
export function formatUntil(iso: string, now: number, locale: string): string {
  const then = Date.parse(iso);
  if (!iso || Number.isNaN(then)) return "";
  if (then <= now) return formatAge(iso, now, locale);
  const seconds = Math.round((then - now) / 1000);
  const rtf = relativeTimeFormat(locale, { numeric: "always", style: "long" });
  for (const [unit, size] of untilUnits) {
    if (seconds >= size) return rtf.format(Math.floor(seconds / size), unit);
  }
  return rtf.format(Math.max(1, seconds), "second");
}

/**
 * A duration in its two largest units, short: "2 hr 5 min", "1 min 7 sec", "45 sec" (en);
 * "2 h 5 min", "1 min 7 s" (fr).
 * @param ms milliseconds (negative counts as 0)
 */
export function formatDuration(ms: number, locale: string): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const unit = (value: number, name: "hour" | "minute" | "second") =>
    numberFormat(locale, { style: "unit", unit: name, unitDisplay: "short" }).format(value);
  if (hours > 0) return `${unit(hours, "hour")} ${unit(minutes, "minute")}`;
  if (minutes > 0) return `${unit(minutes, "minute")} ${unit(seconds, "second")}`;
  return unit(seconds, "second");
}
