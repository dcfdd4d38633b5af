/**
 * Tenant quotas as the browser and the server share them: the six limited resources, the amounts
 * of a quota / of a usage / of a request in one shape, and the pure check that says what is over.
 *
 * Units are those of the Quota model (prisma/schema.prisma): CPU in millicores (1 vCPU = 1000),
 * memory and storage in bytes, the rest as counts. A "load balancer" is an external VM (a VMInstance
 * with `external: true` gets a Service of type LoadBalancer, i.e. a public IP, in Cozystack).
 */
import { z } from "zod";
import { formatBytes } from "./quantity";
import { problem } from "./api-errors";
import { numberFormat } from "./intl-formats";

/** The limited resources, in display order; each is a field of {@link QuotaAmounts}. */
export const quotaResources = ["cpuMillicores", "memoryBytes", "storageBytes", "vmCount", "diskCount", "loadBalancers"] as const;

/** One limited resource. */
export type QuotaResource = (typeof quotaResources)[number];

/** Amounts of every resource: a quota's limits, a tenant's usage, or what one request adds. */
export type QuotaAmounts = Record<QuotaResource, number>;

/** A tenant's quota and current usage, as `GET /api/tenants/{tenant}/quota` answers. */
export interface QuotaStatus {
  /** null when the tenant has no quota row (nothing is limited) */
  limits: QuotaAmounts | null;
  usage: QuotaAmounts;
}

/** One resource a request would push over its limit. */
export interface QuotaExcess {
  resource: QuotaResource;
  limit: number;
  used: number;
  requested: number;
  /** what is still free (never negative) */
  remaining: number;
}

/** All-zero amounts. */
export function zeroAmounts(): QuotaAmounts {
  return { cpuMillicores: 0, memoryBytes: 0, storageBytes: 0, vmCount: 0, diskCount: 0, loadBalancers: 0 };
}

/** Sums amounts field by field. */
export function addAmounts(a: QuotaAmounts, b: Partial<QuotaAmounts>): QuotaAmounts {
  const out = { ...a };
  for (const r of quotaResources) out[r] += b[r] ?? 0;
  return out;
}

/**
 * The resources `request` would push over `limits` given `usage` (empty when it fits). Resources
 * the request does not use (0) are never reported, even when usage is already over the limit.
 */
export function findQuotaExcess(limits: QuotaAmounts, usage: QuotaAmounts, request: Partial<QuotaAmounts>): QuotaExcess[] {
  const out: QuotaExcess[] = [];
  for (const resource of quotaResources) {
    const requested = request[resource] ?? 0;
    if (requested <= 0) continue;
    const limit = limits[resource];
    const used = usage[resource];
    if (used + requested > limit) out.push({ resource, limit, used, requested, remaining: Math.max(0, limit - used) });
  }
  return out;
}

/** The resources whose usage is above `limits` (a quota lowered below what is in use). */
export function findOverUsage(limits: QuotaAmounts, usage: QuotaAmounts): QuotaExcess[] {
  return quotaResources
    .filter((r) => usage[r] > limits[r])
    .map((resource) => ({ resource, limit: limits[resource], used: usage[resource], requested: 0, remaining: 0 }));
}

/**
 * Formats an amount of `resource` for people, the number through `Intl.NumberFormat` of `locale`:
 * "2 vCPU", "0.50 vCPU", "4 GiB", "3" in English; "0,50 vCPU", "4 Gio" in French. The server's
 * English messages call it without a locale.
 * @param value millicores for `cpuMillicores`, bytes for memory and storage, a count otherwise
 */
export function formatQuotaAmount(resource: QuotaResource, value: number, locale = "en"): string {
  if (resource === "cpuMillicores") {
    const cores = value / 1000;
    const digits = Number.isInteger(cores) ? 0 : 2;
    return `${numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(cores)} vCPU`;
  }
  if (resource === "memoryBytes" || resource === "storageBytes") return formatBytes(value, locale);
  return numberFormat(locale).format(value);
}

const count = (max: number) => z.number({ message: problem("number") }).int(problem("integer")).min(0, problem("nonNegative")).max(max, problem("maxValue"));

/** A quota as the admin form sends it (units as in {@link QuotaAmounts}). */
export const quotaAmountsSchema = z.object({
  cpuMillicores: count(10_000_000),
  memoryBytes: count(Number.MAX_SAFE_INTEGER),
  storageBytes: count(Number.MAX_SAFE_INTEGER),
  vmCount: count(100_000),
  diskCount: count(100_000),
  loadBalancers: count(100_000),
});
