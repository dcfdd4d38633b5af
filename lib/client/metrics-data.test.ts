import { describe, expect, it } from "vitest";
import { alignSeries, isEmptyGraph, latestValue } from "./metrics-data";

describe("chart data from metric series", () => {
  it("shares one time axis and leaves gaps where a series has no point", () => {
    const data = alignSeries([{ points: [[10, 0.5], [20, 1]] }, { points: [[20, 3], [30, 4]] }], 100);
    expect(data).toEqual([[10, 20, 30], [50, 100, null], [null, 3_00, 4_00]]);
  });
  it("reads the newest value, scaled, and tells an empty graph", () => {
    expect(latestValue({ points: [[10, 0.25], [20, 0.98]] }, 100)).toBeCloseTo(98);
    expect(latestValue({ points: [] })).toBeNull();
    expect(isEmptyGraph([{ points: [] }, { points: [] }])).toBe(true);
    expect(isEmptyGraph([{ points: [] }, { points: [[1, 0]] }])).toBe(false);
  });
});
