/**
 * The one error type routes throw, mapped to HTTP in one place (lib/server/gate.ts).
 * Codes (categories): unauthenticated 401, forbidden 403, not_found 404, conflict 409, invalid 422
 * (also sent with status 400 for a request no route can parse, see server.ts and relay.ts `refuse`),
 * payload_too_large 413, too_many_requests 429,
 * cluster_unavailable 503, busy 503 (a tenant's quota lock is contended), quota_exceeded 403,
 * internal 500 (message hidden from the browser).
 *
 * Every error also names its reason (a key of the `ApiErrors` namespace of messages/*.json) and
 * the reason's params; its `message` is the English rendering of both, from messages/en.json, for
 * API clients, logs and audit rows. The browser shows the reason in the user's language
 * (lib/shared/api-errors.ts, lib/client/api-error-message.ts).
 */
import { createTranslator } from "next-intl";
import en from "../../messages/en.json";
import { formatBytes } from "../shared/quantity";
import {
  renderError, type ApiErrorBody, type ApiErrorReason, type ErrorFormatters, type ErrorParams, type TranslateFn, type ValidationProblem,
} from "../shared/api-errors";

/** Machine-readable error codes and their HTTP statuses. */
export const errorStatus = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid: 422,
  /** a body above the route's cap (gate.ts maxJsonBytes) */
  payload_too_large: 413,
  /** too many live streams / console sessions / sign-ins for one user or address */
  too_many_requests: 429,
  cluster_unavailable: 503,
  busy: 503,
  /** a create would exceed the tenant's quota: a kind of forbidden the UI can tell apart */
  quota_exceeded: 403,
  internal: 500,
} as const;

/** One of {@link errorStatus}'s codes. */
export type ErrorCode = keyof typeof errorStatus;

/**
 * Renders `Namespace.key` of messages/en.json through next-intl, as the pages render messages.
 * @throws Error for a missing key or param (next-intl's onError)
 */
const translateEnglish = createTranslator({
  locale: "en",
  messages: en,
  onError: (error) => {
    throw error;
  },
}) as unknown as TranslateFn;

/** English amounts and lists, as the server wrote them before messages were codes. */
const englishFormatters: ErrorFormatters = {
  bytes: formatBytes,
  vcpu: (n) => `${Number.isInteger(n) ? n : n.toFixed(2)} vCPU`,
  list: (items) => new Intl.ListFormat("en", { type: "conjunction" }).format(items),
};

/**
 * The English message of `reason` with `params` (messages/en.json `ApiErrors`).
 * @throws Error when a param the message needs is missing
 */
export function englishMessage(reason: ApiErrorReason, params: ErrorParams = {}): string {
  return renderError(translateEnglish, reason, params, englishFormatters);
}

/** Marks an AppError made by any copy of this module (see {@link AppError}'s `instanceof`). */
const appErrorBrand = Symbol.for("hikube-portal.AppError");

/**
 * An error with a reason the UI translates and, for `invalid`, the field it concerns.
 *
 * `instanceof AppError` holds for an AppError made by any copy of this module: the process runs
 * several (process-global.ts), and an error from a shared watch cache started by one copy reaches
 * route handlers of another. The class has no subclasses, so the brand check is exact.
 * @example throw new AppError("conflict", "vm_exists", { name }, { field: "name" })
 */
export class AppError extends Error {
  /** True for an AppError from any copy of this module (its brand), false for anything else. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[appErrorBrand] === true;
  }

  /** the brand {@link AppError}'s `instanceof` reads */
  readonly [appErrorBrand] = true;

  /** the category, mapped to the HTTP status */
  readonly code: ErrorCode;
  /** what exactly went wrong: a key of messages/en.json `ApiErrors` */
  readonly reason: ApiErrorReason;
  /** the reason's arguments (lib/shared/api-errors.ts `ErrorValue`) */
  readonly params: ErrorParams;
  /** dotted path of the input field, e.g. `rootDisk.source.url` */
  readonly field?: string;
  /** machine-readable details sent with the answer, e.g. the resources over quota */
  readonly details?: unknown;

  /**
   * @param opts.field the input field (a 422's `field`)
   * @param opts.details machine-readable details sent along
   * @throws Error when `params` lacks an argument of the reason's English message
   */
  constructor(code: ErrorCode, reason: ApiErrorReason, params: ErrorParams = {}, opts: { field?: string; details?: unknown } = {}) {
    super(englishMessage(reason, params));
    this.name = "AppError";
    this.code = code;
    this.reason = reason;
    this.params = params;
    this.field = opts.field;
    this.details = opts.details;
  }

  /** The HTTP status of {@link code}. */
  get status(): number {
    return errorStatus[this.code];
  }

  /** The JSON body of the answer (`message` included: the English text). */
  toBody(): ErrorBody {
    return {
      error: {
        code: this.code, reason: this.reason, params: this.params, message: this.message,
        ...(this.field ? { field: this.field } : {}), ...(this.details !== undefined ? { details: this.details } : {}),
      },
    };
  }
}

/**
 * An `invalid` (422) error about one input field: reason `invalid_field`, the English message
 * "`<field> <problem>`", e.g. `name must be at most 41 characters`.
 * @param field the path shown in the message (and the answer's `field` unless `opts.field` is given)
 * @param problem a key of messages/en.json `Validation`
 * @param params the problem's arguments
 * @param opts.field the answer's `field` when it differs from the path shown (e.g. `foo` for `spec.foo`)
 */
export function invalidField(field: string, problem: ValidationProblem, params: ErrorParams = {}, opts: { field?: string; details?: unknown } = {}): AppError {
  return new AppError("invalid", "invalid_field", { ...params, field, problem }, { field: opts.field ?? field, details: opts.details });
}

/** The JSON body of an error answer (lib/shared/api-errors.ts `ApiErrorBody`, with the code typed). */
export interface ErrorBody extends ApiErrorBody {
  error: ApiErrorBody["error"] & { code: ErrorCode };
}
