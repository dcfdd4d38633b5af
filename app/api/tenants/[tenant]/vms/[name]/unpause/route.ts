import { powerRoute } from "@/lib/server/vms/power-route";

/** POST /api/tenants/{tenant}/vms/{name}/unpause → 202 `{ accepted: true }` (see lib/server/vms/pause.ts pauseVm) */
export const POST = powerRoute("unpause");
