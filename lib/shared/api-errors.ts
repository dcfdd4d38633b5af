/**
 * Errors as codes the UI translates (issue 16). Every error answer of the API carries
 *
 *   { error: { code, reason, params, message, field?, details? } }
 *
 * - `code`: the category (`invalid`, `conflict`, `not_found`…; lib/server/errors.ts `errorStatus`),
 *   stable for API clients;
 * - `reason`: what exactly went wrong, a key of the `ApiErrors` namespace of messages/*.json
 *   (e.g. `vm_exists`), so an unknown reason is a type error and a reason without its French text
 *   fails lib/i18n/messages.test.ts;
 * - `params`: the message's arguments (see {@link ErrorValue});
 * - `message`: the same message in English, rendered on the server from messages/en.json, for API
 *   clients and logs. The browser renders `reason` + `params` in the user's language instead
 *   (lib/client/api-error-message.ts).
 *
 * A problem with one input field is reason `invalid_field` with `params.field` (the path shown,
 * e.g. `rootDisk.storage`) and `params.problem`, a key of the `Validation` namespace rendered
 * with the same params and put after the field ("name must be at most 41 characters"). Forms show
 * the problem alone next to the field. The zod schemas of lib/shared carry such keys as their
 * messages ({@link problem}), so the server's 422 and the forms' own checks say the same thing in
 * the same language.
 *
 * Safe for the browser: only the catalogue's type is imported here, not the catalogue.
 */
import type { z } from "zod";
import type en from "../../messages/en.json";

/** A specific, stable, translatable error: a key of the `ApiErrors` namespace. */
export type ApiErrorReason = keyof (typeof en)["ApiErrors"];

/** A problem with one input value: a key of the `Validation` namespace. */
export type ValidationProblem = keyof (typeof en)["Validation"];

/** One element of a list parameter: a key of the `ApiErrorItems` namespace. */
export type ErrorItemKey = Exclude<keyof (typeof en)["ApiErrorItems"], "separator">;

/** An amount shown in the reader's units: `{ bytes }` as a size ("4 GiB"), `{ vcpu }` as vCPUs ("2 vCPU"). */
export type ErrorAmount = { bytes: number } | { vcpu: number };

/** A single parameter value. */
export type ErrorScalar = string | number | ErrorAmount;

/** One element of a list parameter (e.g. one resource over quota), rendered from `ApiErrorItems.<item>`. */
export interface ErrorItem {
  item: ErrorItemKey;
  params: Record<string, ErrorScalar>;
}

/**
 * A parameter value, JSON as sent: a string or number (shown as is), an {@link ErrorAmount}, a list
 * of strings (joined as the reader's language joins "a, b and c"), or a list of {@link ErrorItem}s
 * (each rendered, joined by `ApiErrorItems.separator`).
 */
export type ErrorValue = ErrorScalar | string[] | ErrorItem[];

/** The parameters of an error (or of a validation problem). */
export type ErrorParams = Record<string, ErrorValue>;

/** The JSON body of every error answer of the API. */
export interface ApiErrorBody {
  error: {
    /** the category, e.g. `conflict` (lib/server/errors.ts `ErrorCode`) */
    code: string;
    reason: ApiErrorReason;
    params: ErrorParams;
    /** the English rendering of `reason` + `params` */
    message: string;
    /** dotted path of the input field, e.g. `rootDisk.source.url` */
    field?: string;
    /** machine-readable details, e.g. `{ over }` of a quota edit below usage */
    details?: unknown;
  };
}

/** Renders one message of a catalogue: `key` is `Namespace.key`; values are strings and numbers. */
export type TranslateFn = (key: string, values: Record<string, string | number>) => string;

/** How a language shows amounts and lists. */
export interface ErrorFormatters {
  bytes(n: number): string;
  vcpu(n: number): string;
  list(items: string[]): string;
}

function isAmount(v: unknown): v is ErrorAmount {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (typeof (v as { bytes?: unknown }).bytes === "number" || typeof (v as { vcpu?: unknown }).vcpu === "number");
}

function scalar(v: ErrorScalar, fmt: ErrorFormatters): string | number {
  if (typeof v === "string" || typeof v === "number") return v;
  if ("bytes" in v) return fmt.bytes(v.bytes);
  return fmt.vcpu(v.vcpu);
}

/** `params` as message values: amounts formatted, lists joined, items rendered. */
function values(translate: TranslateFn, params: ErrorParams, fmt: ErrorFormatters): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === "string")) out[k] = fmt.list(v as string[]);
      else {
        const items = (v as ErrorItem[]).map((i) => translate(`ApiErrorItems.${i.item}`, values(translate, i.params, fmt)));
        out[k] = items.join(translate("ApiErrorItems.separator", {}));
      }
    } else if (isAmount(v) || typeof v === "string" || typeof v === "number") out[k] = scalar(v, fmt);
  }
  return out;
}

