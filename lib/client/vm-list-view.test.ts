import { describe, expect, it } from "vitest";
import {
  applyVmListView, clearVmListFilters, defaultVmListView, filterVms, initialVmListViewState, isVmListFiltered, parseVmListView,
  recordVmListView, selectionExtent, settleEach, sortVms, syncVmListViewState, toggleAllSelected, toggleSelected, toggleVmSort,
  vmFilterOptions, vmListQuery, type VmListView,
} from "./vm-list-view";
import type { VmSummary } from "../shared/vm";

const vm = (name: string, over: Partial<VmSummary> = {}): VmSummary => ({
  name, instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Halted", powerState: "Stopped", disks: [], external: false,
  createdAt: "2026-01-01T00:00:00Z", resourceVersion: "1", ...over,
});

const vms = [
  vm("web-2", { powerState: "Running", instanceType: "u1.large", createdAt: "2026-01-03T00:00:00Z", external: true }),
  vm("web-10", { createdAt: "2026-01-05T00:00:00Z" }),
  vm("db-1", { instanceProfile: "alpine", createdAt: "2026-01-04T00:00:00Z" }),
  vm("Cache-1", { powerState: "Running", instanceType: "s1.small", instanceProfile: "debian", createdAt: "2026-01-02T00:00:00Z", external: true }),
];
const names = (list: VmSummary[]) => list.map((v) => v.name);
const view = (over: Partial<VmListView> = {}): VmListView => ({ ...defaultVmListView, ...over });

describe("the view in the URL", () => {
  it("reads every parameter, and falls back to defaults for unknown sort keys, directions and external values", () => {
    expect(parseVmListView(new URLSearchParams("q=web&state=Running&type=u1.medium&profile=ubuntu&external=yes&sort=name&dir=desc")))
      .toEqual({ q: "web", state: "Running", type: "u1.medium", profile: "ubuntu", external: "yes", sort: "name", dir: "desc" });
    expect(parseVmListView(new URLSearchParams("sort=size&dir=up&external=maybe"))).toEqual(defaultVmListView);
    expect(parseVmListView(new URLSearchParams(""))).toEqual(defaultVmListView);
    expect(parseVmListView(new URLSearchParams(`q=${"x".repeat(500)}`)).q).toHaveLength(100);
  });

  it("writes only what differs from the default, in a fixed order, and keeps other parameters", () => {
    expect(vmListQuery(defaultVmListView)).toBe("");
    expect(vmListQuery(view({ external: "no", q: "a b", sort: "name" }))).toBe("q=a+b&external=no&sort=name");
    expect(vmListQuery(view({ dir: "desc" }))).toBe("dir=desc");
    expect(vmListQuery(view({ state: "Running" }), "tab=x&q=old&sort=type")).toBe("tab=x&state=Running");
  });

  it("round-trips through the URL", () => {
    const v = view({ q: "web", state: "Running", type: "u1.large", profile: "ubuntu", external: "yes", sort: "state", dir: "desc" });
    expect(parseVmListView(new URLSearchParams(vmListQuery(v)))).toEqual(v);
  });
});

describe("search, filters and sort", () => {
  it("searches names case-insensitively, ignoring surrounding spaces", () => {
    expect(names(filterVms(vms, view({ q: " CACHE " })))).toEqual(["Cache-1"]);
    expect(names(filterVms(vms, view({ q: "web" })))).toEqual(["web-2", "web-10"]);
    expect(names(filterVms(vms, view({ q: "nothing" })))).toEqual([]);
  });

  it("filters by exact state, instance type, OS profile and external access, together", () => {
    expect(names(filterVms(vms, view({ state: "Running" })))).toEqual(["web-2", "Cache-1"]);
    expect(names(filterVms(vms, view({ type: "u1.medium" })))).toEqual(["web-10", "db-1"]);
    expect(names(filterVms(vms, view({ profile: "alpine" })))).toEqual(["db-1"]);
    expect(names(filterVms(vms, view({ external: "yes" })))).toEqual(["web-2", "Cache-1"]);
    expect(names(filterVms(vms, view({ external: "no" })))).toEqual(["web-10", "db-1"]);
    expect(names(filterVms(vms, view({ state: "Running", external: "yes", q: "web" })))).toEqual(["web-2"]);
    expect(names(filterVms(vms, view({ type: "u1.med" })))).toEqual([]);
  });

  it("sorts by each column both ways, names numerically, ties by name", () => {
    expect(names(sortVms(vms, "name", "asc"))).toEqual(["Cache-1", "db-1", "web-2", "web-10"]);
    expect(names(sortVms(vms, "name", "desc"))).toEqual(["web-10", "web-2", "db-1", "Cache-1"]);
    expect(names(sortVms(vms, "type", "asc"))).toEqual(["Cache-1", "web-2", "db-1", "web-10"]);
    expect(names(sortVms(vms, "profile", "desc"))).toEqual(["web-2", "web-10", "Cache-1", "db-1"]);
    expect(names(sortVms(vms, "state", "asc"))).toEqual(["Cache-1", "web-2", "db-1", "web-10"]);
    // age ascending is youngest first, the server's order
    expect(names(sortVms(vms, "age", "asc"))).toEqual(["web-10", "db-1", "web-2", "Cache-1"]);
    expect(names(sortVms(vms, "age", "desc"))).toEqual(["Cache-1", "web-2", "db-1", "web-10"]);
  });

  it("does not reorder the list it is given", () => {
    const copy = [...vms];
    sortVms(vms, "name", "asc");
    expect(vms).toEqual(copy);
  });

  it("filters then sorts", () => {
    expect(names(applyVmListView(vms, view({ q: "web", sort: "name", dir: "desc" })))).toEqual(["web-10", "web-2"]);
  });

  it("flips the direction on the same column, starts ascending on another", () => {
    expect(toggleVmSort(view(), "age")).toMatchObject({ sort: "age", dir: "desc" });
    expect(toggleVmSort(view({ sort: "age", dir: "desc" }), "name")).toMatchObject({ sort: "name", dir: "asc" });
    expect(toggleVmSort(view({ sort: "name", dir: "desc" }), "name")).toMatchObject({ sort: "name", dir: "asc" });
  });

  it("tells whether anything is hidden, and clears filters but not the sort", () => {
    expect(isVmListFiltered(view({ sort: "name", dir: "desc" }))).toBe(false);
    expect(isVmListFiltered(view({ q: "  " }))).toBe(false);
    expect(isVmListFiltered(view({ external: "no" }))).toBe(true);
    expect(clearVmListFilters(view({ q: "a", state: "Running", type: "t", profile: "p", external: "yes", sort: "name", dir: "desc" })))
      .toEqual(view({ sort: "name", dir: "desc" }));
  });

  it("offers the distinct values of each filter, sorted, keeping a current value that no VM has", () => {
    expect(vmFilterOptions(vms, view({ state: "Paused" }))).toEqual({
      states: ["Paused", "Running", "Stopped"],
      types: ["s1.small", "u1.large", "u1.medium"],
      profiles: ["alpine", "debian", "ubuntu"],
    });
    expect(vmFilterOptions([vm("a", { instanceType: "" })], view()).types).toEqual([]);
  });
});

