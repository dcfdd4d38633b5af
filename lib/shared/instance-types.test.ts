import { describe, expect, it } from "vitest";
import { groupInstanceTypes, instanceTypeSize, seriesOfInstanceTypeName, visibleInstanceTypes } from "./instance-types";
import type { InstanceTypeInfo } from "./vm";

const type = (name: string, cpu: number, series = seriesOfInstanceTypeName(name) ?? "Other"): InstanceTypeInfo =>
  ({ name, series, seriesDisplayName: `${series} name`, cpu, memoryBytes: cpu * 4 * 2 ** 30, ratio: "1:4" });

/** The dev cluster's catalogue (dev-cluster/manifests/instancetypes.yaml), in the server's order. */
const catalogue: InstanceTypeInfo[] = [
  ...["small", "medium", "large", "xlarge", "3large", "2xlarge", "3xlarge", "4xlarge", "8xlarge"].map((s, i) => type(`s1.${s}`, i + 1)),
  ...["medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge"].map((s, i) => type(`u1.${s}`, i + 1)),
  ...["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"].map((s, i) => type(`m1.${s}`, i + 1)),
  ...["medium", "large", "xlarge", "2xlarge", "4xlarge"].map((s, i) => type(`cx1.${s}`, i + 1)),
  ...["medium", "large", "xlarge"].map((s, i) => type(`rt1.${s}`, i + 1)),
];
const names = (types: InstanceTypeInfo[]) => types.map((t) => t.name);

describe("names", () => {
  it.each([["u1.medium", "U"], ["cx1.2xlarge", "CX"], ["rt1.large", "RT"], ["s1.small", "S"], ["custom-big", undefined]])("%s is of series %s", (name, series) => {
    expect(seriesOfInstanceTypeName(name)).toBe(series);
  });

  it("reads the size after the dot", () => {
    expect(instanceTypeSize("u1.2xlarge")).toBe("2xlarge");
    expect(instanceTypeSize("custom")).toBe("custom");
  });
});

describe("groupInstanceTypes", () => {
  const groups = groupInstanceTypes(catalogue);

  it("keeps the catalogue's series order", () => {
    expect(groups.map((g) => g.series)).toEqual(["S", "U", "M", "CX", "RT"]);
  });

  it("shows the common sizes (small to xlarge) of each series first: 15 of 28 cards", () => {
    expect(groups.map((g) => names(g.common))).toEqual([
      ["s1.small", "s1.medium", "s1.large", "s1.xlarge"],
      ["u1.medium", "u1.large", "u1.xlarge"],
      ["m1.large", "m1.xlarge"],
      ["cx1.medium", "cx1.large", "cx1.xlarge"],
      ["rt1.medium", "rt1.large", "rt1.xlarge"],
    ]);
    expect(groups.map((g) => g.more.length)).toEqual([5, 3, 3, 2, 0]);
    expect(groups.map((g) => g.types.length)).toEqual([9, 6, 5, 5, 3]);
  });

  it("shows a series without common sizes by its first four types", () => {
    const [gpu] = groupInstanceTypes(["2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"].map((s, i) => type(`gn1.${s}`, i + 1)));
    expect(names(gpu.common)).toEqual(["gn1.2xlarge", "gn1.4xlarge", "gn1.8xlarge", "gn1.12xlarge"]);
    expect(names(gpu.more)).toEqual(["gn1.16xlarge", "gn1.24xlarge"]);
  });

  it("does not hide a single type behind a disclosure", () => {
    const [u] = groupInstanceTypes(["medium", "large", "2xlarge"].map((s, i) => type(`u1.${s}`, i + 1)));
    expect(names(u.common)).toEqual(["u1.medium", "u1.large", "u1.2xlarge"]);
    expect(u.more).toEqual([]);
  });
});

describe("visibleInstanceTypes", () => {
  const s = groupInstanceTypes(catalogue)[0];

  it("collapsed: the common sizes only", () => {
    expect(names(visibleInstanceTypes(s, false, "u1.medium"))).toEqual(["s1.small", "s1.medium", "s1.large", "s1.xlarge"]);
  });

  it("collapsed: a selected larger size stays visible", () => {
    expect(names(visibleInstanceTypes(s, false, "s1.4xlarge"))).toEqual(["s1.small", "s1.medium", "s1.large", "s1.xlarge", "s1.4xlarge"]);
  });

  it("expanded: all sizes, common ones first", () => {
    expect(visibleInstanceTypes(s, true, "")).toHaveLength(9);
    expect(names(visibleInstanceTypes(s, true, "")).slice(0, 4)).toEqual(names(s.common));
  });
});
