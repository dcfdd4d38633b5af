import { tenantRoute } from "@/lib/server/gate";
import { vmEventStream } from "@/lib/server/vms/stream";

export const dynamic = "force-dynamic";

/** GET /api/tenants/{tenant}/vms/events → text/event-stream of the VM list (see lib/server/vms/stream.ts). */
export const GET = tenantRoute({ permission: "vm.read" }, async ({ access, req }) => vmEventStream(access, req.signal));
