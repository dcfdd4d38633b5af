import { tenantRoute } from "../gate";
import { consoleSessionCap } from "../stream-caps";

/**
 * `GET /api/tenants/{tenant}/vms/{name}/console|vnc` without an upgrade (the upgrade itself is
 * served by relay.ts in server.ts). Same checks as the relay, through the route gate:
 * 401 no session, 404 not a member, 403 below `use`, 429 when the user already holds
 * HIKUBE_MAX_CONSOLES_PER_USER console sessions in this process (lib/server/stream-caps.ts).
 * @returns `{ allowed: true }` when the relay would let the user open the console
 */
export const consoleCheckRoute = tenantRoute({ permission: "vm.console" }, async ({ principal }) => {
  consoleSessionCap.assertRoom(principal.username);
  return { allowed: true };
});
