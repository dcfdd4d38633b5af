import { powerRoute } from "@/lib/server/power-route";

/** POST /api/tenants/{tenant}/vms/{name}/stop → 202 `{ accepted: true }` (see lib/server/vms.ts powerVm) */
export const POST = powerRoute("stop");
