import { powerRoute } from "@/lib/server/vms/power-route";

/** POST /api/tenants/{tenant}/vms/{name}/stop → 202 `{ accepted: true }` (see lib/server/vms/vms.ts powerVm) */
export const POST = powerRoute("stop");
