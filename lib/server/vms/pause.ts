/**
 * Pause and unpause of a tenant's VM through KubeVirt's VirtualMachineInstance subresources
 * (`PUT /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/vm-instance-{name}/pause|unpause`).
 * A paused guest keeps its memory and its VMI (phase Running, condition Paused with reason
 * PausedByUser); its VirtualMachine reads `Paused`, which the portal shows as the VM's state.
 */
import { kinds, resourcePath } from "../k8s/kinds";
import { errorFromStatus, scrubClusterMessage, sendRaw } from "../k8s/client";
import { AppError } from "../errors";
import type { ApiErrorReason, ErrorParams } from "../../shared/api-errors";
import type { TenantAccess } from "../tenancy/tenancy";
import { assertVmUrlName, exists, virtualMachineName } from "./vms";

/** The pause actions of KubeVirt's `subresources.kubevirt.io/v1` VirtualMachineInstance subresources. */
export const pauseActions = ["pause", "unpause"] as const;

/** One of {@link pauseActions}. */
export type PauseAction = (typeof pauseActions)[number];

/**
 * Why KubeVirt refused a pause or unpause (HTTP 409), as a stable reason the UI can translate.
 * - `not_running`: the VM is not running (its VMI is not in phase Running, or it has none);
 * - `already_paused`: pause of a paused VM;
 * - `not_paused`: unpause of a VM that is not paused;
 * - `other`: anything else (KubeVirt's reason, scrubbed, is then in the message).
 */
export type PauseConflictReason = "not_running" | "already_paused" | "not_paused" | "other";

/**
 * Rewrites KubeVirt's 409 answer to a pause or unpause into a message for the user.
 *
 * The reasons are upstream's, kubevirt/kubevirt pkg/virt-api/rest/subresource.go (`PauseVMI`,
 * `UnpauseVMI`; constants `vmNotRunning` "VM is not running", `vmiNotRunning` "VMI is not running",
 * `vmiNotPaused` "VMI is not paused", and "VMI is already paused"), wrapped by `errors.NewConflict`
 * as `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "<vmi>": <reason>`. Newer
 * releases also refuse an unpause while a snapshot is in progress ("VM snapshot is in progress",
 * on virtualmachine.kubevirt.io): `other`. The VMI's name (`vm-instance-<name>`) never reaches the user.
 * @param action the refused action
 * @param body the answer's body (a metav1 Status, or plain text)
 * @returns AppError conflict with `details: { reason }` ({@link PauseConflictReason})
 */
export function pauseConflictError(action: PauseAction, body: string): AppError {
  let text = body.trim();
  try {
    text = String((JSON.parse(body) as { message?: unknown }).message ?? text);
  } catch {
    /* KubeVirt answers some conflicts as plain text */
  }
  const reason = text.replace(/^Operation cannot be fulfilled on [^:]+: /, "").trim();
  const conflict = (r: PauseConflictReason, reason: ApiErrorReason, params: ErrorParams = {}) => new AppError("conflict", reason, params, { details: { reason: r } });
  if (/^VMI? is not running/.test(reason)) return conflict("not_running", "pause_not_running", { action });
  if (/^VMI is already paused/.test(reason)) return conflict("already_paused", "pause_already_paused");
  if (/^VMI is not paused/.test(reason)) return conflict("not_paused", "pause_not_paused");
  const detail = scrubClusterMessage(reason.replace(/"vm-instance-([^"]*)"/g, '"$1"'));
  return detail ? conflict("other", "vm_action_refused_because", { action, detail }) : conflict("other", "vm_action_refused", { action });
}

/**
 * Pauses or unpauses VM `name` with the user's identity (the cluster's RBAC decides; `use` level
 * grants `virtualmachineinstances/pause` and `/unpause`, as KubeVirt's `kubevirt.io:edit` does).
 * Body `{}` (KubeVirt's PauseOptions/UnpauseOptions, no dry run).
 *
 * A stopped VM has no VirtualMachineInstance, and KubeVirt answers 404 for it: the VMInstance is
 * then read (as the user) to tell "not running" (409 `not_running`) from "no such VM" (404).
 * @param name from the URL path: a malformed name answers not_found, like a missing VM
 * @returns `{ accepted: true }` once KubeVirt answered 2xx (virt-handler has paused or resumed the guest)
 * @throws AppError conflict in plain words ({@link pauseConflictError}), not_found, forbidden
 *   (cluster RBAC, or KubeVirt's refusal of a VMI with a liveness probe), cluster_unavailable
 */
export async function pauseVm(access: TenantAccess, name: string, action: PauseAction): Promise<{ accepted: true }> {
  assertVmUrlName(name);
  const namespace = access.tenant.namespace;
  const res = await sendRaw(access.identity, {
    method: "PUT",
    path: resourcePath(kinds.VirtualMachineInstanceSubresources, { namespace, name: virtualMachineName(name), subresource: action }),
    body: {},
  });
  if (res.status >= 200 && res.status < 300) return { accepted: true };
  if (res.status === 409) throw pauseConflictError(action, res.body);
  if (res.status === 404) {
    if (!(await exists(access, kinds.VMInstance, name))) throw new AppError("not_found", "vm_not_found", { name });
    throw pauseConflictError(action, "VMI is not running");
  }
  throw errorFromStatus(res.status, res.body);
}
