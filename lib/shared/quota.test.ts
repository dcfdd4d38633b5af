import { describe, expect, it } from "vitest";
import { findOverUsage, findQuotaExcess, formatQuotaAmount, zeroAmounts, type QuotaAmounts } from "./quota";

const GiB = 2 ** 30;
const limits: QuotaAmounts = { cpuMillicores: 4000, memoryBytes: 16 * GiB, storageBytes: 100 * GiB, vmCount: 2, diskCount: 4, loadBalancers: 1 };

describe("findQuotaExcess", () => {
  it("lets a request that fits exactly through", () => {
    const usage = { ...zeroAmounts(), cpuMillicores: 3000, memoryBytes: 12 * GiB, vmCount: 1 };
    expect(findQuotaExcess(limits, usage, { cpuMillicores: 1000, memoryBytes: 4 * GiB, vmCount: 1 })).toEqual([]);
  });

  it("names every resource over, with what remains", () => {
    const usage = { ...zeroAmounts(), cpuMillicores: 3500, vmCount: 2 };
    const excess = findQuotaExcess(limits, usage, { cpuMillicores: 1000, vmCount: 1 });
    expect(excess).toEqual([
      { resource: "cpuMillicores", limit: 4000, used: 3500, requested: 1000, remaining: 500 },
      { resource: "vmCount", limit: 2, used: 2, requested: 1, remaining: 0 },
    ]);
  });

  it("ignores resources the request does not use, even when they are already over", () => {
    const usage = { ...zeroAmounts(), loadBalancers: 3 };
    expect(findQuotaExcess(limits, usage, { storageBytes: GiB, diskCount: 1 })).toEqual([]);
  });
});

describe("findOverUsage", () => {
  it("lists what a lowered quota leaves over", () => {
    const usage = { ...zeroAmounts(), storageBytes: 120 * GiB, vmCount: 2 };
    expect(findOverUsage(limits, usage).map((e) => e.resource)).toEqual(["storageBytes"]);
  });
});

describe("formatQuotaAmount", () => {
  it("writes English amounts as the server's messages do", () => {
    expect(formatQuotaAmount("cpuMillicores", 4000)).toBe("4 vCPU");
    expect(formatQuotaAmount("cpuMillicores", 500)).toBe("0.50 vCPU");
    expect(formatQuotaAmount("memoryBytes", 16 * GiB)).toBe("16 GiB");
    expect(formatQuotaAmount("vmCount", 2)).toBe("2");
  });

  it("writes French amounts with a decimal comma and French units", () => {
    expect(formatQuotaAmount("cpuMillicores", 2500, "fr")).toBe("2,50 vCPU");
    expect(formatQuotaAmount("storageBytes", 1.5 * GiB, "fr")).toBe("1,5\u00a0Gio");
    expect(formatQuotaAmount("diskCount", 1200, "fr").replace(/\s/g, " ")).toBe("1 200");
  });
});
