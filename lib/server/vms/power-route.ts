import { Reply, tenantRoute } from "../gate";
import { powerVm, type PowerAction } from "./vms";

/**
 * The route handler of `POST /api/tenants/{tenant}/vms/{name}/{start|stop|restart}` (no body):
 * needs `vm.power` (`use` or higher), audited as `vm.<action>`.
 * @returns 202 `{ accepted: true }`; 404 for a VM that does not exist (or a malformed name); 409 in
 *   plain words when the VM's state refuses it (vms.ts `powerConflictError`, `details.reason`)
 */
export function powerRoute(action: PowerAction) {
  return tenantRoute(
    { permission: "vm.power", audit: { action: `vm.${action}`, targetKind: "VMInstance" } },
    async ({ access, params }) => new Reply(202, await powerVm(access, params.name, action)),
  );
}
