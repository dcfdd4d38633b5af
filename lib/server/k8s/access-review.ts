/**
 * Whether the cluster lets a user do something, asked with a SubjectAccessReview
 * (`POST /apis/authorization.k8s.io/v1/subjectaccessreviews`, the portal's identity; the portal's
 * ClusterRole grants `create` on them): before the portal serves a user from a cache it filled with
 * its own identity (watch-cache.ts), the cluster's RBAC says whether that user may `list` that
 * resource in that namespace. The cluster stays the authority; the portal only avoids asking it
 * for the whole list again.
 *
 * Answers are kept for {@link accessReviewWindowMs} (10 s), per user, groups, verb, resource and
 * namespace, so a RoleBinding removed in the cluster stops serving its user within 10 s (SECURITY.md).
 * A refusal is kept for {@link deniedReviewWindowMs} (2 s) only: keeping it is never unsafe, and a
 * short window lets a user in soon after the cluster grants them (or after an API server restart,
 * whose authorizer denies everyone until its RBAC informers have synced). A failed review (cluster
 * unreachable, or the cluster refusing the portal's own review) is not kept and is a 503: the portal
 * cannot tell, which is not the user's fault.
 */
import { kubeRequest } from "./client";
import { portalIdentity, type KubeIdentity } from "./identity";
import type { KindDescriptor } from "./kinds";
import { AppError } from "../errors";
import { processGlobal } from "../process-global";

/** How long an answer of the cluster is reused: 10 seconds. */
export const accessReviewWindowMs = 10_000;

/** How long a refusal of the cluster is reused: 2 seconds (see the module doc). */
export const deniedReviewWindowMs = 2_000;

/** Most answers kept at once; the oldest go first (a bound on memory, not a tuning knob). */
const maxEntries = 10_000;

interface Review {
  allowed: boolean;
  /** ms since the epoch */
  until: number;
}

// one set per process, whichever copy of this module asks (process-global.ts)
const answers = processGlobal("access-review-answers", () => new Map<string, Review>());
const asking = processGlobal("access-review-asking", () => new Map<string, Promise<boolean>>());

/** The SubjectAccessReview's status (k8s.io/api/authorization/v1 SubjectAccessReviewStatus). */
interface SubjectAccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

/**
 * Whether `identity` may `verb` `kind` in `namespace`, per the cluster's RBAC.
 * @param now ms since the epoch (tests)
 * @returns true for the portal's own identity (its RBAC applies to its own calls directly)
 * @throws AppError cluster_unavailable when the cluster cannot answer
 */
export async function isAllowed(identity: KubeIdentity, verb: "list" | "watch" | "get", kind: KindDescriptor, namespace: string, now = Date.now()): Promise<boolean> {
  if (identity.type === "portal") return true;
  // The API server adds system:authenticated to every impersonated user but system:anonymous
  // (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): review the groups the user's own
  // calls carry.
  const groups = [...new Set([...identity.groups, "system:authenticated"])].sort();
  const key = JSON.stringify([identity.username, groups, verb, kind.group, kind.plural, namespace]);
  const held = answers.get(key);
  if (held && held.until > now) return held.allowed;
  let pending = asking.get(key);
  if (!pending) {
    pending = kubeRequest<SubjectAccessReview>(portalIdentity, {
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user: identity.username, groups, resourceAttributes: { namespace, verb, group: kind.group, resource: kind.plural } },
      },
    }).then((review) => {
      const allowed = review.status?.allowed === true;
      answers.delete(key);
      answers.set(key, { allowed, until: Date.now() + (allowed ? accessReviewWindowMs : deniedReviewWindowMs) });
      while (answers.size > maxEntries) answers.delete(answers.keys().next().value as string);
      return allowed;
    }, (err: unknown) => {
      // 401/403 to the portal's own review: its ServiceAccount lacks `create` on
      // subjectaccessreviews (a chart without it, or an API server still loading its RBAC)
      if (err instanceof AppError && (err.code === "forbidden" || err.code === "unauthenticated")) {
        throw new AppError("cluster_unavailable", "cluster_unreachable", { detail: "the cluster refused the portal's access review" });
      }
      throw err;
    }).finally(() => asking.delete(key));
    asking.set(key, pending);
  }
  return pending;
}

/**
 * Throws unless `identity` may `list` `kind` in `namespace` ({@link isAllowed}).
 * @throws AppError forbidden (`cluster_forbidden`, as if the user had listed directly),
 *   cluster_unavailable
 */
export async function assertCanList(identity: KubeIdentity, kind: KindDescriptor, namespace: string): Promise<void> {
  if (!(await isAllowed(identity, "list", kind, namespace))) throw new AppError("forbidden", "cluster_forbidden");
}

/**
 * Throws unless `identity` may both `list` and `watch` `kind` in `namespace`: what a live list
 * served from a cache stands for (the user's own list + watch).
 * @throws AppError forbidden (`cluster_forbidden`), cluster_unavailable
 */
export async function assertCanListAndWatch(identity: KubeIdentity, kind: KindDescriptor, namespace: string): Promise<void> {
  const [list, watch] = await Promise.all([isAllowed(identity, "list", kind, namespace), isAllowed(identity, "watch", kind, namespace)]);
  if (!list || !watch) throw new AppError("forbidden", "cluster_forbidden");
}

/** How long an open live list keeps serving while its reviews fail (the cluster cannot answer): the window plus 20 s. */
export const reviewFailureGraceMs = accessReviewWindowMs + 20_000;

/**
 * Runs `check` every `tickMs` (a lookup: the cluster is asked at most once per window, user and
 * verb) while a live list is open, and calls `end` once: with the check's `forbidden` error as soon
 * as the cluster refuses the user, or with cluster_unavailable (`cluster_unreachable`) when no
 * check has passed for {@link reviewFailureGraceMs}, so a user the cluster can no longer vouch for
 * is not served from the caches for long (SECURITY.md).
 * @returns stops the checks (call it when the list closes)
 */
export function reviewWhileOpen(check: () => Promise<void>, end: (error: AppError) => void, tickMs = 1000): () => void {
  let lastAllowed = Date.now();
  let done = false;
  const finish = (error: AppError) => {
    if (done) return;
    done = true;
    clearInterval(timer);
    end(error);
  };
  const timer = setInterval(() => {
    check().then(() => {
      lastAllowed = Date.now();
    }, (err: unknown) => {
      if (err instanceof AppError && err.code === "forbidden") finish(err);
      else if (Date.now() - lastAllowed > reviewFailureGraceMs) {
        finish(new AppError("cluster_unavailable", "cluster_unreachable", { detail: "the cluster did not confirm the user's access" }));
      }
    });
  }, tickMs);
  return () => {
    done = true;
    clearInterval(timer);
  };
}

/** Forgets every answer (tests). */
export function forgetAccessReviews(): void {
  answers.clear();
}
