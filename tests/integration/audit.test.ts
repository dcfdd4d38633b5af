/**
 * The audit log API through the portal: who may read what (platform admins everything, tenant
 * admins their own tenant, others nothing), filters, keyset pages that neither skip nor repeat
 * rows (ties on the timestamp included), and the CSV / JSON exports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { portalUrl, signIn, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let admin: PortalClient;
let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const tenant = `aud${Math.random().toString(36).replace(/[^a-z]/g, "").slice(0, 6)}`;
const base = Date.parse("2026-01-01T00:00:00Z");

beforeAll(async () => {
  [admin, alice, victor, bob] = await Promise.all([
    signIn("admin", "admin-password"), signIn("alice", "alice-password"),
    signIn("victor", "victor-password"), signIn("bob", "bob-password"),
  ]);
  // 9 rows of a (never created) tenant: minutes 0..6, and two more sharing minute 3's timestamp
  const rows = Array.from({ length: 9 }, (_, i) => ({
    createdAt: new Date(base + Math.min(i, 6) * 60_000 - (i > 6 ? 4 * 60_000 : 0)),
    actor: i % 2 === 0 ? "carol" : "dave",
    tenantName: tenant,
    action: i % 3 === 0 ? "vm.delete" : "vm.create",
    targetKind: "VMInstance",
    targetName: `vm-${i}, "quoted"`,
    result: (i === 4 ? "denied" : "success") as "denied" | "success",
  }));
  await getDb().auditLog.createMany({ data: rows });
});

afterAll(async () => {
  await getDb().auditLog.deleteMany({ where: { tenantName: tenant } });
  await getDb().$disconnect();
});

async function allPages(client: PortalClient, query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } =
      await client.call("GET", `/api/audit?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((r) => r.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe("filters and pages", () => {
  it("pages through a tenant's rows newest first, without gaps or repeats across equal timestamps", async () => {
    const all = await admin.call("GET", `/api/audit?tenant=${tenant}&limit=200`);
    expect(all.body.items).toHaveLength(9);
    const times = all.body.items.map((r: { createdAt: string }) => r.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const { ids, pages } = await allPages(admin, `tenant=${tenant}`, 2);
    expect(pages).toBe(5);
    expect(ids).toEqual(all.body.items.map((r: { id: string }) => r.id));
  });

  it("filters by actor, action, result and time range", async () => {
    const q = (s: string) => admin.call("GET", `/api/audit?tenant=${tenant}&${s}`).then((r) => r.body.items as { actor: string; action: string; result: string }[]);
    expect((await q("actor=carol")).every((r) => r.actor === "carol")).toBe(true);
    expect(await q("actor=carol")).toHaveLength(5);
    expect((await q("action=vm.delete")).map((r) => r.action)).toEqual(["vm.delete", "vm.delete", "vm.delete"]);
    expect((await q("result=denied")).map((r) => r.result)).toEqual(["denied"]);
    const from = new Date(base + 5 * 60_000).toISOString();
    const to = new Date(base + 6 * 60_000).toISOString();
    expect(await q(`from=${from}&to=${to}`)).toHaveLength(1);
  });

  it("refuses bad filters with 422 naming the field", async () => {
    for (const [query, field] of [["result=maybe", "result"], ["from=yesterday", "from"], ["limit=5000", "limit"], ["cursor=bm9wZQ", "cursor"]]) {
      const res = await admin.call("GET", `/api/audit?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body.error.field).toBe(field);
    }
  });
});

describe("who reads what", () => {
  it("gives tenant admins their own tenant only", async () => {
    const own = await alice.call("GET", "/api/audit?tenant=acme");
    expect(own.status).toBe(200);
    expect(own.body.items.every((r: { tenantName: string }) => r.tenantName === "acme")).toBe(true);
    expect((await alice.call("GET", "/api/audit")).status).toBe(422);
    expect((await alice.call("GET", "/api/audit?tenant=globex")).status).toBe(404);
    expect((await alice.call("GET", `/api/audit?tenant=${tenant}`)).status).toBe(404);
    expect((await bob.call("GET", "/api/audit?tenant=globex")).status).toBe(200);
  });

  it("refuses viewers (403) and anonymous callers (401)", async () => {
    expect((await victor.call("GET", "/api/audit?tenant=acme")).status).toBe(403);
    expect((await fetch(`${portalUrl}/api/audit`)).status).toBe(401);
    expect((await fetch(`${portalUrl}/api/audit/export?format=csv`)).status).toBe(401);
  });
});

describe("export", () => {
  it("downloads the filtered rows as CSV with a header and quoting intact", async () => {
    const res = await fetch(`${portalUrl}/api/audit/export?format=csv&tenant=${tenant}&actor=dave`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(new RegExp(`attachment; filename="audit-${tenant}-\\d{4}-\\d{2}-\\d{2}\\.csv"`));
    const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.actor === "dave" && r.tenantName === tenant)).toBe(true);
    expect(records.map((r) => r.targetName)).toContain('vm-1, "quoted"');
  });

  it("downloads them as one JSON array", async () => {
    const res = await fetch(`${portalUrl}/api/audit/export?format=json&tenant=${tenant}`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const rows = (await res.json()) as { tenantName: string }[];
    expect(rows).toHaveLength(9);
  });

  it("keeps tenant admins to their tenant", async () => {
    const res = await fetch(`${portalUrl}/api/audit/export?format=csv&tenant=globex`, { headers: { cookie: alice.cookie } });
    expect(res.status).toBe(404);
  });
});
