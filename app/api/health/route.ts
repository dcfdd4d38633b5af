import { checkReadiness } from "@/lib/server/probes";

export const dynamic = "force-dynamic";

/**
 * GET /api/health → `{ cluster: "ok", database: "ok" }`, or 503 with `"unavailable"` for what
 * failed (lib/server/probes.ts; the reason goes to the server log only). Kept for existing
 * monitors; pods probe `/livez` and `/readyz` (server.ts).
 */
export async function GET() {
  const { ready, checks } = await checkReadiness();
  return Response.json(checks, { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
