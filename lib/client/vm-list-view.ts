/**
 * The VM list's view, as pure functions the list page calls: search by name, filters (state,
 * instance type, OS profile, external), sort by any column, all kept in the page's URL query —
 * `?q=web&state=Running&type=u1.medium&profile=ubuntu&external=yes&sort=name&dir=asc` — so a reload
 * or a shared link shows the same rows. The rows are already in the browser (the live list), so
 * narrowing them needs no server round trip.
 *
 * Also the selection rules of the bulk actions (they act only on rows that are shown) and a
 * runner that settles one task per VM a few at a time.
 */
import type { VmSummary } from "@/lib/shared/vm";

/** The columns the list sorts by. */
export const vmSortKeys = ["name", "type", "profile", "state", "age"] as const;

/** A column the list sorts by. */
export type VmSortKey = (typeof vmSortKeys)[number];

/** Sort direction. For `age`, ascending means youngest first (newest VM on top). */
export type SortDirection = "asc" | "desc";

/** The external filter: any VM (""), only external ones ("yes"), or only internal ones ("no"). */
export type ExternalFilter = "" | "yes" | "no";

/** What the list shows. Empty strings mean "no filter". */
export interface VmListView {
  /** search text, matched case-insensitively anywhere in the VM's name */
  q: string;
  /** exact power state, e.g. `Running` */
  state: string;
  /** exact instance type, e.g. `u1.medium` */
  type: string;
  /** exact OS profile (preference), e.g. `ubuntu` */
  profile: string;
  external: ExternalFilter;
  sort: VmSortKey;
  dir: SortDirection;
}

/** No search, no filter, youngest first (the server's own order). Never written to the URL. */
export const defaultVmListView: VmListView = { q: "", state: "", type: "", profile: "", external: "", sort: "age", dir: "asc" };

/** Longest search text kept from a URL (a VM name is at most 41 characters). */
const maxQueryLength = 100;

/** The URL parameters this module owns, in the order they are written. */
const ownParams = ["q", "state", "type", "profile", "external", "sort", "dir"] as const;

/**
 * Reads the view from a URL query. Unknown sort keys, directions and external values fall back to
 * the default; the other values are taken as they are (a filter that matches nothing shows the
 * "no VM matches" state, which offers to clear it).
 * @param query e.g. `useSearchParams()` or `new URLSearchParams(location.search)`
 */
export function parseVmListView(query: { get(name: string): string | null }): VmListView {
  const text = (name: string) => (query.get(name) ?? "").slice(0, maxQueryLength);
  const sort = query.get("sort");
  const dir = query.get("dir");
  const external = query.get("external");
  return {
    q: text("q"),
    state: text("state"),
    type: text("type"),
    profile: text("profile"),
    external: external === "yes" || external === "no" ? external : "",
    sort: (vmSortKeys as readonly string[]).includes(sort ?? "") ? (sort as VmSortKey) : defaultVmListView.sort,
    dir: dir === "asc" || dir === "desc" ? dir : defaultVmListView.dir,
  };
}

/**
 * The URL query (without `?`) that holds `view`: parameters of other features in `current` are
 * kept first, then this module's in a fixed order; defaults and empty values are left out, so the
 * default view is an empty query.
 */
export function vmListQuery(view: VmListView, current: string | URLSearchParams = ""): string {
  const query = new URLSearchParams(current);
  for (const name of ownParams) query.delete(name);
  const values: Record<(typeof ownParams)[number], string> = {
    q: view.q,
    state: view.state,
    type: view.type,
    profile: view.profile,
    external: view.external,
    sort: view.sort === defaultVmListView.sort ? "" : view.sort,
    dir: view.dir === defaultVmListView.dir ? "" : view.dir,
  };
  for (const name of ownParams) if (values[name]) query.set(name, values[name]);
  return query.toString();
}

/** Whether the view hides any VM (a search or a filter is set; the sort hides nothing). */
export function isVmListFiltered(view: VmListView): boolean {
  return view.q.trim() !== "" || view.state !== "" || view.type !== "" || view.profile !== "" || view.external !== "";
}

/** The view without search and filters (the sort is kept). */
export function clearVmListFilters(view: VmListView): VmListView {
  return { ...view, q: "", state: "", type: "", profile: "", external: "" };
}

/** The view after a click on column `key`'s header: the same column flips direction, another starts ascending. */
export function toggleVmSort(view: VmListView, key: VmSortKey): VmListView {
  if (view.sort === key) return { ...view, dir: view.dir === "asc" ? "desc" : "asc" };
  return { ...view, sort: key, dir: "asc" };
}

/** The VMs the view's search and filters let through, in their original order. */
export function filterVms(vms: readonly VmSummary[], view: VmListView): VmSummary[] {
  const needle = view.q.trim().toLowerCase();
  return vms.filter((vm) =>
    (needle === "" || vm.name.toLowerCase().includes(needle))
    && (view.state === "" || vm.powerState === view.state)
    && (view.type === "" || vm.instanceType === view.type)
    && (view.profile === "" || vm.instanceProfile === view.profile)
    && (view.external === "" || vm.external === (view.external === "yes")));
}

// Names are DNS labels: a numeric collation puts web-2 before web-10.
const collator = new Intl.Collator("en", { numeric: true });

