import { describe, expect, it } from "vitest";
import { formatBytes, parseQuantity } from "./quantity";

describe("parseQuantity", () => {
  it.each([
    ["4Gi", 4 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["500m", 0.5],
    ["2", 2],
    ["1G", 1e9],
    ["2e3", 2000],
  ])("%s → %d", (q, n) => expect(parseQuantity(q)).toBe(n));

  it("throws on text that is not a quantity", () => {
    expect(() => parseQuantity("4 GB")).toThrow(/not a Kubernetes quantity/);
  });
});

describe("formatBytes", () => {
  it("uses binary units", () => {
    expect(formatBytes(4 * 2 ** 30)).toBe("4 GiB");
    expect(formatBytes(1536 * 2 ** 20)).toBe("1.5 GiB");
  });
});
