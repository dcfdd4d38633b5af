import { describe, expect, it } from "vitest";
import { listVmsQuerySchema } from "@/lib/shared/vm-list-query";
import type { VmSummary } from "@/lib/shared/vm";
import { queryVms } from "./list-page";
import type { VmPage } from "@/lib/shared/vm-list-query";

const vm = (name: string, powerState: string, createdAt: string, instanceType = "u1.medium"): VmSummary => ({
  name, instanceType, instanceProfile: "ubuntu", runStrategy: "Always", powerState, disks: [], external: false, createdAt, resourceVersion: "1",
});

const vms = Array.from({ length: 25 }, (_, i) => vm(`web-${i + 1}`, i % 3 === 0 ? "Stopped" : "Running", `2026-01-01T00:00:${String(i).padStart(2, "0")}Z`));

const query = (q: Record<string, string>) => listVmsQuerySchema.parse(q);

describe("GET /vms query for API clients", () => {
  it("answers every matching row as an array without limit or cursor, in the page's order", () => {
    const rows = queryVms(vms, query({ state: "Stopped", sort: "name" })) as VmSummary[];
    expect(rows.map((r) => r.name)).toEqual(["web-1", "web-4", "web-7", "web-10", "web-13", "web-16", "web-19", "web-22", "web-25"]);
  });

  it("walks every row exactly once through pages, whatever the sort", () => {
    for (const sort of ["name", "state", "age", "type"]) {
      for (const dir of ["asc", "desc"]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++) {
          const page = queryVms(vms, query({ sort, dir, limit: "7", ...(cursor ? { cursor } : {}) })) as VmPage;
          expect(page.total).toBe(25);
          seen.push(...page.items.map((r) => r.name));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual((queryVms(vms, query({ sort, dir })) as VmSummary[]).map((r) => r.name));
      }
    }
  });

  it("keeps its place when the row a cursor names is deleted before the next page", () => {
    const first = queryVms(vms, query({ sort: "name", limit: "5" })) as VmPage;
    const last = first.items[4].name;
    const rest = vms.filter((v) => v.name !== last);
    const next = queryVms(rest, query({ sort: "name", limit: "5", cursor: first.nextCursor! })) as VmPage;
    const all = (queryVms(vms, query({ sort: "name" })) as VmSummary[]).map((r) => r.name);
    expect(next.items[0].name).toBe(all[5]);
  });

  it("refuses a cursor made for another sort, or not made by the API, naming the field", () => {
    const page = queryVms(vms, query({ sort: "name", limit: "5" })) as VmPage;
    expect(() => queryVms(vms, query({ sort: "age", limit: "5", cursor: page.nextCursor! }))).toThrow(expect.objectContaining({ field: "cursor" }));
    expect(() => queryVms(vms, query({ cursor: "bm90LWEtY3Vyc29y" }))).toThrow(expect.objectContaining({ field: "cursor" }));
  });

  it("refuses at the edge: unknown parameters, a page above 1000, a filter that is not a name", () => {
    expect(listVmsQuerySchema.safeParse({ watch: "true" }).success).toBe(false);
    expect(listVmsQuerySchema.safeParse({ limit: "1001" }).success).toBe(false);
    expect(listVmsQuerySchema.safeParse({ limit: "0" }).success).toBe(false);
    expect(listVmsQuerySchema.safeParse({ state: "Running\" OR 1" }).success).toBe(false);
    expect(listVmsQuerySchema.safeParse({ cursor: "../../x" }).success).toBe(false);
    expect(listVmsQuerySchema.safeParse({ sort: "secret" }).success).toBe(false);
  });
});
