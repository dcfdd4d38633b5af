/**
 * Shared `Intl` formatters. Making an `Intl.DateTimeFormat` or `Intl.NumberFormat` costs far more
 * than using one (it resolves the locale's data: measured in the VM list, 60 ms of a filter
 * keystroke's CPU went to making one DateTimeFormat per row), so each locale and options pair is
 * made once and kept. The options used are fixed in the code, so few are ever made; the map is
 * still bounded.
 */

/** Most formatters kept per kind; past it the map starts again (a bound, never reached in use). */
const maxKept = 200;

/** Keeps the formatters of one `Intl` constructor by locale and options. */
function keeper<F, O>(make: (locale: string, options?: O) => F): (locale: string, options?: O) => F {
  const kept = new Map<string, F>();
  return (locale, options) => {
    const key = options === undefined ? locale : `${locale}\u0000${JSON.stringify(options)}`;
    let formatter = kept.get(key);
    if (!formatter) {
      if (kept.size >= maxKept) kept.clear();
      formatter = make(locale, options);
      kept.set(key, formatter);
    }
    return formatter;
  };
}

/**
 * The `Intl.DateTimeFormat` of `locale` and `options`, made once.
 * @throws RangeError for an invalid locale or options (as the constructor does)
 */
export const dateTimeFormat = keeper((locale: string, options?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options));

/**
 * The `Intl.NumberFormat` of `locale` and `options`, made once.
 * @throws RangeError for an invalid locale or options (as the constructor does)
 */
export const numberFormat = keeper((locale: string, options?: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options));

/**
 * The `Intl.RelativeTimeFormat` of `locale` and `options`, made once.
 * @throws RangeError for an invalid locale or options (as the constructor does)
 */
export const relativeTimeFormat = keeper((locale: string, options?: Intl.RelativeTimeFormatOptions) => new Intl.RelativeTimeFormat(locale, options));
