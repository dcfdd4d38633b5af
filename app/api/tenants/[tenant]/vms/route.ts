import { Reply, tenantRoute } from "@/lib/server/gate";
import { createVm, listVms } from "@/lib/server/vms/vms";
import { queryVms } from "@/lib/server/vms/list-page";
import { createVmSchema } from "@/lib/shared/vm";
import { listVmsQuerySchema } from "@/lib/shared/vm-list-query";

/**
 * GET /api/tenants/{tenant}/vms[?q&state&type&profile&external&sort&dir&limit&cursor] → VmSummary[],
 * or a VmPage `{ items, nextCursor, total }` when `limit` or `cursor` is given
 * (lib/shared/vm-list-query.ts); served from the tenant's watch cache after a SubjectAccessReview.
 */
export const GET = tenantRoute({ permission: "vm.read", input: listVmsQuerySchema }, async ({ access, input }) =>
  queryVms(await listVms(access), input));

/** POST /api/tenants/{tenant}/vms (CreateVmRequest) → 201 VmSummary; 422 names the field. */
export const POST = tenantRoute(
  {
    permission: "vm.create",
    input: createVmSchema,
    audit: { action: "vm.create", targetKind: "VMInstance" },
    // cloud-init may hold secrets: record its size only.
    summarize: (i) => ({ ...i, cloudInit: i.cloudInit ? `${i.cloudInit.length} characters` : "", sshKeys: i.sshKeys.length }),
  },
  async ({ access, input, audit }) => {
    audit.targetName = input.name;
    return new Reply(201, await createVm(access, input));
  },
);
