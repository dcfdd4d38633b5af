/**
 * The one gate every API route goes through (dub's `withWorkspace`, kept small; `adminRoute` is
 * its platform-admin variant):
 *
 *   session (401) → cross-site check for mutations (403) → tenant membership (404 for
 *   non-members) → permission (403) → input (422 naming the field) → handler
 *
 * Every mutation (any method but GET/HEAD) writes one audit row, whether it succeeded, failed or
 * was denied. Errors are {@link AppError}s mapped to HTTP here and only here; anything else is a
 * 500 whose message stays in the server log.
 */
import type { NextRequest } from "next/server";
import { z } from "zod";
import { AppError, invalidField } from "./errors";
import { getPrincipal, type Principal } from "./auth/auth";
import { adminIdentity, getTenantAccess, type TenantAccess } from "./tenancy/tenancy";
import type { KubeIdentity } from "./k8s/identity";
import { writeAudit } from "./audit/audit";
import { getDb } from "./db/db";
import { logger } from "./logger";
import { clientAddress, isSameOrigin } from "./edge";
import { can, permissionTable, type Permission } from "../shared/permissions";
import type { AuditWhat } from "../shared/audit-actions";
import { issueProblem } from "../shared/api-errors";

/** What a tenant route's handler receives. */
export interface TenantContext<I> {
  req: NextRequest;
  principal: Principal;
  access: TenantAccess;
  input: I;
  /** the route's path parameters, e.g. `{ tenant: "acme", name: "web" }` */
  params: Record<string, string>;
  /**
   * the handler may name the audited target once it knows it, and replace the request summary
   * stored in the audit row (e.g. an edit's "what changed" lines), also when it fails afterwards
   */
  audit: { targetName?: string; summary?: unknown };
}

/** An answer with a status other than 200. */
export class Reply {
  constructor(readonly status: number, readonly body: unknown) {}
}

type RouteArgs = { params: Promise<Record<string, string>> };

const isMutation = (method: string) => method !== "GET" && method !== "HEAD";

/**
 * Turns any thrown value into the JSON error answer `{ error: { code, reason, params, message,
 * field?, details? } }` (lib/shared/api-errors.ts `ApiErrorBody`).
 */
export function errorResponse(err: unknown): Response {
  if (err instanceof AppError) return Response.json(err.toBody(), { status: err.status });
  if (err instanceof z.ZodError) return errorResponse(invalidInput(err));
  logger.error({ err }, "unhandled error in route");
  return errorResponse(new AppError("internal", "internal"));
}

/**
 * The first zod issue as an `invalid_field` AppError naming its field, e.g. `externalPorts.0`
 * (the schema's problem key and params: lib/shared/api-errors.ts `issueProblem`).
 */
export function invalidInput(err: z.ZodError): AppError {
  const { field, problem, params } = issueProblem(err.issues[0]);
  return invalidField(field, problem, params);
}

/**
 * Refuses a mutation that does not come from the portal's own pages (edge.ts `isSameOrigin`:
 * Origin against NEXTAUTH_URL's origin; forwarded headers only with TRUST_PROXY=1).
 * @throws AppError forbidden
 */
export function assertSameOrigin(req: NextRequest): void {
  const h = (name: string) => req.headers.get(name);
  const headers = { origin: h("origin"), "sec-fetch-site": h("sec-fetch-site"), host: h("host"), "x-forwarded-host": h("x-forwarded-host"), "x-forwarded-proto": h("x-forwarded-proto") };
  if (isSameOrigin(headers)) return;
  throw new AppError("forbidden", "cross_site");
}

/** Client IP and user agent of a request (server.ts sets x-forwarded-for from the socket). */
export function clientInfo(req: NextRequest): { ip: string | null; userAgent: string | null } {
  const ip = clientAddress(req.headers.get("x-forwarded-for"));
  return { ip, userAgent: req.headers.get("user-agent") };
}

/** The largest JSON body a route reads, in bytes: `HIKUBE_MAX_JSON_BYTES`, default 1 MiB. */
export function maxJsonBytes(): number {
  const n = Number(process.env.HIKUBE_MAX_JSON_BYTES);
  return Number.isInteger(n) && n > 0 ? n : 1 << 20;
}

/**
 * Reads a request body as text, refusing more than `limit` bytes (by Content-Length first, then
 * while reading, so an over-long chunked body is cut off, not buffered).
 * @throws AppError payload_too_large (413)
 */
