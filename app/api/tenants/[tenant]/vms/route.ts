import { Reply, tenantRoute } from "@/lib/server/gate";
import { createVm, listVms } from "@/lib/server/vms/vms";
import { createVmSchema } from "@/lib/shared/vm";

/** GET /api/tenants/{tenant}/vms → VmSummary[] */
export const GET = tenantRoute({ permission: "vm.read" }, async ({ access }) => listVms(access));

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
