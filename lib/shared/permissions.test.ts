import { describe, expect, it } from "vitest";
import { can, highestRole, rolesFromGroups } from "./permissions";

describe("permission table", () => {
  it("lets a viewer read but not create, delete or open consoles", () => {
    expect(can("view", "vm.read")).toBe(true);
    expect(can("view", "vm.create")).toBe(false);
    expect(can("view", "vm.delete")).toBe(false);
    expect(can("view", "vm.console")).toBe(false);
  });

  it("gives use the console and power actions but not create", () => {
    expect(can("use", "vm.console")).toBe(true);
    expect(can("use", "vm.power")).toBe(true);
    expect(can("use", "vm.create")).toBe(false);
  });

  it("lets admin and super-admin create and delete", () => {
    for (const role of ["admin", "super-admin"] as const) {
      expect(can(role, "vm.create")).toBe(true);
      expect(can(role, "vm.delete")).toBe(true);
    }
  });
});

describe("rolesFromGroups", () => {
  it("reads tenant levels from OIDC groups, keeping the highest per tenant", () => {
    expect(rolesFromGroups(["tenant-acme-view", "tenant-acme-admin", "tenant-globex-use", "cozystack-cluster-admin", "other"]))
      .toEqual({ acme: "admin", globex: "use" });
  });

  it("ignores groups that only look like tenant groups", () => {
    expect(rolesFromGroups(["tenant-Acme-admin", "tenant-acme-owner", "tenant--admin", "xtenant-acme-admin"])).toEqual({});
  });

  it("treats super-admin as one level, not tenant 'acme-super'", () => {
    expect(rolesFromGroups(["tenant-acme-super-admin"])).toEqual({ acme: "super-admin" });
  });

  it("highestRole picks the strongest level or null", () => {
    expect(highestRole(["use", "view"])).toBe("use");
    expect(highestRole([])).toBeNull();
  });
});