async function readCapped(req: NextRequest, limit: number): Promise<string> {
  const tooLarge = () => new AppError("payload_too_large", "body_too_large", { limit }, { field: "body" });
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads the raw input: the query for GET/HEAD/DELETE, the JSON body (at most {@link maxJsonBytes})
 * otherwise. Called only once the session is known. A body that is not JSON is reported, not
 * thrown, so the gate can keep its order (404, 403, then 422).
 * @throws AppError payload_too_large (413)
 */
async function readInput(req: NextRequest, streamBody = false): Promise<{ value: unknown; error?: AppError }> {
  if (streamBody || req.method === "GET" || req.method === "HEAD" || req.method === "DELETE") {
    return { value: Object.fromEntries(req.nextUrl.searchParams.entries()) };
  }
  const text = await readCapped(req, maxJsonBytes());
  if (!text) return { value: {} };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { value: undefined, error: invalidField("body", "json") };
  }
}

/**
 * The audit row of an attempt without a session: platform-level (no tenant), nothing of the
 * request kept but the path's target name (capped), so an anonymous caller can never write into a
 * tenant's audit log.
 */
function auditAnonymous(
  what: AuditWhat,
  row: { targetName?: string; result: "success" | "failure" | "denied"; errorMessage?: string; ip: string | null; userAgent: string | null },
): Promise<void> {
  return writeAudit({ actor: "anonymous", tenantName: "", ...what, targetName: row.targetName?.slice(0, 253) ?? null,
    result: row.result, errorMessage: row.errorMessage ?? null, ip: row.ip, userAgent: row.userAgent });
}

/**
 * Wraps a tenant-scoped route handler (`/api/tenants/[tenant]/...`).
 * @param opts.permission the action, checked against the permission table
 * @param opts.input zod schema of the body (mutations) or query (GET/DELETE)
 * @param opts.audit action and target kind recorded for mutations
 * @param opts.summarize the request summary stored in the audit row (defaults to the input)
 * @param opts.streamBody the body is a stream the handler consumes (e.g. a disk upload): it is not
 *   read here, and `input` is parsed from the query
 * @returns a Next route handler
 */
export function tenantRoute<I = Record<string, string>>(
  opts: {
    permission: Permission;
    input?: z.ZodType<I, unknown>;
    audit?: AuditWhat;
    summarize?: (input: I) => unknown;
    streamBody?: boolean;
  },
  handler: (ctx: TenantContext<I>) => Promise<unknown>,
): (req: NextRequest, args: RouteArgs) => Promise<Response> {
  return async (req, args) => {
    const params = await args.params;
    const tenantName = params.tenant ?? "";
    const mutation = isMutation(req.method);
    const { ip, userAgent } = clientInfo(req);
    const audit: TenantContext<I>["audit"] = { targetName: params.name as string | undefined };
    let principal: Principal | null = null;
    let access: TenantAccess | null = null;
    let rawInput: unknown = undefined;
    let summary: unknown = undefined;
    let timing = "";
    const record = async (result: "success" | "failure" | "denied", errorMessage?: string) => {
      if (!mutation || !opts.audit) return;
      if (!principal) return auditAnonymous(opts.audit, { targetName: params.name, result, errorMessage, ip, userAgent });
      await writeAudit({
        actor: principal.username,
        actorId: principal.userId ?? null,
        tenantId: access?.tenant.id ?? null,
        tenantName: tenantName.slice(0, 63),
        ...opts.audit,
        targetName: audit.targetName ?? null,
        request: audit.summary ?? summary ?? rawInput,
        result,
        errorMessage: errorMessage ?? null,
        ip,
        userAgent,
      });
    };
    try {
      const t0 = performance.now();
      // Nothing of the request is read before the session is known.
      principal = await getPrincipal();
      if (!principal) throw new AppError("unauthenticated", "unauthenticated");
      // Read next (never trusted before the checks below) so that even a denied attempt's audit
      // row names its target.
      const read = await readInput(req, opts.streamBody);
      rawInput = read.value;
      const rawName = (rawInput as { name?: unknown } | null)?.name;
      if (!audit.targetName && typeof rawName === "string") audit.targetName = rawName.slice(0, 253);
      if (mutation) assertSameOrigin(req);
      const t1 = performance.now();
      access = await getTenantAccess(principal, tenantName);
      const t2 = performance.now();
      timing = `session;dur=${(t1 - t0).toFixed(1)}, tenant;dur=${(t2 - t1).toFixed(1)}`;
      if (!access) throw new AppError("not_found", "tenant_not_found", { tenant: tenantName });
      if (!can(access.role, opts.permission)) {
        throw new AppError("forbidden", "role_too_low", { tenant: access.tenant.name, role: access.role, needed: permissionTable[opts.permission] });
      }
      if (read.error) throw read.error;
      const input = opts.input ? opts.input.parse(rawInput) : (rawInput as I);
      summary = opts.summarize ? opts.summarize(input) : input;
      const t3 = performance.now();
      const result = await handler({ req, principal, access, input, params, audit });
      timing += `, handler;dur=${(performance.now() - t3).toFixed(1)}`;
      await record("success");
      if (result instanceof Response) return result;
      // Server-Timing (W3C) shows where a request's time went in the browser's network panel.
      const headers = { "Server-Timing": timing };
      if (result instanceof Reply) return Response.json(result.body, { status: result.status, headers });
      return Response.json(result ?? null, { headers });
    } catch (err) {
      const status = err instanceof AppError ? err.status : err instanceof z.ZodError ? 422 : 500;
      const message = err instanceof AppError ? err.message : err instanceof z.ZodError ? invalidInput(err).message : "internal error";
      // Over quota is a 403 too, but the caller was allowed to try: a failure, not a denial.
      const isDenial = (status === 401 || status === 403 || status === 404) && !(err instanceof AppError && err.code === "quota_exceeded");
      await record(isDenial ? "denied" : "failure", message);
      return errorResponse(err);
    }
  };
}