const compareBy: Record<VmSortKey, (a: VmSummary, b: VmSummary) => number> = {
  name: (a, b) => collator.compare(a.name, b.name),
  type: (a, b) => collator.compare(a.instanceType, b.instanceType),
  profile: (a, b) => collator.compare(a.instanceProfile, b.instanceProfile),
  state: (a, b) => collator.compare(a.powerState, b.powerState),
  // youngest first: the later creation time comes first
  age: (a, b) => b.createdAt.localeCompare(a.createdAt),
};

/** A sorted copy of `vms` by column `key`; ties are broken by name, always ascending. */
export function sortVms(vms: readonly VmSummary[], key: VmSortKey, dir: SortDirection): VmSummary[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...vms].sort((a, b) => sign * compareBy[key](a, b) || compareBy.name(a, b));
}

/** The rows the list shows for `view`: filtered, then sorted. */
export function applyVmListView(vms: readonly VmSummary[], view: VmListView): VmSummary[] {
  return sortVms(filterVms(vms, view), view.sort, view.dir);
}

/** The choices of the filter selects. */
export interface VmFilterOptions {
  states: string[];
  types: string[];
  profiles: string[];
}

/**
 * The distinct, sorted values of the filter selects among `vms`. The view's current values are
 * always included, so a filter from the URL that matches nothing still shows as chosen.
 */
export function vmFilterOptions(vms: readonly VmSummary[], view: VmListView): VmFilterOptions {
  const distinct = (values: string[], current: string) =>
    [...new Set([...values, current].filter((v) => v !== ""))].sort((a, b) => collator.compare(a, b));
  return {
    states: distinct(vms.map((v) => v.powerState), view.state),
    types: distinct(vms.map((v) => v.instanceType), view.type),
    profiles: distinct(vms.map((v) => v.instanceProfile), view.profile),
  };
}

/**
 * The view held by the page and its reconciliation with the URL. The page writes the URL itself
 * (history.replaceState, which Next.js feeds back into `useSearchParams()` a little later, inside
 * a transition); typing must not wait for that round, so the view lives in state and the URL
 * follows it. `pending` remembers the queries written but not yet seen back, to tell them from a
 * real navigation (e.g. a link to the bare list), which replaces the view.
 */
export interface VmListViewState {
  view: VmListView;
  /** the URL query last seen */
  urlQuery: string;
  /** this module's part of each query written and not yet seen back, oldest first */
  pending: string[];
}

/** How many written queries are remembered at most. */
const maxPending = 50;

/** The state of a page opened at URL query `query`. */
export function initialVmListViewState(query: string): VmListViewState {
  return { view: parseVmListView(new URLSearchParams(query)), urlQuery: query, pending: [] };
}

/** The state after the page chose `view` (and wrote it to the URL). */
export function recordVmListView(state: VmListViewState, view: VmListView): VmListViewState {
  return { ...state, view, pending: [...state.pending, vmListQuery(view)].slice(-maxPending) };
}

/**
 * The state once the URL's query is `query`.
 * @returns the same object when the URL did not change; otherwise the view is kept when `query`
 *   is one the page wrote (or equals the view), and replaced by the URL's when it is not
 */
export function syncVmListViewState(state: VmListViewState, query: string): VmListViewState {
  if (query === state.urlQuery) return state;
  const seen = parseVmListView(new URLSearchParams(query));
  const key = vmListQuery(seen);
  const index = state.pending.indexOf(key);
  if (index !== -1) return { ...state, urlQuery: query, pending: state.pending.slice(index + 1) };
  if (key === vmListQuery(state.view)) return { ...state, urlQuery: query };
  return { view: seen, urlQuery: query, pending: [] };
}

/** How much of the shown rows is selected, for the select-all checkbox. */
export type SelectionExtent = "none" | "some" | "all";

/** Whether none, some or all of the `shown` VM names are in `selected`. */
export function selectionExtent(shown: readonly string[], selected: ReadonlySet<string>): SelectionExtent {
  const count = shown.filter((name) => selected.has(name)).length;
  if (count === 0) return "none";
  return count === shown.length ? "all" : "some";
}

/**
 * The selection after ticking or unticking VM `name`. Only shown VMs stay selected: the bulk
 * actions never act on a VM the user cannot see.
 */
export function toggleSelected(shown: readonly string[], selected: ReadonlySet<string>, name: string): Set<string> {
  const next = new Set(shown.filter((n) => selected.has(n)));
  if (next.has(name)) next.delete(name);
  else next.add(name);
  return next;
}

/** The selection after the select-all checkbox: every shown VM, or none when all were selected. */
export function toggleAllSelected(shown: readonly string[], selected: ReadonlySet<string>): Set<string> {
  return selectionExtent(shown, selected) === "all" ? new Set() : new Set(shown);
}

/**
 * Runs `task` for every item, at most `limit` at a time, and never throws.
 * @param onProgress called when an item's task starts (`result` undefined) and when it settles
 * @returns each item's outcome, in the order of `items`
 */
export async function settleEach<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  onProgress?: (item: T, index: number, result?: PromiseSettledResult<R>) => void,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      onProgress?.(item, index);
      try {
        results[index] = { status: "fulfilled", value: await task(item) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
      onProgress?.(item, index, results[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
