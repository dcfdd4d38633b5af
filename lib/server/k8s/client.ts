/**
 * HTTP calls to the Kubernetes API with an explicit identity, and the mapping of Kubernetes
 * `Status` answers to {@link AppError}s a user understands.
 *
 * Plain `https.request` rather than @kubernetes/client-node's generated clients: those send one
 * string per header name, and impersonating several groups needs several `Impersonate-Group`
 * lines (see identity.ts).
 */
import https from "node:https";
import { AppError, invalidField } from "../errors";
import { logger } from "../logger";
import { getConnection } from "./connection";
import { impersonationHeaders, type KubeIdentity } from "./identity";

/** One request to the API server. */
export interface KubeRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** REST path from kinds.ts `resourcePath()` */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** defaults to application/json; use application/merge-patch+json for merge patches */
  contentType?: string;
  /** ms before the request is abandoned as "cluster unavailable"; default 15 000 */
  timeoutMs?: number;
}

/** A Kubernetes `Status` object (the body of an error answer). */
interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { field?: string; message?: string; reason?: string }[] };
}

/**
 * Builds the URL of a request.
 *
 * A last guard behind kinds.ts `resourcePath()` (which validates every name): a path with an
 * empty, `.` or `..` segment, or one whose segment decodes to something holding '/', is refused
 * instead of being normalised by `new URL` into another resource's path.
 * @throws AppError invalid (422) on field `name` for such a path
 */
export function requestUrl(server: string, req: Pick<KubeRequest, "path" | "query">): string {
  const segments = req.path.split("/").slice(1);
  if (!req.path.startsWith("/") || segments.some((seg) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return true;
    }
    return seg === "" || decoded === "." || decoded === ".." || decoded.includes("/") || decoded.includes("\\");
  })) {
    throw invalidField("name", "pathSegment");
  }
  const url = new URL(server + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

/**
 * Removes RBAC and tenancy internals from a Kubernetes message before a user sees it: user
 * names (`User "x"`, `system:serviceaccount:...`), groups, namespaces (`in the namespace "x"`,
 * `namespaces "x"`) and API groups (`in API group "x"`).
 * @param text a Kubernetes `Status.message` or cause message
 * @returns the text with those parts removed or replaced by neutral words
 */
export function scrubClusterMessage(text: string): string {
  return text
    .replace(/\bUser "[^"]*"\s*/g, "")
    .replace(/\bsystem:serviceaccount:[^\s"]+/g, "a service account")
    .replace(/\s*\(?\bgroups?[=:]\s*\[[^\]]*\]\)?/gi, "")
    .replace(/\s*in API group "[^"]*"/g, "")
    .replace(/\s*(?:in|at) the cluster scope/g, "")
    .replace(/\s*in the namespace "[^"]*"/g, "")
    .replace(/\bnamespaces? "[^"]*"/g, "the namespace")
    .replace(/\s{2,}/g, " ")
    .trim();
}

/**
 * Maps a Kubernetes error answer to an {@link AppError} whose message names no RBAC internals
 * (no user, group, verb, API group or namespace):
 * 401/403 → forbidden "The cluster refused this action for your account." (the original is
 * logged at warn), 404 → not_found naming the object, 409 → conflict (AlreadyExists or a stale
 * update), 400/422 → invalid with the first cause's field (without `spec.`) and its scrubbed
 * message, 5xx → cluster_unavailable, anything else → internal.
 * Sources: k8s.io/apimachinery/pkg/api/errors/errors.go.
 * @param httpStatus the answer's HTTP status
 * @param body the answer's body, a `Status` JSON object or any text
 */
export function errorFromStatus(httpStatus: number, body: string): AppError {
  let status: KubeStatus = {};
  try {
    status = JSON.parse(body);
  } catch {
    /* not a Status: keep the raw text below */
  }
  const original = status.message ?? (body.slice(0, 300) || `HTTP ${httpStatus}`);
  const message = scrubClusterMessage(original);
  // the object as named in the message: `vminstances "web"`, or just "object" when unnamed
  const named = status.details?.name ? { kind: status.details.kind ?? "object", name: status.details.name } : null;
  switch (httpStatus) {
    case 401:
    case 403:
      logger.warn({ area: "k8s", httpStatus, reason: status.reason, clusterMessage: original }, "cluster refused a request");
      return new AppError("forbidden", "cluster_forbidden");
    case 404:
      return named ? new AppError("not_found", "cluster_not_found", named) : new AppError("not_found", "cluster_object_not_found");
    case 409:
      if (status.reason === "AlreadyExists") return named ? new AppError("conflict", "cluster_exists", named) : new AppError("conflict", "cluster_object_exists");
      return named ? new AppError("conflict", "cluster_changed", named) : new AppError("conflict", "cluster_object_changed");
    case 400:
    case 422: {
      const cause = status.details?.causes?.[0];
      const field = cause?.field?.replace(/^spec\./, "");
      return new AppError("invalid", "cluster_invalid", { message: cause?.message ? scrubClusterMessage(cause.message) : message }, { field });
    }
    default:
      if (httpStatus >= 500) return new AppError("cluster_unavailable", "cluster_error", { status: httpStatus, message });
      return new AppError("internal", "cluster_unexpected", { status: httpStatus, message });
  }
}

/** The AppError for a network failure (refused, reset, timeout, no credentials). */
export function unavailableError(err: unknown): AppError {
  const detail = err instanceof Error ? err.message : String(err);
  return new AppError("cluster_unavailable", "cluster_unreachable", { detail });
}

/** Low-level: sends a request and resolves with the raw answer, or rejects with cluster_unavailable. */
export async function sendRaw(identity: KubeIdentity, req: KubeRequest): Promise<{ status: number; body: string }> {
  const conn = await getConnection().catch((err) => {
    throw unavailableError(err);
  });
  const payload = req.body === undefined ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
  const headers: Record<string, string | string[]> = {
    Accept: "application/json",
    ...conn.authHeaders,
    ...impersonationHeaders(identity),
  };
  if (payload !== undefined) {
    headers["Content-Type"] = req.contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const r = https.request(requestUrl(conn.server, req), { method: req.method ?? "GET", agent: conn.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (err) => reject(unavailableError(err)));
    });
    r.setTimeout(req.timeoutMs ?? 15_000, () => r.destroy(new Error("timed out")));
    r.on("error", (err) => reject(unavailableError(err)));
    r.end(payload);
  });
}

/**
 * Sends a request and parses the JSON answer.
 * @throws AppError mapped by {@link errorFromStatus}, or cluster_unavailable on network failure
 */
export async function kubeRequest<T>(identity: KubeIdentity, req: KubeRequest): Promise<T> {
  const res = await sendRaw(identity, req);
  if (res.status < 200 || res.status >= 300) throw errorFromStatus(res.status, res.body);
  return (res.body ? JSON.parse(res.body) : {}) as T;
}
