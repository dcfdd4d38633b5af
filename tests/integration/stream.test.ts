/**
 * The live VM list: the Server-Sent Events stream sends a snapshot, then the VMs alice creates and
 * deletes, without the browser asking again.
 */
import { describe, expect, it } from "vitest";
import { portalUrl, signIn, uniqueName } from "./helpers";

interface StreamEvent {
  event: string;
  data: any;
}

/** Reads SSE events from the portal until `until` is satisfied or `timeoutMs` passes. */
async function collect(cookie: string, until: (events: StreamEvent[]) => boolean, timeoutMs: number, during?: () => Promise<void>): Promise<StreamEvent[]> {
  const controller = new AbortController();
  const res = await fetch(`${portalUrl}/api/tenants/acme/vms/events`, { headers: { cookie, accept: "text/event-stream" }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const events: StreamEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let started = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
      if (!started && events.some((e) => e.event === "snapshot")) {
        started = true;
        if (during) void during();
      }
      if (until(events)) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe("live VM list", () => {
  it("streams a snapshot, then the VM alice creates, then its removal", async () => {
    const alice = await signIn("alice", "alice-password");
    const name = uniqueName("live");
    const events = await collect(
      alice.cookie,
      (evs) => evs.some((e) => e.event === "remove" && e.data.name === name),
      20_000,
      async () => {
        const created = await alice.call("POST", "/api/tenants/acme/vms", {
          name, instanceType: "u1.medium", instanceProfile: "ubuntu", rootDisk: { source: { type: "image", name: "ubuntu" } },
        });
        expect(created.status).toBe(201);
        const deleted = await alice.call("DELETE", `/api/tenants/acme/vms/${name}?withDisks=true`);
        expect(deleted.status).toBe(200);
      },
    );
    expect(events[0].event).toBe("snapshot");
    expect(Array.isArray(events[0].data)).toBe(true);
    const upsert = events.find((e) => e.event === "upsert" && e.data.name === name);
    expect(upsert?.data).toMatchObject({ name, instanceType: "u1.medium", instanceProfile: "ubuntu" });
    expect(events.findIndex((e) => e.event === "remove" && e.data.name === name)).toBeGreaterThan(events.indexOf(upsert!));
  });

  it("refuses the stream to a user outside the tenant", async () => {
    const bob = await signIn("bob", "bob-password");
    const res = await fetch(`${portalUrl}/api/tenants/acme/vms/events`, { headers: { cookie: bob.cookie } });
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });
});
