/**
 * The query of `GET /api/tenants/{tenant}/vms` for API clients: the VM list page's own search,
 * filters and sort (lib/client/vm-list-view.ts, the same names as in the page's URL), plus a page
 * size and a cursor.
 *
 * Without `limit` and `cursor` the answer is every matching row, as a JSON array (what the page
 * and earlier clients read). With either, it is one page, {@link VmPage}: `limit` rows at most,
 * and `nextCursor` to ask for the rows after them (null on the last page). A cursor is opaque;
 * it names the last row's place in the sort order, so rows created or deleted between two pages
 * neither repeat nor shift the next page, and it is only valid with the sort it was made for.
 */
import { z } from "zod";
import { problem } from "./api-errors";
import type { VmSummary } from "./vm";
import { vmSortKeys } from "../client/vm-list-view";

/** Largest page. */
export const vmPageMax = 1000;

// Filter values are power states, instance types or OS profiles: names, never free text.
const filterValue = z.string().max(63, problem("maxChars")).regex(/^[A-Za-z0-9._-]*$/, problem("invalid")).default("");

/** The query string of `GET /api/tenants/{tenant}/vms` (every parameter optional; unknown ones are a 422). */
export const listVmsQuerySchema = z.object({
  /** part of the VM name, case-insensitive */
  q: z.string().max(100, problem("maxChars")).default(""),
  /** exact power state, e.g. `Running` */
  state: filterValue,
  /** exact instance type, e.g. `u1.medium` */
  type: filterValue,
  /** exact OS profile, e.g. `ubuntu` */
  profile: filterValue,
  external: z.enum(["", "yes", "no"], { message: problem("oneOf", { values: "yes, no" }) }).default(""),
  sort: z.enum(vmSortKeys, { message: problem("oneOf", { values: vmSortKeys.join(", ") }) }).default("age"),
  /** for `age`, `asc` is the youngest first */
  dir: z.enum(["asc", "desc"], { message: problem("oneOf", { values: "asc, desc" }) }).default("asc"),
  limit: z.coerce.number({ message: problem("number") }).int(problem("integer")).min(1, problem("minValue"))
    .max(vmPageMax, problem("maxValue")).optional(),
  cursor: z.string().max(400, problem("maxChars")).regex(/^[A-Za-z0-9_-]+$/, problem("badCursor")).optional(),
}).strict();

/** A parsed {@link listVmsQuerySchema}. */
export type ListVmsQuery = z.infer<typeof listVmsQuerySchema>;

/** One page of the VM list (`limit` or `cursor` given). */
export interface VmPage {
  items: VmSummary[];
  /** the rows after this page: pass it as `cursor` with the same sort; null on the last page */
  nextCursor: string | null;
  /** how many VMs match the search and filters, over all pages */
  total: number;
}