/**
 * Wraps a route that needs a session but no tenant (e.g. the tenant list).
 * @returns a Next route handler
 */
export function sessionRoute(handler: (ctx: { req: NextRequest; principal: Principal }) => Promise<unknown>):
  (req: NextRequest) => Promise<Response> {
  return async (req) => {
    try {
      const principal = await getPrincipal();
      if (!principal) throw new AppError("unauthenticated", "unauthenticated");
      const result = await handler({ req, principal });
      return result instanceof Response ? result : Response.json(result ?? null);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** What a platform-admin route's handler receives. */
export interface AdminContext<I> {
  req: NextRequest;
  principal: Principal;
  /** the admin's own cluster identity (group `cozystack-cluster-admin`), by impersonation */
  identity: KubeIdentity;
  input: I;
  params: Record<string, string>;
  /** the handler may name the audited tenant and target once it knows them */
  audit: { tenantName?: string; tenantId?: string | null; targetName?: string };
}

/**
 * Wraps a platform-admin route (`/api/admin/...`): session (401) → same origin for mutations (403)
 * → platform admin (403 for everyone else) → input (422) → handler. Every mutation is audited,
 * and so is every refused attempt, reads included (who probes the admin API is worth knowing).
 * @param opts.audit action and target kind of the audit rows
 * @returns a Next route handler
 */
export function adminRoute<I = Record<string, string>>(
  opts: { input?: z.ZodType<I, unknown>; audit: AuditWhat; summarize?: (input: I) => unknown },
  handler: (ctx: AdminContext<I>) => Promise<unknown>,
): (req: NextRequest, args: RouteArgs) => Promise<Response> {
  return async (req, args) => {
    const params = (await args?.params) ?? {};
    const mutation = isMutation(req.method);
    const { ip, userAgent } = clientInfo(req);
    const audit: AdminContext<I>["audit"] = { tenantName: params.tenant, targetName: params.username ?? params.tenant };
    let principal: Principal | null = null;
    let rawInput: unknown = undefined;
    let summary: unknown = undefined;
    const record = async (result: "success" | "failure" | "denied", errorMessage?: string) => {
      if (!mutation && result !== "denied") return;
      if (!principal) return auditAnonymous(opts.audit, { result, errorMessage, ip, userAgent });
      const tenantId = audit.tenantId !== undefined || !audit.tenantName ? audit.tenantId
        : (await getDb().tenant.findUnique({ where: { name: audit.tenantName }, select: { id: true } }).catch(() => null))?.id;
      await writeAudit({
        actor: principal?.username ?? "anonymous",
        actorId: principal?.userId ?? null,
        tenantId: tenantId ?? null,
        tenantName: audit.tenantName ?? "",
        ...opts.audit,
        targetName: audit.targetName ?? null,
        request: summary ?? rawInput,
        result,
        errorMessage: errorMessage ?? null,
        ip,
        userAgent,
      });
    };
    try {
      principal = await getPrincipal();
      if (!principal) throw new AppError("unauthenticated", "unauthenticated");
      if (mutation) assertSameOrigin(req);
      if (!principal.isPlatformAdmin) throw new AppError("forbidden", "platform_admin_only");
      // Only a platform admin's body is read at all.
      const read = await readInput(req);
      rawInput = read.value;
      if (read.error) throw read.error;
      const input = opts.input ? opts.input.parse(rawInput) : (rawInput as I);
      summary = opts.summarize ? opts.summarize(input) : input;
      const result = await handler({ req, principal, identity: adminIdentity(principal), input, params, audit });
      await record("success");
      if (result instanceof Response) return result;
      if (result instanceof Reply) return Response.json(result.body, { status: result.status });
      return Response.json(result ?? null);
    } catch (err) {
      const status = err instanceof AppError ? err.status : err instanceof z.ZodError ? 422 : 500;
      const message = err instanceof AppError ? err.message : err instanceof z.ZodError ? invalidInput(err).message : "internal error";
      // a non-admin's refused attempt names no tenant: it is not in any tenant's log
      if (status === 403 && principal && !principal.isPlatformAdmin) audit.tenantName = audit.tenantId = undefined;
      await record(status === 401 || status === 403 ? "denied" : "failure", message);
      return errorResponse(err);
    }
  };
}
