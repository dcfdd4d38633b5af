import { beforeEach, describe, expect, it, vi } from "vitest";

const reviews: unknown[] = [];
let allowed = true;
vi.mock("./client", () => ({
  kubeRequest: vi.fn(async (_identity: unknown, req: { body: unknown }) => {
    reviews.push(req.body);
    return { status: { allowed } };
  }),
}));

const { accessReviewWindowMs, forgetAccessReviews, isAllowed } = await import("./access-review");
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
      spec: { user: "alice", groups: ["tenant-acme-admin"], resourceAttributes: { namespace: "tenant-acme", verb: "list", group: "apps.cozystack.io", resource: "vminstances" } },
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
