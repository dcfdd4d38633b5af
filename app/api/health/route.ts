import { sendRaw } from "@/lib/server/k8s/client";
import { portalIdentity } from "@/lib/server/k8s/identity";
import { AppError } from "@/lib/server/errors";

export const dynamic = "force-dynamic";

/**
 * GET /api/health → `{ cluster: "ok" }`, or 503 `{ cluster: "unavailable", message }` when the
 * API server does not answer `/readyz` (readable by anyone through system:public-info-viewer).
 */
export async function GET() {
  try {
    const res = await sendRaw(portalIdentity, { path: "/readyz", timeoutMs: 3000 });
    if (res.status === 200) return Response.json({ cluster: "ok" });
    return Response.json({ cluster: "unavailable", message: `readyz answered ${res.status}` }, { status: 503 });
  } catch (err) {
    return Response.json({ cluster: "unavailable", message: err instanceof AppError ? err.message : String(err) }, { status: 503 });
  }
}
