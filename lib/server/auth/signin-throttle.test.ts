import { describe, expect, it } from "vitest";
import { delayAfter, FREE_FAILURES_PER_USER, MAX_DELAY_SECONDS } from "./signin-throttle";

describe("delayAfter", () => {
  it("is free up to the free failures, then doubles from 1 s", () => {
    const delays = Array.from({ length: 9 }, (_, i) => delayAfter(i + 1, FREE_FAILURES_PER_USER));
    expect(delays).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8]);
  });
  it("never exceeds the longest delay, however many failures", () => {
    expect(delayAfter(30, 5)).toBe(MAX_DELAY_SECONDS);
    expect(delayAfter(10_000, 5)).toBe(MAX_DELAY_SECONDS);
  });
});
