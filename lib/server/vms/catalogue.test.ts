import { describe, expect, it } from "vitest";
import { toInstanceTypeInfo } from "./catalogue";

const instancetype = (name: string, labels?: Record<string, string>) => ({
  metadata: { name, labels },
  spec: { cpu: { guest: 2 }, memory: { guest: "8Gi" } },
});

describe("toInstanceTypeInfo", () => {
  it("takes the series from the hikube.io/series label", () => {
    expect(toInstanceTypeInfo(instancetype("u1.large", { "hikube.io/series": "U" }))).toMatchObject({ series: "U", cpu: 2, memoryBytes: 8 * 2 ** 30, ratio: "1:4" });
  });

  it("falls back to the name's prefix on a cluster without the label (common-instancetypes)", () => {
    expect(toInstanceTypeInfo(instancetype("cx1.large")).series).toBe("CX");
  });

  it("calls a type named otherwise Other", () => {
    expect(toInstanceTypeInfo(instancetype("big-one")).series).toBe("Other");
  });
});
