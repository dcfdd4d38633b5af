import { describe, expect, it } from "vitest";
import { catalogue, readCozystackSchema, toStructuralSchema } from "./manifests";

describe("toStructuralSchema", () => {
  it("drops Cozystack UI hints and titles but keeps validations", () => {
    const out = toStructuralSchema(readCozystackSchema("vm-disk.values.schema.json")) as Record<string, any>;
    const json = JSON.stringify(out);
    expect(json).not.toContain("x-cozystack-options");
    expect(out.title).toBeUndefined();
    expect(out.properties.storageClass["x-kubernetes-validations"][0].rule).toBe("self == oldSelf");
    expect(out.properties.storage["x-kubernetes-int-or-string"]).toBe(true);
  });
});

describe("catalogue", () => {
  it("carries the S, U, M, CX and RT series with exact doc sizes", () => {
    const types = catalogue().filter((o) => o.kind === "VirtualMachineClusterInstancetype");
    const series = new Set(types.map((t) => (t.metadata.labels as Record<string, string>)["hikube.io/series"]));
    expect([...series].sort()).toEqual(["CX", "M", "RT", "S", "U"]);
    const u1medium = types.find((t) => t.metadata.name === "u1.medium") as any;
    expect(u1medium.spec.cpu.guest).toBe(1);
    expect(u1medium.spec.memory.guest).toBe("4Gi");
  });
  it("has OS preferences with requirements", () => {
    const prefs = catalogue().filter((o) => o.kind === "VirtualMachineClusterPreference") as any[];
    const names = prefs.map((p) => p.metadata.name);
    for (const n of ["ubuntu", "debian", "alpine", "fedora", "centos.stream9", "centos.stream10", "rhel.9", "opensuse.leap", "cirros", "windows.11", "windows.2k22"]) {
      expect(names).toContain(n);
    }
    expect(prefs.every((p) => p.spec.requirements?.cpu?.guest >= 1)).toBe(true);
  });
});
