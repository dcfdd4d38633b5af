import { beforeEach, describe, expect, it, vi } from "vitest";

const reviews: unknown[] = [];
let allowed = true;
vi.mock("./client", () => ({
  kubeRequest: vi.fn(async (_identity: unknown, req: { body: unknown }) => {
    reviews.push(req.body);
    return { status: { allowed } };
  }),
}));

const { accessReviewWindowMs, forgetAccessReviews, isAllowed, reviewFailureGraceMs, reviewWhileOpen } = await import("./access-review");
const { AppError } = await import("../errors");
const { kinds } = await import("./kinds");

const alice = { type: "user" as const, username: "alice", groups: ["tenant-acme-admin"] };

describe("SubjectAccessReview before serving a user from the shared caches", () => {
  beforeEach(() => {
    reviews.length = 0;
    allowed = true;
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
