import { describe, expect, it } from "vitest";
import { graphQueries, queryWindow } from "./vm-metrics";
import { promString } from "./prometheus";
import { maxPointsPerSeries, metricRanges, metricRangeSeconds, metricSeriesNames, metricGraphs } from "../../shared/metrics";

describe("the metrics query window", () => {
  it("keeps every range under the point cap, never finer than a scrape, aligned on its step", () => {
    for (const range of metricRanges) {
      const w = queryWindow(range, 1_765_000_123.7, 5);
      expect((w.end - w.start) / w.step).toBeLessThanOrEqual(maxPointsPerSeries);
      expect(w.end - w.start).toBe(metricRangeSeconds[range]);
      expect(w.step).toBeGreaterThanOrEqual(5);
      expect(w.end % w.step).toBe(0);
    }
    expect(queryWindow("7d", 1_765_000_000, 5).step).toBe(2016);
  });
});

describe("the PromQL templates", () => {
  it("name the namespace and the VMI as escaped literals and nothing else the caller chose", () => {
    const [cpu] = graphQueries("cpu", "tenant-acme", "vm-instance-web", 12, 5);
    expect(cpu.query).toBe('sum(rate(kubevirt_vmi_cpu_usage_seconds_total{namespace="tenant-acme",name="vm-instance-web"}[24s]))');
    // a value that tries to close the literal stays inside it
    const [evil] = graphQueries("cpu", "tenant-acme", 'x"}or{namespace=~".+', 12, 5);
    expect(evil.query).toContain('name="x\\"}or{namespace=~\\".+"}');
    expect(promString('a\\"\n')).toBe('"a\\\\\\"\\n"');
  });

  it("give each graph its series in the documented order", () => {
    for (const g of metricGraphs) expect(graphQueries(g, "n", "v", 5, 5).map((q) => q.name)).toEqual([...metricSeriesNames[g]]);
  });

  it("use a rate window of at least four scrapes", () => {
    expect(graphQueries("disk", "n", "v", 3, 30)[0].query).toContain("[120s]");
  });
});
