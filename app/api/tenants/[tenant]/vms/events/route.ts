import { z } from "zod";
import { tenantRoute } from "@/lib/server/gate";
import { vmEventStream } from "@/lib/server/vms/stream";

export const dynamic = "force-dynamic";

/** `known`: the version of the rows the page rendered on the server (lib/server/vms/vms.ts vmRowsVersion). */
const vmStreamQuerySchema = z.object({ known: z.string().max(80).regex(/^[a-z0-9.]+$/).optional() }).strict();

/**
 * GET /api/tenants/{tenant}/vms/events[?known=version] → text/event-stream of the VM list (see
 * lib/server/vms/stream.ts): no first snapshot when the rows of `known` are still current.
 */
export const GET = tenantRoute({ permission: "vm.read", input: vmStreamQuerySchema }, async ({ access, req, input }) =>
  vmEventStream(access, req.signal, input.known));
