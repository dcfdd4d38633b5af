/**
 * A small client of Prometheus's HTTP API (`/api/v1/query_range` and `/api/v1/query`,
 * https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries) at `PROMETHEUS_URL`
 * (unset or empty: metrics are not configured). Only this folder builds queries, from fixed
 * templates (./vm-metrics.ts).
 */
import { AppError } from "../errors";
import { logger } from "../logger";

/** How long one query may take before the answer is "metrics unavailable". */
const QUERY_TIMEOUT_MS = 10_000;

/** `PROMETHEUS_URL` without a trailing slash, or null when it is unset or empty. */
export function prometheusUrl(): string | null {
  const url = process.env.PROMETHEUS_URL?.trim();
  return url ? url.replace(/\/+$/, "") : null;
}

/**
 * A PromQL string literal holding `value` (double-quoted; `\`, `"` and line breaks escaped, as
 * PromQL's lexer reads Go-style escapes), so no value can end the literal.
 */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
}

/** One series of a range query's matrix answer. */
interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/**
 * Runs a range query and returns the points of its first series (`[unix seconds, value]`; values
 * that are not finite, e.g. NaN, are left out); [] when the query matched nothing.
 * @throws AppError cluster_unavailable `metrics_not_configured` without PROMETHEUS_URL,
 *   `metrics_unavailable` when Prometheus does not answer or refuses the query (details in the log)
 */
export async function queryRangePoints(query: string, start: number, end: number, step: number): Promise<[number, number][]> {
  const body = await callPrometheus("/api/v1/query_range", { query, start: String(start), end: String(end), step: String(step) }, "matrix");
  const first = (body.result as MatrixSeries[] | undefined)?.[0];
  if (!first) return [];
  const points: [number, number][] = [];
  for (const [t, v] of first.values) {
    const n = Number(v);
    if (Number.isFinite(n)) points.push([t, n]);
  }
  return points;
}

/**
 * POSTs a form to Prometheus's HTTP API and returns its `data` when the answer is a success of
 * `resultType`.
 * @throws AppError cluster_unavailable `metrics_not_configured` without PROMETHEUS_URL,
 *   `metrics_unavailable` when Prometheus does not answer in time or refuses the query (details in the log)
 */
async function callPrometheus(path: string, form: Record<string, string>, resultType: "matrix" | "vector"): Promise<{ result?: unknown }> {
  const base = prometheusUrl();
  if (!base) throw new AppError("cluster_unavailable", "metrics_not_configured");
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message }, "Prometheus did not answer");
    throw new AppError("cluster_unavailable", "metrics_unavailable");
  }
  const body = (await res.json().catch(() => null)) as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } } | null;
  if (!res.ok || body?.status !== "success" || body.data?.resultType !== resultType) {
    logger.warn({ status: res.status, error: body?.error, query: form.query }, "Prometheus refused a query");
    throw new AppError("cluster_unavailable", "metrics_unavailable");
  }
  return body.data;
}

/** One sample of an instant query's vector answer: its labels and value. */
export interface VectorSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Runs an instant query at `time` (unix seconds, `/api/v1/query`) and returns its vector's samples
 * with a finite value, in Prometheus's order (a `topk` answer is not sorted: sort it yourself).
 * @throws AppError cluster_unavailable `metrics_not_configured` / `metrics_unavailable`, as {@link queryRangePoints}
 */
export async function queryVector(query: string, time: number): Promise<VectorSample[]> {
  const body = await callPrometheus("/api/v1/query", { query, time: String(time) }, "vector");
  const result = (body.result ?? []) as { metric: Record<string, string>; value: [number, string] }[];
  return result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) })).filter((s) => Number.isFinite(s.value));
}
