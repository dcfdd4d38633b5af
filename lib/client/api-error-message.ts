/**
 * Any error a page shows, in the user's language: an API error's `reason` + `params` rendered
 * from the `ApiErrors` messages (lib/shared/api-errors.ts), the same as the server's English
 * `message` but translated. The English `message` is shown only for a reason this catalogue does
 * not know (a newer server), and an error that is not the API's (a bug) shows its own message.
 */
import { useLocale, useTranslations } from "next-intl";
import { useCallback } from "react";
import { formatBytes } from "@/lib/shared/quantity";
import { formatQuotaAmount } from "@/lib/shared/quota";
import {
  renderError, renderProblem, type ApiErrorReason, type ErrorFormatters, type ErrorParams, type TranslateFn, type ValidationProblem,
} from "@/lib/shared/api-errors";

/** A translator of the whole catalogue (next-intl's `useTranslations()` without a namespace). */
export interface CatalogueTranslator {
  (key: string, values?: Record<string, string | number>): string;
  has(key: string): boolean;
}

/** Options of {@link apiErrorMessage}. */
export interface ApiErrorMessageOptions {
  /**
   * for a form that shows the message next to its field: an `invalid_field` error is said without
   * the field's path ("must be at most 41 characters")
   */
  withoutField?: boolean;
}

/** An error with a reason: an ApiError, an `unavailable` event of a live list, a form's own check. */
interface ReasonedError {
  reason: string;
  params?: ErrorParams;
  message?: string;
}

function hasReason(err: unknown): err is ReasonedError {
  return typeof err === "object" && err !== null && typeof (err as { reason?: unknown }).reason === "string";
}

/**
 * Amounts and lists of error messages in `locale`. Sizes use the portal's one size format
 * (lib/shared/quantity.ts `formatBytes`) in `locale` ("4 GiB", "4 Gio"), as the rest of the pages do.
 */
export function errorFormatters(locale: string): ErrorFormatters {
  return {
    bytes: (n) => formatBytes(n, locale),
    vcpu: (n) => formatQuotaAmount("cpuMillicores", n * 1000, locale),
    list: (items) => new Intl.ListFormat(locale, { type: "conjunction" }).format(items),
  };
}

/**
 * The message of `err` in the translator's language.
 * @param t the whole catalogue's translator
 * @param locale the translator's locale (numbers and lists)
 * @param err an ApiError or anything with `reason` and `params`; an Error; anything else
 * @returns the translated message; the English `message` for an unknown reason
 */
export function apiErrorMessage(t: CatalogueTranslator, locale: string, err: unknown, opts: ApiErrorMessageOptions = {}): string {
  if (hasReason(err)) {
    const english = err.message ?? err.reason;
    if (!t.has(`ApiErrors.${err.reason}`)) return english;
    const params = err.params ?? {};
    // next-intl answers a message it cannot render with its key: treat that as a failure
    const translate: TranslateFn = (key, values) => {
      const text = t.has(key) ? t(key, values) : key;
      if (text === key) throw new Error(`message ${key} could not be rendered`);
      return text;
    };
    try {
      if (opts.withoutField && err.reason === "invalid_field" && typeof params.problem === "string") {
        return renderProblem(translate, params.problem as ValidationProblem, params, errorFormatters(locale));
      }
      return renderError(translate, err.reason as ApiErrorReason, params, errorFormatters(locale));
    } catch {
      // a param the message needs is missing (a server older or newer than this page)
      return english;
    }
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The function pages use to show an error in the user's language: `(err, opts?) => string`
 * (see {@link apiErrorMessage}).
 */
export function useApiErrorMessage(): (err: unknown, opts?: ApiErrorMessageOptions) => string {
  const t = useTranslations() as unknown as CatalogueTranslator;
  const locale = useLocale();
  return useCallback((err: unknown, opts?: ApiErrorMessageOptions) => apiErrorMessage(t, locale, err, opts), [t, locale]);
}
