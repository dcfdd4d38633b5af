import { beforeEach, describe, expect, it, vi } from "vitest";
import type { KubeRequest } from "../k8s/client";

const sent: KubeRequest[] = [];
let answer: { status: number; body: string } = { status: 202, body: "" };

vi.mock("../k8s/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../k8s/client")>()),
  sendRaw: vi.fn(async (_identity: unknown, req: KubeRequest) => {
    sent.push(req);
    return answer;
  }),
}));

const { powerVm } = await import("./vms");

const access = {
  tenant: { id: "t1", name: "acme", namespace: "tenant-acme", displayName: "ACME" },
  role: "admin" as const,
  identity: { type: "user" as const, username: "alice", groups: ["tenant-acme-admin"] },
};

/** A 409 as KubeVirt's virt-api writes it (errors.NewConflict on virtualmachine.kubevirt.io). */
const conflict = (reason: string) => ({
  status: 409,
  body: JSON.stringify({
    kind: "Status", apiVersion: "v1", status: "Failure", reason: "Conflict", code: 409,
    message: `Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm-instance-web": ${reason}`,
    details: { name: "vm-instance-web", group: "kubevirt.io", kind: "virtualmachine" },
  }),
});

describe("powerVm", () => {
  beforeEach(() => {
    sent.length = 0;
    answer = { status: 202, body: "" };
  });

  it("puts the action on KubeVirt's subresource of vm-instance-<name>", async () => {
    await expect(powerVm(access, "web", "start")).resolves.toEqual({ accepted: true });
    expect(sent.map((r) => [r.method, r.path])).toEqual([["PUT", "/apis/subresources.kubevirt.io/v1/namespaces/tenant-acme/virtualmachines/vm-instance-web/start"]]);
  });

  /** Regression: a malformed name from the URL is a VM that does not exist (404), not bad input (422). */
  it.each(["vm/x", "web/../web", ".", "..", "a.b", "Web", "a".repeat(42)])("answers not_found for %j without calling the cluster", async (name) => {
    await expect(powerVm(access, name, "stop")).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect(sent).toEqual([]);
  });

  // Upstream wording: kubevirt/kubevirt pkg/virt-api/rest/lifecycle.go
  /** Regression: KubeVirt's conflict text was passed through verbatim. */
  it.each([
    ["start", "VM is already running", "already_running", "The VM is already running."],
    ["start", "Always does not support manual start requests", "starts_by_itself", /^The VM is already running or starting/],
    ["start", "Once does not support manual start requests", "runs_once", /^The VM runs only once/],
    ["start", "RerunOnFailure does not support starting VM from failed state", "failed_restarts_by_itself", /^The VM failed/],
    ["stop", "VM is not running", "already_stopped", "The VM is already stopped."],
    ["stop", "Halted only supports manual stop requests with a shorter graceperiod", "already_stopping", "The VM is already stopping."],
    ["restart", "RunStategy Halted does not support manual restart requests", "stopped", /^The VM is stopped: start it/],
    ["restart", "VM is not running: Halted", "stopped", /^The VM is stopped: start it/],
    ["restart", "RunStategy Once does not support manual restart requests", "runs_once", /cannot be restarted again/],
    ["stop", "jsonpatch test operation does not apply", "busy", /try again in a moment/],
    ["start", "VM recovery required: Volume migration failed, leaving some volumes pointing to non-consistent targets; manual intervention is needed", "recovery_required", /platform administrator/],
  ] as const)("%s refused with %j → %s", async (action, reason, code, message) => {
    answer = conflict(reason);
    const err = await powerVm(access, "web", action).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "conflict", status: 409, details: { reason: code } });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toMatch(/Operation cannot be fulfilled|kubevirt\.io|vm-instance-|RunStategy/);
  });

  it("keeps an unknown refusal's reason, scrubbed, behind a plain sentence", async () => {
    answer = conflict('something new in namespace "tenant-acme"');
    await expect(powerVm(access, "web", "restart")).rejects.toMatchObject({ code: "conflict", details: { reason: "other" }, message: "The VM cannot be restarted now: something new in the namespace" });
    answer = { status: 409, body: "" };
    await expect(powerVm(access, "web", "start")).rejects.toMatchObject({ message: "The VM cannot be started now." });
  });
});
