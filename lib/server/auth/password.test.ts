import bcrypt from "bcryptjs";
import { describe, expect, it, vi } from "vitest";
import { hashPassword, verifyPasswordEqualTime } from "./password";

describe("verifyPasswordEqualTime", () => {
  it("does a full bcrypt comparison when there is no stored hash (no timing oracle), and refuses", async () => {
    const compare = vi.spyOn(bcrypt, "compare");
    expect(await verifyPasswordEqualTime("anything", null)).toBe(false);
    expect(await verifyPasswordEqualTime("anything", undefined)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(2);
    expect(String(compare.mock.calls[0][1])).toMatch(/^\$2b\$10\$/);
    compare.mockRestore();
  });
  it("accepts the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("s3cret");
    expect(await verifyPasswordEqualTime("s3cret", hash)).toBe(true);
    expect(await verifyPasswordEqualTime("nope", hash)).toBe(false);
  });
});
