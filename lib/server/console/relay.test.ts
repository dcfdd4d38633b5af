import { describe, expect, it } from "vitest";
import { closeForUpstreamStatus, matchConsolePath } from "./relay";

describe("closeForUpstreamStatus", () => {
  it("tells KubeVirt's 'session in use' 503 from the aggregator's 'virt-api unreachable' 503", () => {
    expect(closeForUpstreamStatus(503, "Active VNC connection. Request denied.")).toEqual({ code: 4503, reason: "session in use" });
    expect(closeForUpstreamStatus(503, "service unavailable")).toEqual({ code: 4502, reason: "KubeVirt unreachable" });
    expect(closeForUpstreamStatus(502, "")).toMatchObject({ code: 4502 });
  });
  it("reads a missing or stopped VM as 'not running' and keeps KubeVirt's conflict text", () => {
    expect(closeForUpstreamStatus(400, "VMI is not running").code).toBe(4400);
    expect(closeForUpstreamStatus(404, "not found").code).toBe(4400);
    expect(closeForUpstreamStatus(409, "VMI is in failed status")).toEqual({ code: 4409, reason: "VMI is in failed status" });
    expect(closeForUpstreamStatus(403, "").code).toBe(4403);
    expect(closeForUpstreamStatus(500, "").code).toBe(4500);
  });
  it("keeps a close reason within RFC 6455's 123 bytes", () => {
    expect(Buffer.byteLength(closeForUpstreamStatus(409, "é".repeat(200)).reason)).toBeLessThanOrEqual(123);
  });
});

describe("matchConsolePath", () => {
  it("matches both protocols and reads preserveSession", () => {
    expect(matchConsolePath("/api/tenants/acme/vms/web/console?preserveSession=true")).toEqual({ tenant: "acme", name: "web", kind: "console", preserveSession: true });
    expect(matchConsolePath("/api/tenants/acme/vms/web/vnc")).toEqual({ tenant: "acme", name: "web", kind: "vnc", preserveSession: false });
    expect(matchConsolePath("/api/tenants/acme/vms/web/start")).toBeNull();
  });
});
