import { afterEach, describe, expect, it } from "vitest";
import { consoleSessionCap, createUserCap, liveStreamCap } from "./stream-caps";
import { AppError } from "./errors";

const envVar = "HIKUBE_TEST_CAP_PER_USER";

afterEach(() => {
  delete process.env[envVar];
});

describe("createUserCap", () => {
  it("gives `limit` slots per user, then 429 naming the limit; a released slot can be taken again", () => {
    const cap = createUserCap({ what: "test things", envVar, defaultLimit: 2 });
    const a1 = cap.acquire("alice");
    cap.acquire("alice");
    let refusal: unknown;
    try {
      cap.acquire("alice");
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: "too_many_requests", status: 429, message: "You have 2 test things open; close one (another tab?) and retry.", details: { limit: 2 } });
    // per user
    const b = cap.acquire("bob");
    expect(cap.count("bob")).toBe(1);
    a1();
    expect(cap.count("alice")).toBe(1);
    expect(() => cap.acquire("alice")).not.toThrow();
    b();
    expect(cap.count("bob")).toBe(0);
  });

  it("frees a slot once however often its release is called", () => {
    const cap = createUserCap({ what: "test once", envVar, defaultLimit: 3 });
    const r = cap.acquire("alice");
    cap.acquire("alice");
    r();
    r();
    r();
    expect(cap.count("alice")).toBe(1);
  });

  it("reads the limit from its variable at each acquisition; not a positive integer means the default", () => {
    const cap = createUserCap({ what: "test env", envVar, defaultLimit: 2 });
    for (const bad of ["", "0", "-1", "1.5", "lots"]) {
      process.env[envVar] = bad;
      expect(cap.limit(), JSON.stringify(bad)).toBe(2);
    }
    process.env[envVar] = " 1 ";
    expect(cap.limit()).toBe(1);
    cap.acquire("alice");
    expect(() => cap.acquire("alice")).toThrow("You have 1 test env open");
    process.env[envVar] = "5";
    expect(() => cap.acquire("alice")).not.toThrow();
  });

  it("keeps one count per cap name for every copy of the module (server.ts and Next's bundle)", () => {
    const one = createUserCap({ what: "test shared", envVar, defaultLimit: 1 });
    const other = createUserCap({ what: "test shared", envVar, defaultLimit: 1 });
    const release = one.acquire("alice");
    expect(() => other.acquire("alice")).toThrow(AppError);
    release();
    expect(() => other.acquire("alice")).not.toThrow();
  });

  it("has the documented defaults", () => {
    expect(liveStreamCap.limit()).toBe(8);
    expect(consoleSessionCap.limit()).toBe(4);
  });
});
