import { describe, expect, it } from "vitest";
import { tenantQueries, toTopList } from "./tenant-metrics";

describe("the tenant overview's queries", () => {
  it("select the tenant's namespace as an escaped literal, and nothing the caller chose", () => {
    const q = tenantQueries("tenant-acme", 60, 3600);
    expect(q.cpu).toBe('sum(rate(kubevirt_vmi_cpu_usage_seconds_total{namespace="tenant-acme"}[60s]))');
    expect(q.topCpu).toBe('topk(10, sum by (name) (rate(kubevirt_vmi_cpu_usage_seconds_total{namespace="tenant-acme"}[3600s])))');
    expect(q.topMemory).toContain('max_over_time(kubevirt_vmi_memory_resident_bytes{namespace="tenant-acme"}[3600s])');
    // a namespace that tried to close the literal would stay inside it
    expect(tenantQueries('x"}or{namespace=~".+', 60, 900).memory).toBe('sum(kubevirt_vmi_memory_resident_bytes{namespace="x\\"}or{namespace=~\\".+"})');
  });
});

describe("a top list", () => {
  it("names VMs without KubeVirt's prefix, highest first, ten at most, and leaves out other series", () => {
    const samples = [
      ...Array.from({ length: 12 }, (_, i) => ({ labels: { name: `vm-instance-vm${i}` }, value: i })),
      { labels: { name: "virt-launcher-x" }, value: 99 },
      { labels: { name: "vm-instance-" }, value: 98 },
      { labels: {}, value: 97 },
    ];
    const top = toTopList(samples);
    expect(top.map((t) => t.name)).toEqual(["vm11", "vm10", "vm9", "vm8", "vm7", "vm6", "vm5", "vm4", "vm3", "vm2"]);
    expect(top[0].value).toBe(11);
  });
});
