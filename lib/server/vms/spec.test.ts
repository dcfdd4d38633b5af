import { describe, expect, it } from "vitest";
import { specSize, toEditableSpec, wholeNumber } from "./spec";
import { mergeEdit, summarizeChange } from "./update";

const GiB = 1024 ** 3;

describe("specSize", () => {
  it("takes the instance type's size when the spec names one, even next to resources", () => {
    expect(specSize({ instanceType: "u1.large", resources: { cpu: 8, sockets: 8, memory: "64Gi" } }, { cpu: 2, memoryBytes: 8 * GiB })).toEqual({ cpu: 2, memoryBytes: 8 * GiB });
    expect(specSize({ instanceType: "gone" })).toBeNull();
  });

  it("multiplies cores per socket by sockets for a custom size (the chart's domainResources)", () => {
    expect(specSize({ instanceType: "", resources: { cpu: 2, sockets: 3, memory: "4Gi" } })).toEqual({ cpu: 6, memoryBytes: 4 * GiB });
    expect(specSize({ resources: { cpu: "2", sockets: "1", memory: 1073741824 } })).toEqual({ cpu: 2, memoryBytes: GiB });
  });

  it("tells no size for incomplete or non-whole resources", () => {
    expect(specSize({ resources: { cpu: 2, memory: "4Gi" } })).toBeNull();
    expect(specSize({ resources: { cpu: "500m", sockets: 1, memory: "4Gi" } })).toBeNull();
    expect(specSize({ resources: { cpu: 1, sockets: 1, memory: "lots" } })).toBeNull();
    expect(wholeNumber(0)).toBeNaN();
    expect(wholeNumber("010")).toBeNaN(); // the chart refuses a leading zero (YAML reads 010 as octal 8)
  });
});

describe("toEditableSpec", () => {
  it("fills the schema's defaults and reads the v0.38 running flag", () => {
    expect(toEditableSpec({ instanceType: "u1.medium", running: false })).toEqual({
      instanceType: "u1.medium", instanceProfile: "", sshKeys: [], cloudInit: "", external: false,
      externalMethod: "PortList", externalPorts: [22], runStrategy: "Halted",
    });
    expect(toEditableSpec({ instanceType: "", resources: { cpu: 1, sockets: 2, memory: "2Gi" } }).resources).toEqual({ cpu: 1, sockets: 2, memory: "2Gi" });
  });
});

describe("mergeEdit", () => {
  it("replaces the given fields only and drops resources when an instance type is chosen", () => {
    const current = { instanceType: "", resources: { cpu: 1, sockets: 1, memory: "1Gi" }, disks: [{ name: "a" }], gpus: [] };
    expect(mergeEdit(current, { resourceVersion: "1", instanceType: "u1.large" })).toEqual({ instanceType: "u1.large", disks: [{ name: "a" }], gpus: [] });
    expect(mergeEdit({ instanceType: "u1.large" }, { resourceVersion: "1", instanceType: "", resources: { cpu: 2, sockets: 1, memory: "2Gi" } }))
      .toEqual({ instanceType: "", resources: { cpu: 2, sockets: 1, memory: "2Gi" } });
  });
});

describe("summarizeChange", () => {
  it("lists each changed field as before → after, without the keys' or user-data's content", () => {
    const lines = summarizeChange(
      { instanceType: "u1.medium", externalPorts: [22], sshKeys: ["ssh-ed25519 AAAA a"], cloudInit: "#cloud-config\n" },
      { instanceType: "u1.large", externalPorts: [22, 443], sshKeys: ["ssh-ed25519 AAAA a", "ssh-ed25519 BBBB b"], cloudInit: "#cloud-config\npassword: x\n", networks: [{ name: "n" }] },
    );
    expect(lines).toEqual([
      "instanceType: u1.medium → u1.large",
      "externalPorts: 22 → 22, 443",
      "sshKeys: 1 key(s) → 2 key(s)",
      "cloudInit: 14 bytes → 26 bytes",
      "spec.networks changed",
    ]);
    expect(summarizeChange({ instanceType: "x" }, { instanceType: "x" })).toEqual([]);
  });
});
