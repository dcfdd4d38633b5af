"use client";

/**
 * Dates and durations of the backup pages, in the page's language and the browser's time zone:
 * the formatters of {@link useFormat} plus expiry ("in 29 days"), elapsed time ("1 min 7 sec"),
 * a schedule's runs ("Sun, Jan 4, 04:00 AM GMT+1") and the time zone's name.
 */
import { useMemo } from "react";
import { useFormat, type Formatters } from "@/lib/client/format";
import { formatDuration, formatUntil } from "@/lib/client/relative-time";
import { dateTimeFormat } from "@/lib/shared/intl-formats";

/** The formatters of {@link useBackupFormat}. */
export interface BackupFormatters extends Formatters {
  /** a date without the time, medium length: "Jan 2, 2026" / "2 janv. 2026"; "" for an invalid date */
  date: (iso: string) => string;
  /** how long until `iso` from `now` (ms since the epoch): "in 29 days"; a past moment as an age */
  until: (iso: string, now: number) => string;
  /** a duration in milliseconds, two largest units: "1 min 7 sec" */
  duration: (ms: number) => string;
  /** one run of a schedule, with weekday and the time zone's short name: "Sun, Jan 4, 04:00 AM GMT+1" */
  run: (date: Date) => string;
  /** the browser's IANA time zone, e.g. `Europe/Paris` */
  timeZone: string;
}

/** The backup pages' formatters (see {@link BackupFormatters}) in the page's language. */
export function useBackupFormat(): BackupFormatters {
  const format = useFormat();
  return useMemo(() => {
    const { locale } = format;
    const dateOnly = dateTimeFormat(locale, { dateStyle: "medium" });
    const runFormat = dateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
    return {
      ...format,
      date: (iso) => {
        const d = new Date(iso);
        return Number.isNaN(d.getTime()) ? "" : dateOnly.format(d);
      },
      until: (iso, now) => formatUntil(iso, now, locale),
      duration: (ms) => formatDuration(ms, locale),
      run: (date) => runFormat.format(date),
      timeZone: dateTimeFormat(locale).resolvedOptions().timeZone,
    };
  }, [format]);
}
