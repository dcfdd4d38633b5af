/**
 * The one error type routes throw, mapped to HTTP in one place (lib/server/gate.ts).
 * Codes: unauthenticated 401, forbidden 403, not_found 404, conflict 409, invalid 422,
 * payload_too_large 413, too_many_requests 429,
 * cluster_unavailable 503, busy 503 (a tenant's quota lock is contended), quota_exceeded 403,
 * internal 500 (message hidden from the browser).
 */

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

/** An error with a message fit for the user and, for `invalid`, the field it concerns. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** dotted path of the input field, e.g. `rootDisk.source.url` */
  readonly field?: string;
  /** machine-readable details sent with the answer, e.g. the resources over quota */
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, field?: string, details?: unknown) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.field = field;
    this.details = details;
  }

  /** The HTTP status of {@link code}. */
  get status(): number {
    return errorStatus[this.code];
  }
}

/** The JSON body of an error answer: `{ error: { code, message, field?, details? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; details?: unknown };
}
