import { describe, expect, it, vi } from "vitest";

/** A fresh copy of a module, as Next's separate bundles of pages and route handlers load it. */
async function freshCopy<T>(load: () => Promise<T>): Promise<T> {
  vi.resetModules();
  return load();
}

describe("state shared by every copy of a module in the process", () => {
  it("gives two copies of the watch cache module the same cache for a tenant kind: one upstream watch, not one per copy", async () => {
    const a = await freshCopy(() => import("./k8s/watch-cache"));
    const b = await freshCopy(() => import("./k8s/watch-cache"));
    expect(a.watchCache).not.toBe(b.watchCache);
    const fromA = a.watchCache(a.cachedKinds.VMInstance, "tenant-shared");
    const fromB = b.watchCache(b.cachedKinds.VMInstance, "tenant-shared");
    expect(fromB).toBe(fromA);
    expect(b.watchCacheStats().caches).toBe(a.watchCacheStats().caches);
    fromA.stop();
    expect(a.watchCache(a.cachedKinds.VMInstance, "tenant-shared")).not.toBe(fromA);
    b.watchCache(b.cachedKinds.VMInstance, "tenant-shared").stop();
  });

  it("lets one copy recognise another copy's AppError, so a cache's failure keeps its status in any route", async () => {
    const a = await freshCopy(() => import("./errors"));
    const b = await freshCopy(() => import("./errors"));
    expect(a.AppError).not.toBe(b.AppError);
    const error = new a.AppError("cluster_unavailable", "cluster_unreachable", { detail: "socket hang up" });
    expect(error instanceof b.AppError).toBe(true);
    expect(error instanceof Error).toBe(true);
    expect(new Error("plain") instanceof b.AppError).toBe(false);
    expect({ code: "invalid" } instanceof b.AppError).toBe(false);
    expect((null as unknown as object) instanceof b.AppError).toBe(false);
  });

  it("makes a value once per process", async () => {
    const { processGlobal } = await import("./process-global");
    const create = vi.fn(() => ({ n: 1 }));
    const first = processGlobal("test-once", create);
    expect(processGlobal("test-once", create)).toBe(first);
    expect(create).toHaveBeenCalledTimes(1);
  });
});
