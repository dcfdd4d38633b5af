/**
 * The VM page's Overview: what a tenant would otherwise read with `kubectl describe` on the
 * VMInstance, its VirtualMachine, VirtualMachineInstance, Service and DataVolumes, reduced to what
 * explains the VM (state and its reason, restart required, addresses, external access, SSH
 * command, node, uptime, sizes). Pure: the objects are read by vm-disks.ts `getVmDetail`.
 */
import YAML from "yaml";
import type { Condition, DataVolume, VMInstance, VirtualMachine } from "../k8s/objects";
import type { InstanceTypeInfo, PreferenceInfo, VmOverview } from "../../shared/vm";

/** `kubevirt.io/v1` VirtualMachineInstance, the fields the overview reads. */
export interface VirtualMachineInstance {
  metadata: { name: string; creationTimestamp?: string };
  status?: {
    phase?: string;
    nodeName?: string;
    interfaces?: { name?: string; ipAddress?: string; ipAddresses?: string[] }[];
    /** pkg/virt-controller/watch/vmi.go records when each phase began */
    phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[];
  };
}

/** core/v1 Service, the fields the overview reads (status.loadBalancer set by the cloud's service controller). */
export interface Service {
  metadata: { name: string };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** What {@link toVmOverview} reads; every object but the VMInstance may be missing. */
export interface OverviewSources {
  instance: VMInstance;
  vm?: VirtualMachine;
  vmi?: VirtualMachineInstance;
  service?: Service;
  /** the DataVolumes behind the VM's disks */
  dataVolumes: DataVolume[];
  instanceType?: InstanceTypeInfo;
  preference?: PreferenceInfo;
}

/**
 * Conditions that say something is wrong when False. KubeVirt's VirtualMachine reports `Ready`
 * False while stopped (reason "VMINotExists"), so that reason is not a problem.
 * Upstream: pkg/virt-controller/watch/vm.go (conditions), CDI's DataVolume conditions Bound/Ready/Running.
 */
const benignReasons = new Set(["VMINotExists", "GuestNotRunning", "PodNotExists", "PodTerminating", "Completed", "PodCompleted", "Paused", "PausedByUser"]);

/**
 * KubeVirt's printable statuses that are errors (pkg/apis/core/v1 VirtualMachinePrintableStatus).
 * A VirtualMachine's Ready=False explains the state only in one of these: while it boots or stops
 * Ready is False as a matter of course.
 */
const errorStatuses = new Set(["ErrorUnschedulable", "ErrImagePull", "ImagePullBackOff", "ErrorPvcNotFound", "ErrorDataVolumeNotFound",
  "DataVolumeError", "CrashLoopBackOff", "Unknown"]);

function failing(conditions: Condition[] | undefined): Condition | undefined {
  return conditions?.find((c) => (c.type === "Ready" || c.type === "Failure" || c.type === "Synchronized" || c.type === "Running")
    && (c.type === "Failure" ? c.status === "True" : c.status === "False")
    && Boolean(c.message) && !benignReasons.has(c.reason ?? ""));
}

/**
 * The login user cloud-init creates: `user:` (a name or `{name}`), else the first named entry of
 * `users:` other than "default". Undefined for scripts, invalid YAML or no user.
 * @param cloudInit the VMInstance's `spec.cloudInit` (user-data)
 */
export function cloudInitUser(cloudInit: string | undefined): string | undefined {
  const text = cloudInit?.trim() ?? "";
  if (!text.startsWith("#cloud-config")) return undefined;
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== "object") return undefined;
  const d = doc as { user?: unknown; users?: unknown };
  const nameOf = (u: unknown) => (typeof u === "string" ? u : u && typeof u === "object" && typeof (u as { name?: unknown }).name === "string" ? (u as { name: string }).name : undefined);
  const fromUser = nameOf(d.user);
  if (fromUser) return safeUser(fromUser);
  if (Array.isArray(d.users)) {
    for (const u of d.users) {
      const n = nameOf(u);
      if (n && n !== "default") return safeUser(n);
    }
  }
  return undefined;
}

/** A user name safe to show inside a shell command (POSIX portable user names). */
function safeUser(name: string): string | undefined {
  return /^[a-z_][a-z0-9_.-]{0,31}$/i.test(name) ? name : undefined;
}

