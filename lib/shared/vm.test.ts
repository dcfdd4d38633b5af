import { describe, expect, it } from "vitest";
import { issueProblem } from "./api-errors";
import { checkCloudInit, createVmSchema, preferenceMismatch, type CreateVmRequest } from "./vm";

const valid: CreateVmRequest = {
  name: "web-1",
  instanceType: "u1.medium",
  instanceProfile: "ubuntu",
  rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "20Gi" },
};

function firstError(input: unknown): { field: string; message: string } | null {
  const r = createVmSchema.safeParse(input);
  if (r.success) return null;
  return { field: r.error.issues[0].path.join("."), message: r.error.issues[0].message };
}

describe("createVmSchema", () => {
  it("accepts a minimal request and fills the defaults", () => {
    const parsed = createVmSchema.parse(valid);
    expect(parsed.runStrategy).toBe("Always");
    expect(parsed.externalPorts).toEqual([22]);
    expect(parsed.sshKeys).toEqual([]);
  });

  it.each([
    ["Web", "uppercase"],
    ["1web", "starts with a digit"],
    ["web-", "ends with a dash"],
    ["web_1", "underscore"],
    ["a".repeat(42), "42 characters"],
  ])("rejects the name %s (%s) on field name", (name) => {
    expect(firstError({ ...valid, name })?.field).toBe("name");
  });

  it("accepts a 41-character name", () => {
    expect(firstError({ ...valid, name: "a".repeat(41) })).toBeNull();
  });

  it("rejects ports outside 1-65535 naming the index", () => {
    expect(firstError({ ...valid, external: true, externalPorts: [22, 70000] })?.field).toBe("externalPorts.1");
    expect(firstError({ ...valid, external: true, externalPorts: [0] })?.field).toBe("externalPorts.0");
  });

  it("rejects a port given twice on field externalPorts", () => {
    const result = createVmSchema.safeParse({ ...valid, external: true, externalPorts: [22, 22] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map(issueProblem)).toEqual([{ field: "externalPorts", problem: "portOnce", params: {} }]);
    expect(firstError({ ...valid, external: true, externalPorts: [22, 80, 443] })).toBeNull();
  });

  it("rejects a non-http URL for the root disk", () => {
    expect(firstError({ ...valid, rootDisk: { source: { type: "http", url: "ftp://example.org/x.img" }, storage: "10Gi" } })?.field)
      .toBe("rootDisk.source.url");
  });

  it("rejects a malformed SSH key naming its index", () => {
    expect(firstError({ ...valid, sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM alice", "not a key"] })?.field).toBe("sshKeys.1");
  });

  it("rejects a size that is not a quantity", () => {
    expect(firstError({ ...valid, rootDisk: { ...valid.rootDisk, storage: "20 gigs" } })?.field).toBe("rootDisk.storage");
  });

  it("rejects an unknown run strategy", () => {
    expect(firstError({ ...valid, runStrategy: "Sometimes" })?.field).toBe("runStrategy");
  });
});

describe("checkCloudInit", () => {
  it("accepts empty, scripts and cloud-config mappings", () => {
    expect(checkCloudInit("")).toBeNull();
    expect(checkCloudInit("#!/bin/sh\necho hi")).toBeNull();
    expect(checkCloudInit("#cloud-config\npackages: [nginx]\n")).toBeNull();
  });

  it("rejects text without a header", () => {
    expect(checkCloudInit("packages: [nginx]")).toEqual({ problem: "cloudInitStart", params: {} });
  });

  it("reports the line of a YAML error", () => {
    expect(checkCloudInit("#cloud-config\nusers:\n  - name: a\n   bad: [")).toMatchObject({ problem: "cloudInitYamlAt", params: { line: expect.any(Number), column: expect.any(Number) } });
  });

  it("rejects a YAML list where a mapping is needed", () => {
    expect(checkCloudInit("#cloud-config\n- a\n- b")).toEqual({ problem: "cloudInitMapping", params: {} });
  });
});

describe("preferenceMismatch", () => {
  const u1medium = { name: "u1.medium", series: "U", seriesDisplayName: "Universal", cpu: 1, memoryBytes: 4 * 2 ** 30, ratio: "1:4" };
  it("finds the CPU shortfall of Windows 11 on u1.medium", () => {
    const win11 = { name: "windows.11", displayName: "Windows 11", osType: "windows", requiredCpu: 2, requiredMemoryBytes: 4 * 2 ** 30 };
    expect(preferenceMismatch(u1medium, win11)).toEqual({ resource: "cpu", required: 2, offered: 1 });
  });
  it("finds nothing when the profile fits", () => {
    const ubuntu = { name: "ubuntu", displayName: "Ubuntu", osType: "linux", requiredCpu: 1, requiredMemoryBytes: 2 * 2 ** 30 };
    expect(preferenceMismatch(u1medium, ubuntu)).toBeNull();
  });
});
