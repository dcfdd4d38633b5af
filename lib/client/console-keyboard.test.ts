import { describe, expect, it } from "vitest";
import { createLeaveSequence, leaveWindowMs, type ConsoleKeyEvent } from "./console-keyboard";

/** A keydown of `key` (with modifiers). */
function down(key: string, mods: Partial<Pick<ConsoleKeyEvent, "ctrlKey" | "altKey" | "metaKey" | "isComposing">> = {}): ConsoleKeyEvent {
  return { type: "keydown", key, ctrlKey: false, altKey: false, metaKey: false, ...mods };
}

/** A sequence with a clock the test moves. */
function setup() {
  let t = 1_000_000;
  const judge = createLeaveSequence(() => t);
  return { judge, wait: (ms: number) => (t += ms) };
}

// Issue 16, defect B: the serial console kept Tab, Shift+Tab and Esc, with no way out.
describe("createLeaveSequence (Esc, then Tab leaves a console)", () => {
  it("gives Tab and Esc alone to the guest (Tab completion, editors)", () => {
    const { judge } = setup();
    expect(judge(down("Tab"))).toBe("guest");
    expect(judge(down("a"))).toBe("guest");
    expect(judge(down("Escape"))).toBe("guest");
  });

  it("leaves on Tab right after Esc, and on Shift+Tab (the Shift keydown in between does not count)", () => {
    const { judge, wait } = setup();
    judge(down("Escape"));
    wait(300);
    expect(judge(down("Tab"))).toBe("leave");
    judge(down("Escape"));
    expect(judge(down("Shift"))).toBe("guest");
    expect(judge(down("Tab"))).toBe("leave");
  });

  it("leaves only once per Esc: the next Tab goes to the guest again", () => {
    const { judge } = setup();
    judge(down("Escape"));
    expect(judge(down("Tab"))).toBe("leave");
    expect(judge(down("Tab"))).toBe("guest");
  });

  it(`forgets the Esc after ${leaveWindowMs} ms or after any other key`, () => {
    const { judge, wait } = setup();
    judge(down("Escape"));
    wait(leaveWindowMs + 1);
    expect(judge(down("Tab"))).toBe("guest");
    judge(down("Escape"));
    judge(down("x"));
    expect(judge(down("Tab"))).toBe("guest");
    judge(down("Escape"));
    wait(leaveWindowMs);
    expect(judge(down("Tab"))).toBe("leave");
  });

  it("a second Esc starts the window again", () => {
    const { judge, wait } = setup();
    judge(down("Escape"));
    wait(1500);
    judge(down("Escape"));
    wait(1500);
    expect(judge(down("Tab"))).toBe("leave");
  });

  it("ignores Ctrl/Alt/Meta combinations, key-ups, key-presses and input-method composition", () => {
    const { judge } = setup();
    judge(down("Escape", { ctrlKey: true }));
    expect(judge(down("Tab"))).toBe("guest");
    judge(down("Escape"));
    expect(judge(down("Tab", { altKey: true }))).toBe("guest");
    judge(down("Escape"));
    expect(judge({ ...down("Tab"), type: "keyup" })).toBe("guest");
    expect(judge({ ...down("Tab"), type: "keypress" })).toBe("guest");
    expect(judge(down("Tab", { isComposing: true }))).toBe("guest");
    expect(judge(down("Tab"))).toBe("leave");
  });
});
