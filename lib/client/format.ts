/**
 * Numbers, sizes, percentages and dates for people, in the page's language, all through `Intl`
 * (docs/glossary.md: "1,5 Gio" and "12,5 %" in French, "1.5 GiB" and "12.5%" in English).
 * Components take them from {@link useFormat}, which binds the current next-intl locale; the
 * plain functions are for tests and non-React code.
 */
import { useMemo } from "react";
import { useLocale } from "next-intl";
import { formatBytes } from "@/lib/shared/quantity";
import { formatQuotaAmount, type QuotaResource } from "@/lib/shared/quota";
import { formatAge } from "./relative-time";
import { dateTimeFormat, numberFormat } from "@/lib/shared/intl-formats";

/**
 * A percentage with one decimal: 12.5 → "12.5%" (en), "12,5 %" (fr, with the narrow no-break
 * space French puts before %).
 * @param percent a value from 0 to 100 (not a ratio)
 */
export function formatPercent(percent: number, locale: string): string {
  return numberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(percent / 100);
}

/**
 * A date and time, medium length: "Jan 2, 2026, 3:04:05 AM" (en), "2 janv. 2026, 03:04:05" (fr),
 * in the browser's time zone.
 * @param value an ISO 8601 text or a Date
 * @returns "" when `value` is not a date
 */
export function formatDateTime(value: string | Date, locale: string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return "";
  return dateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" }).format(date);
}

/** A plain number in `locale` ("1,234.5" / "1 234,5"), with `Intl.NumberFormat` options. */
export function formatNumber(value: number, locale: string, options?: Intl.NumberFormatOptions): string {
  return numberFormat(locale, options).format(value);
}

/** The formatters of {@link useFormat}, bound to one locale. */
export interface Formatters {
  /** the locale they use */
  locale: string;
  /** bytes with binary units: "4 GiB", "1,5 Gio" */
  bytes: (bytes: number) => string;
  /** a quota amount (millicores, bytes or a count), see `formatQuotaAmount` */
  quota: (resource: QuotaResource, value: number) => string;
  /** a plain number */
  number: (value: number, options?: Intl.NumberFormatOptions) => string;
  /** a percentage from 0 to 100, one decimal */
  percent: (percent: number) => string;
  /** a date and time, medium length; "" for an invalid date */
  dateTime: (value: string | Date) => string;
  /** how long ago `iso` was, relative to `now` (ms since the epoch): "3 min ago", "il y a 3 min" */
  age: (iso: string, now: number) => string;
}

/** The formatters of `locale` (what {@link useFormat} returns). */
export function formattersFor(locale: string): Formatters {
  return {
    locale,
    bytes: (bytes) => formatBytes(bytes, locale),
    quota: (resource, value) => formatQuotaAmount(resource, value, locale),
    number: (value, options) => formatNumber(value, locale, options),
    percent: (percent) => formatPercent(percent, locale),
    dateTime: (value) => formatDateTime(value, locale),
    age: (iso, now) => formatAge(iso, now, locale),
  };
}

/** The formatters of the page's language (next-intl's locale), for components. */
export function useFormat(): Formatters {
  const locale = useLocale();
  return useMemo(() => formattersFor(locale), [locale]);
}
