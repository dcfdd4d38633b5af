import { describe, expect, it } from "vitest";
import { endAll, onShutdown, shutdownTimings } from "./lifecycle";

describe("shutdown timings", () => {
  it("defaults to a 5 s drain delay within a 25 s timeout (below Kubernetes' 30 s grace period)", () => {
    expect(shutdownTimings({})).toEqual({ delayMs: 5000, timeoutMs: 25000 });
  });

  it("reads seconds, fractions included, and ignores what is not a non-negative number", () => {
    expect(shutdownTimings({ HIKUBE_SHUTDOWN_DELAY_SECONDS: "0.5", HIKUBE_SHUTDOWN_TIMEOUT_SECONDS: "10" })).toEqual({ delayMs: 500, timeoutMs: 10000 });
    expect(shutdownTimings({ HIKUBE_SHUTDOWN_DELAY_SECONDS: "0", HIKUBE_SHUTDOWN_TIMEOUT_SECONDS: "" })).toEqual({ delayMs: 0, timeoutMs: 25000 });
    expect(shutdownTimings({ HIKUBE_SHUTDOWN_DELAY_SECONDS: "-1", HIKUBE_SHUTDOWN_TIMEOUT_SECONDS: "soon" })).toEqual({ delayMs: 5000, timeoutMs: 25000 });
  });

  it("never drains longer than the timeout", () => {
    expect(shutdownTimings({ HIKUBE_SHUTDOWN_DELAY_SECONDS: "60", HIKUBE_SHUTDOWN_TIMEOUT_SECONDS: "20" })).toEqual({ delayMs: 20000, timeoutMs: 20000 });
  });
});

describe("shutdown hooks", () => {
  it("ends every registered stream once, skipping one that throws and the ones that ended by themselves", () => {
    const ended: string[] = [];
    onShutdown("test-stream", () => ended.push("a"));
    onShutdown("test-stream", () => {
      throw new Error("broken");
    });
    const unregister = onShutdown("test-stream", () => ended.push("gone"));
    onShutdown("test-stream", () => ended.push("c"));
    unregister();
    expect(endAll("test-stream")).toBe(3);
    expect(ended).toEqual(["a", "c"]);
    expect(endAll("test-stream")).toBe(0);
  });
});
