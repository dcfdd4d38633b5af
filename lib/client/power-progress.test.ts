import { describe, expect, it } from "vitest";
import { stepPowerWatch, watchPowerAction, type PowerWatch } from "./power-progress";

/** Feeds states one after another; the index of the one that completed the action, or -1. */
function reachedAt(watch: PowerWatch, states: string[]): number {
  let current: PowerWatch | "reached" = watch;
  for (const [i, state] of states.entries()) {
    current = stepPowerWatch(current, state);
    if (current === "reached") return i;
  }
  return -1;
}

describe("following a power action to its end", () => {
  it("a stop is done once the VM reads Stopped, with or without Stopping seen first", () => {
    expect(reachedAt(watchPowerAction("stop"), ["Running", "Stopping", "Stopped"])).toBe(2);
    expect(reachedAt(watchPowerAction("stop"), ["Stopped"])).toBe(0);
  });

  it("a start, pause and unpause end in Running, Paused and Running", () => {
    expect(reachedAt(watchPowerAction("start"), ["Stopped", "Starting", "Running"])).toBe(2);
    expect(reachedAt(watchPowerAction("pause"), ["Running", "Paused"])).toBe(1);
    expect(reachedAt(watchPowerAction("unpause"), ["Paused", "Running"])).toBe(1);
  });

  it("a restart is done only when Running comes back after another state", () => {
    expect(reachedAt(watchPowerAction("restart"), ["Running", "Running"])).toBe(-1);
    expect(reachedAt(watchPowerAction("restart"), ["Running", "Stopping", "Starting", "Running"])).toBe(3);
    expect(reachedAt(watchPowerAction("restart"), ["Starting", "Running"])).toBe(1);
  });

  it("a state that is not the target keeps the watch", () => {
    expect(stepPowerWatch(watchPowerAction("stop"), "Stopping")).toEqual({ action: "stop", left: true });
    expect(reachedAt(watchPowerAction("stop"), ["Running", "Stopping"])).toBe(-1);
  });
});
