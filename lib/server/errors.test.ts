/**
 * Errors as codes (issue 16): the answer carries the reason and its params for the browser to
 * translate, and the English message API clients, logs and the integration tests read, unchanged.
 */
import { describe, expect, it, vi } from "vitest";
import { AppError, englishMessage, invalidField } from "./errors";
import { errorResponse, invalidInput } from "./gate";
import { quotaAmount } from "./quota/quota";
import { logger } from "./logger";
import { createVmSchema } from "../shared/vm";
import { createTenantSchema } from "../shared/admin";
import type { ErrorItem } from "../shared/api-errors";

const GiB = 2 ** 30;

describe("an error answer", () => {
  it("carries code, reason, params and the English message", async () => {
    const res = errorResponse(new AppError("conflict", "vm_exists", { name: "web" }, { field: "name" }));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: { code: "conflict", reason: "vm_exists", params: { name: "web" }, message: 'A VM named "web" already exists.', field: "name" },
    });
  });

  it("turns a zod issue into invalid_field with the schema's problem and the check's bound", async () => {
    const parsed = createVmSchema.safeParse({ name: "a".repeat(42), instanceType: "u1.medium", instanceProfile: "ubuntu", rootDisk: { source: { type: "image", name: "ubuntu" } } });
    const res = errorResponse(parsed.error);
    expect(res.status).toBe(422);
    expect((await res.json()).error).toEqual({
      code: "invalid", reason: "invalid_field", params: { field: "name", problem: "maxChars", max: 41 },
      message: "name must be at most 41 characters", field: "name",
    });
  });

  it("maps zod's own issues (no message of ours) to a problem too", () => {
    const missing = createTenantSchema.safeParse({ name: "acme", displayName: "Acme" });
    expect(invalidInput(missing.error!)).toMatchObject({ reason: "invalid_field", field: "quota", params: { problem: "required" }, message: "quota is required" });
  });

  it("hides an unexpected error behind internal, in English", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => {});
    const res = errorResponse(new Error("secret detail"));
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "internal", reason: "internal", params: {}, message: "Something went wrong on our side. It has been logged." } });
  });
});

describe("English messages rendered from messages/en.json", () => {
  it("writes sizes, vCPUs and lists as the server did before", () => {
    expect(invalidField("rootDisk.storage", "minSizeFor", { minimum: { bytes: 4 * GiB }, source: "image", name: "ubuntu" }).message)
      .toBe("rootDisk.storage must be at least 4 GiB for image ubuntu");
    expect(invalidField("instanceProfile", "profileNeeds", { profile: "windows", required: { vcpu: 2 }, size: "custom", offered: { vcpu: 1 } }).message)
      .toBe("instanceProfile windows needs 2 vCPU but this size has 1 vCPU");
    expect(invalidField("source", "oneSource", { given: ["http", "upload"] }).message)
      .toBe("source must name one source only (got http and upload); none means a blank disk");
  });

  it("says every resource over quota, with the amounts in their units", () => {
    const item = (resource: "cpuMillicores" | "vmCount", requested: number, used: number, limit: number, remaining: number): ErrorItem => ({
      item: "quotaExcess",
      params: { resource, requested: quotaAmount(resource, requested), used: quotaAmount(resource, used), limit: quotaAmount(resource, limit), remaining: quotaAmount(resource, remaining) },
    });
    expect(englishMessage("quota_exceeded", { tenant: "acme", excess: [item("cpuMillicores", 1000, 3500, 4000, 500), item("vmCount", 1, 2, 2, 0)] })).toBe(
      "Quota of tenant acme exceeded — vCPU: this request needs 1 vCPU, 3.50 vCPU of 4 vCPU in use, 0.50 vCPU remaining; VMs: this request needs 1, 2 of 2 in use, 0 remaining.");
  });

  it("names the role levels and the rule of a name", () => {
    expect(englishMessage("role_too_low", { tenant: "acme", role: "view", needed: "use" })).toBe('Your role in acme is "view"; this needs "use" or higher.');
    expect(invalidField("name", "nameRule", { rule: "pathSegment" }).message).toBe("name must be a name other than '.' or '..' without '/' or '%'");
  });

  it("refuses to build an error whose message lacks a param", () => {
    expect(() => new AppError("conflict", "vm_exists")).toThrow();
  });
});
