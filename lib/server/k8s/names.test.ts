import { describe, expect, it } from "vitest";
import { assertKubeName, assertUrlName, nameRuleOf } from "./names";
import { kinds, resourcePath } from "./kinds";
import { AppError } from "../errors";

const refused = (fn: () => unknown, field: string) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ code: "invalid", field, status: 422 });
  expect((err as Error).message.startsWith(`${field} `)).toBe(true);
};

describe("assertKubeName", () => {
  it("accepts names of each rule", () => {
    expect(assertKubeName("dns1035Label", "web-1", "name")).toBe("web-1");
    expect(assertKubeName("dns1123Label", "1abc", "namespace")).toBe("1abc");
    expect(assertKubeName("dns1123Subdomain", "vm-disk-a.b", "name")).toBe("vm-disk-a.b");
    expect(assertKubeName("dns1123Subdomain", "a".repeat(253), "name")).toHaveLength(253);
  });
  it.each(["", "/", "a/b", ".", "..", "a..b", ".a", "a.", "-a", "A", "a_b", "a%2Fb"])("refuses subdomain %j", (v) => {
    refused(() => assertKubeName("dns1123Subdomain", v, "name"), "name");
  });
  it.each(["", "1web", "web.x", "web-", "a/b", "..", "a".repeat(64)])("refuses DNS-1035 label %j", (v) => {
    refused(() => assertKubeName("dns1035Label", v, "name"), "name");
  });
  it.each(["", "a.b", "..", "a".repeat(64)])("refuses DNS-1123 label %j", (v) => {
    refused(() => assertKubeName("dns1123Label", v, "namespace"), "namespace");
  });
  it("refuses overlong subdomains and non-strings", () => {
    refused(() => assertKubeName("dns1123Subdomain", "a".repeat(254), "name"), "name");
    refused(() => assertKubeName("dns1123Subdomain", undefined, "name"), "name");
  });
  it("path segments refuse only '.', '..', '/' and '%'", () => {
    expect(assertKubeName("pathSegment", "hikube:tenant:admin", "name")).toBe("hikube:tenant:admin");
    for (const v of [".", "..", "a/b", "a%2F", ""]) refused(() => assertKubeName("pathSegment", v, "name"), "name");
  });
  it("picks a rule per kind", () => {
    expect(nameRuleOf("VMInstance")).toBe("dns1035Label");
    expect(nameRuleOf("Namespace")).toBe("dns1123Label");
    expect(nameRuleOf("VMDisk")).toBe("dns1123Subdomain");
    expect(nameRuleOf("RoleBinding")).toBe("pathSegment");
  });
});

describe("resourcePath validates every segment", () => {
  it("builds paths for valid names", () => {
    expect(resourcePath(kinds.VMDisk, { namespace: "tenant-a", name: "web-os" })).toBe("/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-a/vmdisks/web-os");
    expect(resourcePath(kinds.VMDisk, { namespace: "tenant-a" })).toBe("/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-a/vmdisks");
    expect(resourcePath(kinds.VirtualMachineSubresources, { namespace: "tenant-a", name: "vm-instance-web", subresource: "start" }))
      .toBe("/apis/subresources.kubevirt.io/v1/namespaces/tenant-a/virtualmachines/vm-instance-web/start");
  });
  it.each(["..", ".", "a/b", "../../secrets", ""])("refuses VMDisk name %j", (name) => {
    refused(() => resourcePath(kinds.VMDisk, { namespace: "tenant-a", name }), "name");
  });
  it("refuses a VMInstance name that is not a DNS-1035 label", () => {
    refused(() => resourcePath(kinds.VMInstance, { namespace: "tenant-a", name: "web.x" }), "name");
  });
  it.each(["..", "a/b", "a.b"])("refuses namespace %j", (namespace) => {
    refused(() => resourcePath(kinds.VMDisk, { namespace }), "namespace");
  });
  it("refuses a malformed subresource", () => {
    refused(() => resourcePath(kinds.VirtualMachineSubresources, { namespace: "t", name: "vm", subresource: "../x" }), "subresource");
  });
});

describe("assertUrlName: a malformed name from a URL names nothing (404)", () => {
  it("returns a well-formed name", () => {
    expect(assertUrlName("dns1035Label", "web-1", "vm_not_found", 41)).toBe("web-1");
    expect(assertUrlName("dns1123Subdomain", "vm-disk-a.b", "disk_not_found")).toBe("vm-disk-a.b");
  });
  it.each(["", ".", "..", "a/b", "x/../web", "web/status", "a%2Fb", "a.b", "Web", "a".repeat(42)])("answers not_found for VM %j", (v) => {
    let err: unknown;
    try {
      assertUrlName("dns1035Label", v, "vm_not_found", 41);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "not_found", status: 404, field: undefined, message: `VM "${v.slice(0, 64)}" was not found.` });
  });
});