describe("the view state and the URL", () => {
  it("keeps the typed view while the URL catches up with what the page wrote, in any batching", () => {
    let s = initialVmListViewState("");
    for (const q of ["w", "we", "web"]) s = recordVmListView(s, view({ q }));
    // Next.js may deliver the intermediate URLs, or only the last one
    const stepwise = syncVmListViewState(syncVmListViewState(s, "q=w"), "q=we");
    expect(stepwise.view.q).toBe("web");
    expect(stepwise.pending).toEqual(["q=web"]);
    expect(syncVmListViewState(stepwise, "q=web")).toMatchObject({ view: { q: "web" }, pending: [] });
    expect(syncVmListViewState(s, "q=web")).toMatchObject({ view: { q: "web" }, urlQuery: "q=web", pending: [] });
  });

  it("takes the URL's view after a navigation the page did not write", () => {
    let s = initialVmListViewState("q=web&sort=name");
    expect(s.view).toMatchObject({ q: "web", sort: "name" });
    s = recordVmListView(s, view({ q: "web", sort: "name", state: "Running" }));
    s = syncVmListViewState(s, "q=web&state=Running&sort=name");
    const navigated = syncVmListViewState(s, "");
    expect(navigated.view).toEqual(defaultVmListView);
    expect(navigated.pending).toEqual([]);
  });

  it("returns the same state when the URL did not change, and ignores other parameters", () => {
    const s = initialVmListViewState("q=a");
    expect(syncVmListViewState(s, "q=a")).toBe(s);
    expect(syncVmListViewState(s, "q=a&tab=x").view).toBe(s.view);
  });
});

describe("selection", () => {
  const shown = ["a", "b", "c"];

  it("says whether none, some or all shown VMs are selected", () => {
    expect(selectionExtent(shown, new Set())).toBe("none");
    expect(selectionExtent(shown, new Set(["b", "hidden"]))).toBe("some");
    expect(selectionExtent(shown, new Set(shown))).toBe("all");
    expect(selectionExtent([], new Set(["x"]))).toBe("none");
  });

  it("toggles one VM and drops VMs that are no longer shown", () => {
    expect([...toggleSelected(shown, new Set(["a", "hidden"]), "b")].sort()).toEqual(["a", "b"]);
    expect([...toggleSelected(shown, new Set(["a", "b"]), "a")]).toEqual(["b"]);
  });

  it("selects every shown VM, or none when all were selected", () => {
    expect([...toggleAllSelected(shown, new Set(["a"]))]).toEqual(shown);
    expect([...toggleAllSelected(shown, new Set(shown))]).toEqual([]);
  });
});

describe("settleEach", () => {
  it("runs at most `limit` tasks at once, reports progress and keeps the order of results", async () => {
    let running = 0;
    let peak = 0;
    const events: string[] = [];
    const results = await settleEach([1, 2, 3, 4, 5], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10 * (6 - n)));
      running -= 1;
      if (n === 3) throw new Error("refused");
      return n * 10;
    }, (n, _i, result) => events.push(`${result ? result.status : "start"}:${n}`));
    expect(peak).toBe(2);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([10, 20, "refused", 40, 50]);
    expect(events.filter((e) => e.startsWith("start"))).toHaveLength(5);
    expect(events).toContain("rejected:3");
  });

  it("settles an empty list at once", async () => {
    expect(await settleEach([], 3, async () => 1)).toEqual([]);
  });
});
