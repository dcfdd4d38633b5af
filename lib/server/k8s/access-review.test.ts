import { beforeEach, describe, expect, it, vi } from "vitest";

const reviews: unknown[] = [];
let allowed = true;
/** thrown by the cluster instead of answering, when set */
let clusterError: Error | null = null;
vi.mock("./client", () => ({
  kubeRequest: vi.fn(async (_identity: unknown, req: { body: unknown }) => {
    reviews.push(req.body);
    if (clusterError) throw clusterError;
    return { status: { allowed } };
  }),
}));

const { accessReviewWindowMs, deniedReviewWindowMs, forgetAccessReviews, isAllowed, reviewFailureGraceMs, reviewWhileOpen } = await import("./access-review");
const { AppError } = await import("../errors");
const { kinds } = await import("./kinds");

const alice = { type: "user" as const, username: "alice", groups: ["tenant-acme-admin"] };

describe("SubjectAccessReview before serving a user from the shared caches", () => {
  beforeEach(() => {
    reviews.length = 0;
    allowed = true;
    clusterError = null;
    forgetAccessReviews();
  });

  it("asks the cluster for that user, groups, verb, resource and namespace", async () => {
    expect(await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme")).toBe(true);
    expect(reviews).toEqual([{
      apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
      spec: { user: "alice", groups: ["system:authenticated", "tenant-acme-admin"], resourceAttributes: { namespace: "tenant-acme", verb: "list", group: "apps.cozystack.io", resource: "vminstances" } },
    }]);
  });

  it("reuses an answer within the window only, and never across namespaces", async () => {
    const t0 = Date.now();
    await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme", t0);
    await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme", t0 + 1000);
    expect(reviews).toHaveLength(1);
    await isAllowed(alice, "list", kinds.VMInstance, "tenant-globex", t0 + 1000);
    expect(reviews).toHaveLength(2);
    allowed = false;
    expect(await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme", t0 + accessReviewWindowMs + 1000)).toBe(false);
    expect(reviews).toHaveLength(3);
  });

  it("reuses a refusal for 2 s only, so a user the cluster has just granted (or an API server that has just loaded its RBAC) gets in at once", async () => {
    const t0 = Date.now();
    allowed = false;
    expect(await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme", t0)).toBe(false);
    expect(await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme", t0 + deniedReviewWindowMs - 500)).toBe(false);
    expect(reviews).toHaveLength(1);
    allowed = true;
    expect(await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme", t0 + deniedReviewWindowMs + 500)).toBe(true);
    expect(reviews).toHaveLength(2);
  });

  it("answers 503, not the user's 403, when the cluster refuses the portal's own review, and keeps nothing", async () => {
    clusterError = new AppError("forbidden", "cluster_forbidden");
    const refused = await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "cluster_unavailable", reason: "cluster_unreachable", status: 503 });
    clusterError = null;
    expect(await isAllowed(alice, "list", kinds.VMInstance, "tenant-acme")).toBe(true);
    expect(reviews).toHaveLength(2);
  });

  it("asks once for many requests arriving together", async () => {
    await Promise.all(Array.from({ length: 50 }, () => isAllowed(alice, "list", kinds.VMDisk, "tenant-acme")));
    expect(reviews).toHaveLength(1);
  });
});

describe("the reviews of an open live list", () => {
  it("end it at the cluster's refusal, and when the cluster has not vouched for the user for the grace period", async () => {
    vi.useFakeTimers();
    try {
      let answer: () => Promise<void> = async () => {};
      const ends: string[] = [];
      const stop = reviewWhileOpen(() => answer(), (err) => ends.push(err.reason), 1000);
      await vi.advanceTimersByTimeAsync(3000);
      expect(ends).toEqual([]);
      // the cluster cannot answer: still served for the grace period, then not
      answer = async () => { throw new AppError("cluster_unavailable", "cluster_unreachable"); };
      await vi.advanceTimersByTimeAsync(reviewFailureGraceMs - 2000);
      expect(ends).toEqual([]);
      await vi.advanceTimersByTimeAsync(3000);
      expect(ends).toEqual(["cluster_unreachable"]);
      await vi.advanceTimersByTimeAsync(5000);
      expect(ends).toHaveLength(1);
      stop();

      const refused: string[] = [];
      reviewWhileOpen(async () => { throw new AppError("forbidden", "cluster_forbidden"); }, (err) => refused.push(err.reason), 1000);
      await vi.advanceTimersByTimeAsync(1000);
      expect(refused).toEqual(["cluster_forbidden"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
