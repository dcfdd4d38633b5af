import { describe, expect, it } from "vitest";
import { forgetDeleted, isDeletedHere, isOlderVersion, rememberDeleted, removeVm, upsertVm } from "./vm-cache";
import type { VmSummary } from "../shared/vm";

const vm = (name: string, resourceVersion: string, createdAt = "2026-01-01T00:00:00Z", powerState = "Pending"): VmSummary => ({
  name, resourceVersion, createdAt, powerState, instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Always", disks: [], external: false,
});

describe("VM list cache patches", () => {
  it("adds a new VM in the server's order (newest first)", () => {
    const list = [vm("old", "5", "2026-01-01T00:00:00Z")];
    expect(upsertVm(list, vm("new", "9", "2026-02-01T00:00:00Z")).map((v) => v.name)).toEqual(["new", "old"]);
  });

  it("drops an upsert older than the row held, applies equal or newer ones", () => {
    const list = [vm("web", "10", undefined, "Running")];
    expect(upsertVm(list, vm("web", "9", undefined, "Stopped"))).toBe(list);
    expect(upsertVm(list, vm("web", "10", undefined, "Stopping"))[0].powerState).toBe("Stopping");
    expect(upsertVm(list, vm("web", "11", undefined, "Stopped"))[0].powerState).toBe("Stopped");
  });

  it("compares resourceVersions as numbers, not strings, and never orders opaque ones", () => {
    expect(isOlderVersion("9", "10")).toBe(true);
    expect(isOlderVersion("10", "9")).toBe(false);
    expect(isOlderVersion("abc", "10")).toBe(false);
  });

  it("removes a VM, keeping the array when it was absent", () => {
    const list = [vm("a", "1")];
    expect(removeVm(list, "a")).toEqual([]);
    expect(removeVm(list, "b")).toBe(list);
  });

  it("ignores a stale upsert of a VM this tab deleted, but not a re-created one", () => {
    rememberDeleted("acme", vm("gone", "20"));
    expect(isDeletedHere("acme", vm("gone", "20"))).toBe(true);
    expect(isDeletedHere("acme", vm("gone", "19"))).toBe(true);
    expect(isDeletedHere("acme", vm("gone", "25"))).toBe(false);
    expect(isDeletedHere("globex", vm("gone", "20"))).toBe(false);
    forgetDeleted("acme", "gone");
    expect(isDeletedHere("acme", vm("gone", "20"))).toBe(false);
  });
});
