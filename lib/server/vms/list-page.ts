/**
 * Search, filters, sort and pages of the VM list for API clients (`GET /api/tenants/{tenant}/vms`,
 * lib/shared/vm-list-query.ts), applied to the rows of {@link listVms} with the list page's own
 * rules (lib/client/vm-list-view.ts), so the API and the page show the same rows in the same order.
 */
import { filterVms, sortVms, vmSortKeys, type SortDirection, type VmSortKey } from "../../client/vm-list-view";
import type { VmSummary } from "../../shared/vm";
import type { ListVmsQuery, VmPage } from "../../shared/vm-list-query";
import { invalidField } from "../errors";

/** What a cursor holds: the sort it belongs to and the last row's place in it. */
interface Cursor {
  sort: VmSortKey;
  dir: SortDirection;
  /** the last row's value of the sort column */
  value: string;
  /** the last row's name (names are unique: ties of `value` are ordered by name) */
  name: string;
}

const sortField: Record<VmSortKey, keyof Pick<VmSummary, "name" | "instanceType" | "instanceProfile" | "powerState" | "createdAt">> = {
  name: "name", type: "instanceType", profile: "instanceProfile", state: "powerState", age: "createdAt",
};

/** The opaque cursor after `row` in sort `sort`/`dir` (base64url of JSON). */
export function encodeVmCursor(row: VmSummary, sort: VmSortKey, dir: SortDirection): string {
  return Buffer.from(JSON.stringify([sort, dir, row[sortField[sort]], row.name])).toString("base64url");
}

/**
 * Reads a cursor of {@link encodeVmCursor}.
 * @throws AppError invalid on field `cursor` (badCursor) when it is not one, or was made for another sort
 */
export function decodeVmCursor(text: string, sort: VmSortKey, dir: SortDirection): Cursor {
  const bad = () => invalidField("cursor", "badCursor");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((p) => typeof p === "string" && p.length <= 253)) throw bad();
  const [s, d, value, name] = parsed as string[];
  if (!(vmSortKeys as readonly string[]).includes(s) || (d !== "asc" && d !== "desc")) throw bad();
  if (s !== sort || d !== dir) throw bad();
  return { sort, dir, value, name };
}

/**
 * The rows of `query` among `vms`: filtered and sorted as the page does; one page when `limit` or
 * `cursor` is given.
 * @param vms every VM of the tenant (not changed)
 * @returns the array of every matching row, or a {@link VmPage}
 * @throws AppError invalid on field `cursor` for a cursor this API did not make for this sort
 */
export function queryVms(vms: readonly VmSummary[], query: ListVmsQuery): VmSummary[] | VmPage {
  const rows = sortVms(filterVms(vms, query), query.sort, query.dir);
  if (query.limit === undefined && query.cursor === undefined) return rows;
  const limit = query.limit ?? 100;
  let start = 0;
  if (query.cursor) {
    const cursor = decodeVmCursor(query.cursor, query.sort, query.dir);
    const probe = { ...rows[0], [sortField[query.sort]]: cursor.value, name: cursor.name } as VmSummary;
    // The first row after the cursor's place: the same comparator as the sort, so the order holds.
    const after = sortVms([...rows, probe], query.sort, query.dir);
    start = after.indexOf(probe);
  }
  const items = rows.slice(start, start + limit);
  const more = start + limit < rows.length;
  return { items, nextCursor: more && items.length > 0 ? encodeVmCursor(items[items.length - 1], query.sort, query.dir) : null, total: rows.length };
}
