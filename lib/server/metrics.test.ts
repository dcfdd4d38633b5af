import { describe, expect, it } from "vitest";
import { methodLabel, metrics, metricsAccess, RouteMatcher } from "./metrics";
import { requestIdFor } from "./request-context";

// The shape of Next's routes-manifest.json (static routes, then dynamic ones in matching order).
const matcher = new RouteMatcher({
  staticRoutes: [{ page: "/", regex: "^/(?:/)?$" }, { page: "/api/tenants", regex: "^/api/tenants(?:/)?$" }],
  dynamicRoutes: [
    { page: "/api/tenants/[tenant]/vms", regex: "^/api/tenants/([^/]+?)/vms(?:/)?$" },
    { page: "/api/tenants/[tenant]/vms/events", regex: "^/api/tenants/([^/]+?)/vms/events(?:/)?$" },
    { page: "/api/tenants/[tenant]/vms/[name]", regex: "^/api/tenants/([^/]+?)/vms/([^/]+?)(?:/)?$" },
  ],
});

describe("route labels", () => {
  it("names a request by its route pattern, never by the tenant or VM it names", () => {
    expect(matcher.route("/api/tenants/acme/vms")).toBe("/api/tenants/[tenant]/vms");
    expect(matcher.route("/api/tenants/acme/vms/web-1?withDisks=true")).toBe("/api/tenants/[tenant]/vms/[name]");
    expect(matcher.route("/api/tenants/globex/vms/events")).toBe("/api/tenants/[tenant]/vms/events");
    expect(matcher.route("/api/tenants/")).toBe("/api/tenants");
    expect(matcher.route("/")).toBe("/");
  });

  it("puts assets, probes and unknown paths under a few fixed labels", () => {
    expect(matcher.route("/_next/static/chunks/abc123.js")).toBe("/_next");
    expect(matcher.route("/readyz")).toBe("/readyz");
    expect(matcher.route("/metrics")).toBe("/metrics");
    expect(matcher.route("/wp-admin/setup-config.php")).toBe("unmatched");
    expect(matcher.route("/api/tenants/acme/vms/web/console/../../x")).toBe("unmatched");
  });

  it("reads no manifest from a build folder that has none: everything is unmatched", () => {
    expect(RouteMatcher.fromBuild("/nonexistent").route("/api/tenants")).toBe("unmatched");
  });

  it("keeps a method the client made up out of the labels", () => {
    expect(methodLabel("GET")).toBe("GET");
    expect(methodLabel("PROPFIND")).toBe("other");
    expect(methodLabel(undefined)).toBe("other");
  });
});

describe("who may read /metrics", () => {
  it("without a token: the loopback interface only", () => {
    expect(metricsAccess("127.0.0.1", undefined, "")).toBe(true);
    expect(metricsAccess("::1", undefined, "")).toBe(true);
    expect(metricsAccess("::ffff:127.0.0.1", undefined, "")).toBe(true);
    expect(metricsAccess("10.244.1.7", undefined, "")).toBe(false);
    expect(metricsAccess("10.244.1.7", "Bearer anything", "")).toBe(false);
  });

  it("with a token: whoever sends it, and no one else, loopback included", () => {
    expect(metricsAccess("10.244.1.7", "Bearer s3cret-token", "s3cret-token")).toBe(true);
    expect(metricsAccess("10.244.1.7", "bearer s3cret-token", "s3cret-token")).toBe(true);
    expect(metricsAccess("10.244.1.7", "Bearer s3cret-tokeN", "s3cret-token")).toBe(false);
    expect(metricsAccess("10.244.1.7", "Basic s3cret-token", "s3cret-token")).toBe(false);
    expect(metricsAccess("127.0.0.1", undefined, "s3cret-token")).toBe(false);
  });
});

describe("request ids", () => {
  it("takes the proxy's X-Request-Id only behind a trusted proxy, and only when it looks like an id", () => {
    expect(requestIdFor("4bf92f3577b34da6a3ce929d0e0e4736", true)).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(requestIdFor("4bf92f3577b34da6a3ce929d0e0e4736", false)).not.toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(requestIdFor("x\nFAKE LOG LINE", true)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor("a".repeat(129), true)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(undefined, true)).not.toBe(requestIdFor(undefined, true));
  });
});

describe("the registry", () => {
  it("is one per process, with the portal's metrics in Prometheus' text format", async () => {
    expect(metrics()).toBe(metrics());
    metrics().auditWriteFailures.inc();
    const text = await metrics().registry.metrics();
    expect(text).toMatch(/^# TYPE hikube_http_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^hikube_audit_write_failures_total [1-9]/m);
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
  });
});
