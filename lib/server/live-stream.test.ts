import { afterEach, describe, expect, it } from "vitest";
import { liveListStream, streamUser } from "./live-stream";
import { liveStreamCap } from "./stream-caps";
import { AppError } from "./errors";
import type { TenantAccess } from "./tenancy/tenancy";

const opened: AbortController[] = [];

afterEach(() => {
  for (const c of opened.splice(0)) c.abort();
  delete process.env.HIKUBE_MAX_STREAMS_PER_USER;
});

/** A stream whose round sends a snapshot and then waits, as a quiet watch does. */
function open(user: string, signal?: AbortSignal): { res: Response; controller: AbortController } {
  const controller = new AbortController();
  opened.push(controller);
  const res = liveListStream({
    signal: signal ?? controller.signal, area: "test", tenant: "acme", user,
    round: async ({ send }) => send("snapshot", []),
  });
  return { res, controller };
}

describe("liveListStream's per-user slot", () => {
  it("refuses the stream over the cap with 429 before it starts", () => {
    process.env.HIKUBE_MAX_STREAMS_PER_USER = "2";
    open("cap-a");
    open("cap-a");
    expect(() => open("cap-a")).toThrow(AppError);
    expect(() => open("cap-a")).toThrow("You have 2 live lists open; close one (another tab?) and retry.");
    expect(liveStreamCap.count("cap-a")).toBe(2);
  });

  it("frees the slot when the request aborts", async () => {
    const { res, controller } = open("cap-b");
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("event: snapshot\ndata: []\n\n");
    expect(liveStreamCap.count("cap-b")).toBe(1);
    controller.abort();
    expect(liveStreamCap.count("cap-b")).toBe(0);
    expect((await reader.read()).done).toBe(true);
    controller.abort();
    expect(liveStreamCap.count("cap-b")).toBe(0);
  });

  it("frees the slot when the body is cancelled (the connection closed)", async () => {
    const { res } = open("cap-c");
    expect(liveStreamCap.count("cap-c")).toBe(1);
    await res.body!.cancel();
    expect(liveStreamCap.count("cap-c")).toBe(0);
  });

  it("takes no slot for long when the request is already aborted", () => {
    const gone = new AbortController();
    gone.abort();
    open("cap-d", gone.signal);
    expect(liveStreamCap.count("cap-d")).toBe(0);
  });

  it("counts by the cluster username the user acts as", () => {
    const access = { identity: { type: "user", username: "alice", groups: [] } } as unknown as TenantAccess;
    expect(streamUser(access)).toBe("alice");
  });
});
