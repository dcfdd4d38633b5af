import { Reply, tenantRoute } from "../gate";
import { pauseVm, pauseActions, type PauseAction } from "./pause";
import { powerVm, type PowerAction } from "./vms";

/**
 * The route handler of `POST /api/tenants/{tenant}/vms/{name}/{start|stop|restart|pause|unpause}`
 * (no body): needs `vm.power` (`use` or higher), audited as `vm.<action>`.
 * @returns 202 `{ accepted: true }`; 404 for a VM that does not exist (or a malformed name); 409 in
 *   plain words when the VM's state refuses it (vms.ts `powerConflictError`, pause.ts
 *   `pauseConflictError`, `details.reason`)
 */
export function powerRoute(action: PowerAction | PauseAction) {
  const isPause = (a: PowerAction | PauseAction): a is PauseAction => (pauseActions as readonly string[]).includes(a);
  return tenantRoute(
    { permission: "vm.power", audit: { action: `vm.${action}`, targetKind: "VMInstance" } },
    async ({ access, params }) =>
      new Reply(202, await (isPause(action) ? pauseVm(access, params.name, action) : powerVm(access, params.name, action))),
  );
}