/**
 * Renders a validation problem (without the field), e.g. "must be at most 41 characters".
 * @param translate renders a catalogue message in the wanted language
 */
export function renderProblem(translate: TranslateFn, problem: ValidationProblem, params: ErrorParams, fmt: ErrorFormatters): string {
  return translate(`Validation.${problem}`, values(translate, params, fmt));
}

/**
 * Renders an error in one language: `ApiErrors.<reason>` with `params` (for `invalid_field`, the
 * `Validation.<params.problem>` message first, as its `problem` value).
 * @param translate renders a catalogue message in the wanted language; it may throw for an unknown key
 * @returns the message, e.g. `A VM named "web" already exists.`
 */
export function renderError(translate: TranslateFn, reason: ApiErrorReason, params: ErrorParams, fmt: ErrorFormatters): string {
  const v = values(translate, params, fmt);
  if (reason === "invalid_field" && typeof params.problem === "string") v.problem = renderProblem(translate, params.problem as ValidationProblem, params, fmt);
  return translate(`ApiErrors.${reason}`, v);
}

/**
 * The message of a schema check: a {@link ValidationProblem} and its params, encoded for zod
 * (zod 4 messages are plain strings). Numbers that zod knows (a `max` or `min` of the check) need
 * not be given: {@link issueProblem} adds them from the issue.
 * @example z.string().max(41, problem("maxChars"))
 */
export function problem(key: ValidationProblem, params?: ErrorParams): string {
  return JSON.stringify(params ? { problem: key, params } : { problem: key });
}

/** A problem with one input field, as {@link issueProblem} reads it from a zod issue. */
export interface FieldProblem {
  /** dotted path of the field, e.g. `externalPorts.0`; `body` for the whole input */
  field: string;
  problem: ValidationProblem;
  params: ErrorParams;
}

/** zod's English default for a missing value ends so (zod 4 locales/en.ts `invalid_type`). */
const receivedUndefined = /received undefined$/;

/**
 * The problem of a zod issue: the {@link problem} its schema gave as message (with the check's
 * `max`/`min`), or for zod's own messages a problem derived from the issue's code.
 */
export function issueProblem(issue: z.core.$ZodIssue): FieldProblem {
  const field = issue.path.map(String).join(".") || "body";
  const bound: ErrorParams = {};
  if (issue.code === "too_big") bound.max = Number(issue.maximum);
  if (issue.code === "too_small") bound.min = Number(issue.minimum);
  if (issue.message.startsWith('{"problem":')) {
    try {
      const given = JSON.parse(issue.message) as { problem: ValidationProblem; params?: ErrorParams };
      return { field, problem: given.problem, params: { ...bound, ...given.params } };
    } catch {
      /* not one of ours: derived below */
    }
  }
  switch (issue.code) {
    case "invalid_type":
      if (receivedUndefined.test(issue.message)) return { field, problem: "required", params: {} };
      if (issue.expected === "number" || issue.expected === "int") return { field, problem: "number", params: {} };
      return { field, problem: "wrongType", params: { expected: issue.expected } };
    case "too_big":
      return { field, problem: issue.origin === "string" ? "maxChars" : issue.origin === "array" || issue.origin === "set" ? "maxItems" : "maxValue", params: bound };
    case "too_small":
      if (issue.origin === "string") return Number(issue.minimum) === 1 ? { field, problem: "required", params: {} } : { field, problem: "minChars", params: bound };
      return { field, problem: issue.origin === "array" || issue.origin === "set" ? "minItems" : "minValue", params: bound };
    case "invalid_value":
      return { field, problem: "oneOf", params: { values: issue.values.map(String).join(", ") } };
    case "unrecognized_keys":
      return { field, problem: "unknownKeys", params: { keys: issue.keys.join(", ") } };
    case "invalid_format":
      return { field, problem: issue.format === "url" ? "url" : "invalid", params: {} };
    default:
      return { field, problem: "invalid", params: {} };
  }
}

/**
 * The error body of a field problem (what the server answers as a 422), for the client's own
 * checks: renders through the same function as a server error.
 */
export function fieldProblemError(p: FieldProblem): { reason: "invalid_field"; params: ErrorParams; field: string } {
  return { reason: "invalid_field", params: { ...p.params, field: p.field, problem: p.problem }, field: p.field };
}
