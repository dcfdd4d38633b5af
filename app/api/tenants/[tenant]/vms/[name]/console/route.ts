import { consoleCheckRoute } from "@/lib/server/console/check-route";

/**
 * GET /api/tenants/{tenant}/vms/{name}/console without a WebSocket upgrade: the relay's own checks as
 * plain JSON, so the page can explain a refused WebSocket (a browser cannot read its status).
 */
export const GET = consoleCheckRoute;