/**
 * Builds the Overview from the VM's objects.
 * - problem: the VMInstance's failing condition (Helm install), else the VirtualMachine's (e.g.
 *   ErrorUnschedulable, FailedCreate), else the first DataVolume that Failed or has a failing
 *   condition (e.g. an import 404);
 * - restartRequired: VirtualMachine condition `RestartRequired` True (pkg/virt-controller/watch/vm.go);
 * - sshCommand: `ssh [-p PORT] [user@]host`, host = external IP when port 22 (or WholeIP) is
 *   exposed, else the guest's first address.
 */
export function toVmOverview(s: OverviewSources): VmOverview {
  const { instance, vm, vmi, service } = s;
  let problem: VmOverview["problem"];
  const instanceFailure = failing(instance.status?.conditions);
  const vmFailure = vm?.status?.conditions?.find((c) => c.type === "Failure" && c.status === "True" && c.message)
    ?? (errorStatuses.has(vm?.status?.printableStatus ?? "") ? failing(vm?.status?.conditions) : undefined);
  if (instanceFailure) {
    problem = { source: "VMInstance", object: instance.metadata.name, reason: instanceFailure.reason ?? instanceFailure.type, message: instanceFailure.message ?? "" };
  } else if (vmFailure) {
    problem = { source: "VirtualMachine", object: vm!.metadata.name, reason: vmFailure.reason ?? vmFailure.type, message: vmFailure.message ?? "" };
  } else {
    // CDI: a DataVolume is in trouble when Failed, or when its importer keeps failing and is
    // retried (condition Running False, reason Error; pkg/controller/datavolume/conditions.go).
    // Running False with ImportScheduled/CloneScheduled/Completed is normal progress.
    for (const dv of s.dataVolumes) {
      const c = dv.status?.conditions?.find((x) => x.type === "Running" && x.status === "False" && x.reason === "Error");
      if (dv.status?.phase === "Failed" || c) {
        problem = { source: "DataVolume", object: dv.metadata.name, reason: c?.reason ?? dv.status?.phase ?? "Failed", message: c?.message ?? "" };
        break;
      }
    }
  }
  const ipAddresses = [...new Set((vmi?.status?.interfaces ?? []).flatMap((i) => i.ipAddresses?.length ? i.ipAddresses : i.ipAddress ? [i.ipAddress] : []))];
  let external: VmOverview["external"];
  if (instance.spec.external) {
    const method = instance.spec.externalMethod === "WholeIP" ? "WholeIP" : "PortList";
    const ingress = service?.status?.loadBalancer?.ingress?.[0];
    external = { method, ports: method === "WholeIP" ? [] : (instance.spec.externalPorts ?? [22]), ...(ingress?.ip || ingress?.hostname ? { ip: ingress.ip ?? ingress.hostname } : {}) };
  }
  const user = cloudInitUser(instance.spec.cloudInit);
  const viaExternal = external?.ip && (external.method === "WholeIP" || external.ports.includes(22)) ? external.ip : undefined;
  const host = viaExternal ?? ipAddresses[0];
  const running = vmi?.status?.phase === "Running";
  const startedAt = running
    ? (vmi?.status?.phaseTransitionTimestamps?.find((p) => p.phase === "Running")?.phaseTransitionTimestamp ?? vmi?.metadata.creationTimestamp)
    : undefined;
  return {
    ...(problem ? { problem } : {}),
    restartRequired: vm?.status?.conditions?.some((c) => c.type === "RestartRequired" && c.status === "True") ?? false,
    ipAddresses,
    ...(external ? { external } : {}),
    ...(host && running ? { sshCommand: `ssh ${user ? `${user}@` : ""}${host}` } : {}),
    ...(running && vmi?.status?.nodeName ? { node: vmi.status.nodeName } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(s.instanceType ? { instanceType: { name: s.instanceType.name, cpu: s.instanceType.cpu, memoryBytes: s.instanceType.memoryBytes } } : {}),
    ...(s.preference ? { preference: { name: s.preference.name, displayName: s.preference.displayName } } : {}),
    runStrategy: instance.spec.runStrategy ?? (instance.spec.running === false ? "Halted" : "Always"),
  };
}
