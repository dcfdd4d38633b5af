import { beforeEach, describe, expect, it, vi } from "vitest";
import type { KubeRequest } from "../k8s/client";
import { AppError } from "../errors";

const sent: KubeRequest[] = [];
const read: string[] = [];
let answer: { status: number; body: string } = { status: 200, body: "" };
let instanceExists = true;

vi.mock("../k8s/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../k8s/client")>()),
  sendRaw: vi.fn(async (_identity: unknown, req: KubeRequest) => {
    sent.push(req);
    return answer;
  }),
  kubeRequest: vi.fn(async (_identity: unknown, req: KubeRequest) => {
    read.push(req.path);
    if (!instanceExists) throw new AppError("not_found", "cluster_object_not_found");
    return { metadata: { name: "web" }, spec: {} };
  }),
}));

const { pauseVm } = await import("./pause");

const access = {
  tenant: { id: "t1", name: "acme", namespace: "tenant-acme", displayName: "ACME" },
  role: "use" as const,
  identity: { type: "user" as const, username: "ursula", groups: ["tenant-acme-use"] },
};

/** A 409 as KubeVirt's virt-api writes it (errors.NewConflict on virtualmachineinstance.kubevirt.io). */
const conflict = (reason: string) => ({
  status: 409,
  body: JSON.stringify({
    kind: "Status", apiVersion: "v1", status: "Failure", reason: "Conflict", code: 409,
    message: `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "vm-instance-web": ${reason}`,
    details: { name: "vm-instance-web", group: "kubevirt.io", kind: "virtualmachineinstance" },
  }),
});

describe("pauseVm", () => {
  beforeEach(() => {
    sent.length = 0;
    read.length = 0;
    answer = { status: 200, body: "" };
    instanceExists = true;
  });

  it.each(["pause", "unpause"] as const)("puts %s on KubeVirt's VMI subresource of vm-instance-<name> with an empty body", async (action) => {
    await expect(pauseVm(access, "web", action)).resolves.toEqual({ accepted: true });
    expect(sent.map((r) => [r.method, r.path, r.body])).toEqual([
      ["PUT", `/apis/subresources.kubevirt.io/v1/namespaces/tenant-acme/virtualmachineinstances/vm-instance-web/${action}`, {}],
    ]);
  });

  it.each(["vm/x", "..", "Web", "a".repeat(42)])("answers not_found for %j without calling the cluster", async (name) => {
    await expect(pauseVm(access, name, "pause")).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect(sent).toEqual([]);
  });

  // Upstream wording: kubevirt/kubevirt pkg/virt-api/rest/subresource.go (PauseVMI, UnpauseVMI)
  it.each([
    ["pause", "VM is not running", "not_running", "The VM is not running: it cannot be paused."],
    ["pause", "VMI is already paused", "already_paused", "The VM is already paused."],
    ["unpause", "VMI is not running", "not_running", "The VM is not running: it cannot be unpaused."],
    ["unpause", "VMI is not paused", "not_paused", "The VM is not paused."],
  ] as const)("%s refused with %j → %s in plain words", async (action, reason, code, message) => {
    answer = conflict(reason);
    const err = await pauseVm(access, "web", action).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "conflict", status: 409, details: { reason: code }, message });
    expect((err as Error).message).not.toMatch(/Operation cannot be fulfilled|kubevirt\.io|vm-instance-|VMI/);
  });

  it("keeps an unknown refusal's reason, scrubbed, behind a plain sentence", async () => {
    answer = conflict("VM snapshot is in progress");
    await expect(pauseVm(access, "web", "unpause")).rejects.toMatchObject({ details: { reason: "other" }, message: "The VM cannot be unpaused now: VM snapshot is in progress" });
  });

  it("tells a stopped VM (no VMI: KubeVirt's 404) from a VM that does not exist", async () => {
    answer = { status: 404, body: JSON.stringify({ kind: "Status", code: 404, reason: "NotFound", message: 'virtualmachineinstance.kubevirt.io "vm-instance-web" not found' }) };
    await expect(pauseVm(access, "web", "pause")).rejects.toMatchObject({ code: "conflict", details: { reason: "not_running" } });
    expect(read).toEqual(["/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-acme/vminstances/web"]);
    instanceExists = false;
    await expect(pauseVm(access, "web", "pause")).rejects.toMatchObject({ code: "not_found", message: 'VM "web" was not found.' });
  });

  it("passes a forbidden answer on as forbidden", async () => {
    answer = { status: 403, body: JSON.stringify({ kind: "Status", code: 403, reason: "Forbidden", message: "nope" }) };
    await expect(pauseVm(access, "web", "pause")).rejects.toMatchObject({ code: "forbidden" });
  });
});
