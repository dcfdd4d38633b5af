/**
 * The KubeVirt stand-in's virt-api (dev and tests only, never product logic): the aggregated API
 * `subresources.kubevirt.io/v1` behind kube-apiserver, registered by ./register.ts.
 *
 * Trust. kube-apiserver's aggregator connects with the front-proxy client certificate
 * (`--proxy-client-cert-file`, CN `front-proxy-client`) and names the caller in `X-Remote-User`,
 * one `X-Remote-Group` line per group and `X-Remote-Extra-*`. These headers are believed only on a
 * connection whose client certificate verifies against front-proxy-ca.crt and whose CN is
 * front-proxy-client; then, as KubeVirt's authorizer does, a SubjectAccessReview for the caller
 * must allow the request. Anything else gets 401 (text, as KubeVirt's filter answers). Discovery
 * paths need no caller (KubeVirt's `noAuthEndpoints`). Source: kubevirt/kubevirt
 * pkg/virt-api/rest/authorizer.go, pkg/virt-api/api.go.
 *
 * Power actions: `PUT …/namespaces/{ns}/virtualmachines/{name}/start|stop|restart`, after
 * kubevirt/kubevirt pkg/virt-api/rest/lifecycle.go. Errors are metav1 Status JSON; a 409 reads
 * `Operation cannot be fulfilled on virtualmachine.kubevirt.io "<name>": <reason>`.
 * "VMI" is the VirtualMachineInstance of the same name, read from the cluster; "final" is phase
 * Succeeded or Failed; "stop/start request" goes to {@link VmLifecycle} when given, otherwise into
 * the VM's `status.stateChangeRequests` exactly as KubeVirt writes it (JSON patch with a test op).
 *
 * | action  | run strategy           | state                                   | answer                                                                 |
 * |---------|------------------------|-----------------------------------------|------------------------------------------------------------------------|
 * | any     | –                      | no VirtualMachine                       | 404 `virtualmachine.kubevirt.io "<name>" not found`                    |
 * | start   | any                    | VMI exists, not final, phase not ""/Unknown | 409 `VM is already running`                                        |
 * | start   | Halted                 | otherwise                               | 202; spec.runStrategy → Always (spec.running → true if the VM uses it) |
 * | start   | Manual                 | otherwise                               | 202; start request (stop+start when the VMI is final)                  |
 * | start   | RerunOnFailure         | VMI Failed                              | 409 `RerunOnFailure does not support starting VM from failed state`    |
 * | start   | RerunOnFailure         | otherwise                               | 202; start request (stop+start when the VMI Succeeded)                 |
 * | start   | Always, Once           | otherwise                               | 409 `<strategy> does not support manual start requests`                |
 * | stop    | Halted                 | no VMI or final                         | 409 `VM is not running`                                                |
 * | stop    | Halted                 | no body.gracePeriod shorter than the VMI's | 409 `Halted only supports manual stop requests with a shorter graceperiod` |
 * | stop    | Halted                 | shorter body.gracePeriod                | 202; stop request                                                      |
 * | stop    | Manual, RerunOnFailure | no VMI or final                         | 409 `VM is not running`                                                |
 * | stop    | Manual, RerunOnFailure | otherwise                               | 202; stop request                                                      |
 * | stop    | Always, Once           | any                                     | 202; spec.runStrategy → Halted (spec.running → false)                  |
 * | restart | any                    | body.gracePeriodSeconds > 0 / < 0       | 400 `For force restart, only gracePeriod=0 is supported for now` / `gracePeriod has to be greater or equal to 0` |
 * | restart | Halted, Once           | –                                       | 409 `RunStategy <strategy> does not support manual restart requests` (sic) |
 * | restart | Always, Manual, RerunOnFailure | no VMI                          | 409 `VM is not running: Halted` (sic)                                  |
 * | restart | Always, Manual, RerunOnFailure | VMI exists                      | 202; stop+start request                                                |
 * A failed JSON-patch test (someone changed the VM meanwhile) is 409, other patch errors 500;
 * two start/stop requests pending at once: 500 `unable to complete request: stop/start already underway`.
 * `dryRun: ["All"]` in the body is honoured; `paused` start and the volume-migration conditions are not modelled.
 *
 * Pause and unpause: `PUT …/namespaces/{ns}/virtualmachineinstances/{name}/pause|unpause` (body
 * empty, `{}` or Pause/UnpauseOptions with `dryRun`), after kubevirt/kubevirt
 * pkg/virt-api/rest/subresource.go (`PauseVMI`, `UnpauseVMI`, constants `vmNotRunning`,
 * `vmiNotRunning`, `vmiNotPaused`). No VMI → 404 `virtualmachineinstance.kubevirt.io "<name>" not
 * found`; then 409 `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "<name>": <reason>`:
 * | action  | state                              | answer                                       |
 * |---------|------------------------------------|----------------------------------------------|
 * | pause   | VMI phase not Running              | 409 `VM is not running`                      |
 * | pause   | `spec.livenessProbe` without guestAgentPing | 403 `Pausing VMIs with a non-GuestAgentPing LivenessProbe is not supported` |
 * | pause   | VMI has the Paused condition       | 409 `VMI is already paused`                  |
 * | unpause | VMI phase not Running              | 409 `VMI is not running`                     |
 * | unpause | VMI has no Paused condition        | 409 `VMI is not paused`                      |
 * | both    | otherwise                          | 200 (empty body, virt-handler's answer passed on); {@link VmLifecycle.setPaused} |
 * Without a lifecycle, only the VMI's Paused condition is written (what virt-handler reports).
 *
 * Consoles: WebSocket `GET …/virtualmachineinstances/{name}/console|vnc`, after pkg/virt-api/rest/
 * console.go, vnc.go, streamer.go and pkg/virt-handler/rest/console.go. Before the upgrade, as
 * plain HTTP: no VMI → 404 `virtualmachineinstance.kubevirt.io "<name>" not found` (a VM stopped
 * through `stop` or by its run strategy has no VMI; pkg/virt-api/rest/subresource.go fetches the VMI
 * first); VMI Failed (its guest crashed under Manual or Once) → 409 `VMI is in failed status`; VMI not
 * Running, e.g. Succeeded after a guest power-off under Manual, Once or RerunOnFailure (the VMI is
 * kept, see ./controller.ts), or the backend reports no guest → 400 `VMI is not running`; `autoattachSerialConsole`/`autoattachGraphicsDevice` false → 400.
 * One session per VMI and kind: a new connection ends the previous one, except that on `/vnc`
 * `?preserveSession=true` with a session open answers 503 `Active VNC connection. Request denied.`
 * (kubevirt/kubevirt#15267, backported to release-1.4/1.5; the message is virt-handler's text as
 * quoted by a third-party KubeVirt proxy's tests, not read in KubeVirt's source here). The console
 * endpoint ignores the parameter upstream (console.go never reads it), and so does this one. The subprotocol `plain.kubevirt.io` is selected when offered
 * (gorilla's Upgrader with `Subprotocols`: an offer without it still upgrades, with no protocol).
 * Binary frames carry the bytes both ways; text frames are dropped. KubeVirt sends no pings. When
 * the guest side ends or a newer session takes over, KubeVirt closes the TCP connection without a
 * close frame (gorilla `Conn.Close`), so clients see 1006; a client's own close frame is answered.
 */
import fs from "node:fs";
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import path from "node:path";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { WebSocketServer, type WebSocket } from "ws";
import { request, type AdminClient } from "../kube";
import { listenLoopback } from "../ports";

/** The two streams of a VMI. */
export type ConsoleKind = "console" | "vnc";

/**
 * Where console and VNC bytes come from (the QEMU relay, or a fake in tests).
 * `namespace`/`name` name the VirtualMachineInstance.
 */
export interface ConsoleBackend {
  /** Whether the VMI's guest can be reached now; false answers 400 `VMI is not running`. */
  isRunning(namespace: string, name: string): Promise<boolean>;
  /**
   * A byte stream to the guest's serial port (`console`, raw TTY bytes) or VNC server (`vnc`,
   * RFB). A rejection answers 500 before the upgrade. virt-api destroys the stream when the
   * session ends; the backend ends or destroys it when the guest goes away (the client then sees 1006).
   */
  open(namespace: string, name: string, kind: ConsoleKind): Promise<Duplex>;
}

/**
 * What virt-controller does on a start/stop request for a VM whose run strategy is not changed by
 * the request (Manual, RerunOnFailure, restart, a Halted VM's forced stop). Without it, virt-api
 * writes the request into the VM's `status.stateChangeRequests` as KubeVirt does.
 */
export interface VmLifecycle {
  /** Stop the VM's VMI and start a new one. */
  restart(namespace: string, vmName: string): Promise<void>;
  /** Start (`true`) or stop (`false`) the VMI without changing the run strategy. */
  setManualRunning(namespace: string, vmName: string, running: boolean): Promise<void>;
  /** virt-handler's pause (`true`) or unpause of VMI `vmiName`: the guest's vCPUs and the VMI's Paused condition. */
  setPaused(namespace: string, vmiName: string, paused: boolean): Promise<void>;
}

/** Options of {@link startVirtApi}. */
export interface VirtApiOptions {
  /** holds virt-api.crt/key (serving) and front-proxy-ca.crt (client CA); see ../pki.ts */
  pkiDir: string;
  /** port on 127.0.0.1; 0 or absent picks a free one */
  port?: number;
  /** reads VirtualMachines/VMIs, patches them and asks SubjectAccessReviews */
  admin: AdminClient;
  consoles: ConsoleBackend;
  lifecycle?: VmLifecycle;
  /** one line per request (`PUT /apis/… user=alice groups=… -> 202`) and per session event */
  log?: (line: string) => void;
  /** further aggregated groups served on the same port (e.g. CDI's upload.cdi.kubevirt.io, ./upload.ts) */
  extraApis?: ExtraApi[];
}

/**
 * Another API group served by the same HTTPS server, behind its own APIService pointing at the
 * same Service. Discovery is served without a caller; every other request under
 * `/apis/<group>/<version>/` needs the front-proxy caller (401 otherwise) and goes to `handle`.
 */
export interface ExtraApi {
  group: string;
  version: string;
  /** the APIGroup (`/apis/<group>`) and APIResourceList (`/apis/<group>/<version>`) */
  apiGroup: unknown;
  resourceList: unknown;
  /** answers a request; `body` is the whole request body as text */
  handle(req: IncomingMessage, caller: Caller, pathname: string, body: string): Promise<{ code: number; body: unknown }>;
}

/** A running virt-api stand-in. */
export interface VirtApi {
  port: number;
  /** Ends every session and stops listening. */
  close(): Promise<void>;
}

const group = "subresources.kubevirt.io";
const version = "v1";
/** The WebSocket subprotocol of KubeVirt's streams (kubecli.PlainStreamProtocolName). */
export const plainStreamProtocol = "plain.kubevirt.io";
const frontProxyCN = "front-proxy-client";

// ---------------------------------------------------------------------------------------------
// metav1.Status answers, as k8s.io/apimachinery/pkg/api/errors builds them and KubeVirt's
// writeError sends them (kind Status, apiVersion v1).

interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: { message: string }[] };
  code: number;
}

function failure(code: number, reason: string, message: string, details?: KubeStatus["details"]): KubeStatus {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}
type KubevirtResource = "virtualmachine" | "virtualmachineinstance";
const conflict = (resource: KubevirtResource, name: string, reason: string) =>
  failure(409, "Conflict", `Operation cannot be fulfilled on ${resource}.kubevirt.io "${name}": ${reason}`, { name, group: "kubevirt.io", kind: resource });
const notFound = (resource: KubevirtResource, name: string) =>
  failure(404, "NotFound", `${resource}.kubevirt.io "${name}" not found`, { name, group: "kubevirt.io", kind: resource });
const badRequest = (message: string) => failure(400, "BadRequest", message);
const internalError = (message: string) => failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });

/** Thrown inside handlers to answer with a Status. */
class StatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

// ---------------------------------------------------------------------------------------------
// Discovery, as pkg/virt-api/api.go serves it.

const apiGroup = {
  kind: "APIGroup", apiVersion: "v1", name: group,
  versions: [{ groupVersion: `${group}/${version}`, version }],
  preferredVersion: { groupVersion: `${group}/${version}`, version },
  serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }],
};
const resourceNames = [
  "virtualmachineinstances/vnc", "virtualmachineinstances/console", "virtualmachineinstances/pause",
  "virtualmachineinstances/unpause", "virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart",
  "virtualmachines/migrate", "virtualmachineinstances/guestosinfo", "virtualmachineinstances/userlist",
  "virtualmachineinstances/filesystemlist",
];
const apiResourceList = {
  kind: "APIResourceList", apiVersion: version, groupVersion: `${group}/${version}`,
  resources: resourceNames.map((name) => ({ name, singularName: "", namespaced: true, kind: "", verbs: null })),
};
const discovery: Record<string, unknown> = {
  "/": { paths: ["/apis", "/apis/", "/openapi/v2", `/apis/${group}`, `/apis/${group}/${version}`] },
  "/apis": { kind: "APIGroupList", groups: [apiGroup] },
  [`/apis/${group}`]: apiGroup,
  [`/apis/${group}/${version}`]: apiResourceList,
};
const healthPaths = new Set(["/healthz", `/apis/${group}/${version}/healthz`]);
/**
 * Asked by the aggregator's OpenAPI controller as `system:aggregator` without groups; KubeVirt
 * serves v2 without authentication and 404s v3. No spec here: 404 for both, which the aggregator
 * takes as "no OpenAPI" (a 401 would be logged as a failure on every resync).
 */
const openApiPaths = new Set(["/openapi/v2", "/openapi/v3"]);

// ---------------------------------------------------------------------------------------------
// Caller identity (front proxy) and authorization (SubjectAccessReview).

/** The user the aggregator names in X-Remote-User / X-Remote-Group / X-Remote-Extra-*. */
export interface Caller {
  user: string;
  groups: string[];
  extra: Record<string, string[]>;
}

function commonName(socket: TLSSocket): string | undefined {
  const cn = socket.getPeerCertificate()?.subject?.CN as string | string[] | undefined;
  return Array.isArray(cn) ? cn[0] : cn;
}

/** The caller named by the aggregator, or the reason for a 401. */
function authenticate(req: IncomingMessage): Caller | string {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized || commonName(socket) !== frontProxyCN) return "request is not authenticated";
  // headersDistinct keeps one entry per header line; req.headers would join the groups with ", ".
  const user = req.headersDistinct["x-remote-user"]?.[0];
  if (!user) return "a valid user header is required for authorization";
  const groups = req.headersDistinct["x-remote-group"];
  if (!groups) return "a valid group header is required for authorization";
  const extra: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name.startsWith("x-remote-extra-") && values) extra[decodeURIComponent(name.slice("x-remote-extra-".length))] = values;
  }
  return { user, groups, extra };
}

/** A request to one of the served subresources. */
interface Target {
  namespace: string;
  resource: "virtualmachines" | "virtualmachineinstances";
  name: string;
  subresource: string;
}

function parseTarget(pathname: string): Target | null {
  const m = pathname.match(new RegExp(`^/apis/${group.replace(/\./g, "\\.")}/${version}/namespaces/([^/]+)/(virtualmachines|virtualmachineinstances)/([^/]+)/([^/]+)$`));
  if (!m) return null;
  return { namespace: decodeURIComponent(m[1]), resource: m[2] as Target["resource"], name: decodeURIComponent(m[3]), subresource: m[4] };
}

async function authorize(admin: AdminClient, caller: Caller, target: Target, verb: string): Promise<string | null> {
  return reviewAccess(admin, caller, { namespace: target.namespace, verb, group, version, resource: target.resource, subresource: target.subresource, name: target.name });
}

/**
 * A SubjectAccessReview for `caller` on `attributes` (its `resourceAttributes`): null when allowed,
 * otherwise the reason. Throws when the review itself fails.
 */
export async function reviewAccess(admin: AdminClient, caller: Caller, attributes: Record<string, string>): Promise<string | null> {
  const review = {
    apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview",
    spec: { user: caller.user, groups: caller.groups, extra: caller.extra, resourceAttributes: attributes },
  };
  const res = await request(admin, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", JSON.stringify(review));
  if (res.status !== 201 && res.status !== 200) throw new Error(`SubjectAccessReview failed (${res.status}): ${res.body.slice(0, 200)}`);
  const status = JSON.parse(res.body).status ?? {};
  return status.allowed ? null : (status.reason || "not allowed");
}

// ---------------------------------------------------------------------------------------------
// VirtualMachine / VirtualMachineInstance access.

/** Kubernetes objects as loosely typed JSON (only a few fields are read). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const vmPath = (ns: string, name: string) => `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachines/${encodeURIComponent(name)}`;
const vmiPath = (ns: string, name: string) => `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachineinstances/${encodeURIComponent(name)}`;

async function getObject(admin: AdminClient, urlPath: string, what: string): Promise<Json | null> {
  const res = await request(admin, "GET", urlPath);
  if (res.status === 404) return null;
  if (res.status !== 200) throw new StatusError(internalError(`unable to retrieve ${what}: ${res.status} ${res.body.slice(0, 200)}`));
  return JSON.parse(res.body);
}

const isFinal = (vmi: Json) => vmi?.status?.phase === "Succeeded" || vmi?.status?.phase === "Failed";

/** vm.RunStrategy() of kubevirt.io/api/core/v1. */
function runStrategyOf(vm: Json): string {
  const spec = vm.spec ?? {};
  if (spec.running != null && spec.runStrategy != null) throw new StatusError(internalError("running and runstrategy are mutually exclusive"));
  if (spec.running != null) return spec.running ? "Always" : "Halted";
  return spec.runStrategy ?? "Halted";
}

/** A JSON patch; a failed test op (the object changed meanwhile) becomes 409, other errors 500. */
async function jsonPatch(admin: AdminClient, urlPath: string, ops: unknown[], dryRun: boolean, name: string): Promise<void> {
  const res = await request(admin, "PATCH", urlPath + (dryRun ? "?dryRun=All" : ""), JSON.stringify(ops), "application/json-patch+json");
  if (res.status < 300) return;
  let message = res.body;
  try {
    message = JSON.parse(res.body).message ?? res.body;
  } catch {
    /* keep the text */
  }
  if (/test operation does not apply|testing value .* failed|test failed/i.test(message) || res.status === 409) {
    throw new StatusError(conflict("virtualmachine", name, message));
  }
  throw new StatusError(internalError(message));
}

/** getRunningPatch of lifecycle.go: test-and-replace of spec.runStrategy (or spec.running). */
function runningPatch(vm: Json, running: boolean): unknown[] {
  const spec = vm.spec ?? {};
  if (spec.runStrategy != null) {
    return [{ op: "test", path: "/spec/runStrategy", value: spec.runStrategy }, { op: "replace", path: "/spec/runStrategy", value: running ? "Always" : "Halted" }];
  }
  if (spec.running != null) {
    return [{ op: "test", path: "/spec/running", value: spec.running }, { op: "replace", path: "/spec/running", value: running }];
  }
  return [{ op: "add", path: "/spec/runStrategy", value: running ? "Always" : "Halted" }];
}

type StateChange = { action: "Start" | "Stop"; uid?: string };

/** getChangeRequestJson of lifecycle.go. */
function changeRequestPatch(vm: Json, changes: StateChange[]): unknown[] {
  const status = vm.status ?? {};
  const ops: unknown[] = [];
  if (Object.keys(status).length === 0) {
    ops.push({ op: "add", path: "/status", value: { stateChangeRequests: changes } });
  } else {
    const current: unknown[] | undefined = status.stateChangeRequests;
    ops.push({ op: "test", path: "/status/stateChangeRequests", value: current ?? null });
    if (!current || current.length === 0) ops.push({ op: "add", path: "/status/stateChangeRequests", value: changes });
    else if (changes.length === 1 && changes[0].action === "Stop") ops.push({ op: "replace", path: "/status/stateChangeRequests", value: changes });
    else throw new StatusError(internalError("unable to complete request: stop/start already underway"));
  }
  if (status.startFailure) ops.push({ op: "remove", path: "/status/startFailure" });
  return ops;
}

// ---------------------------------------------------------------------------------------------

/**
 * The options body of a subresource PUT (StartOptions, StopOptions, PauseOptions…): `{}` when
 * empty. Upstream answers an unparsable body with 400 "Can not unmarshal Request body to struct"
 * (kubevirt pkg/virt-api/rest/subresource.go).
 * @throws StatusError 400 Bad Request
 */
function parseOptions(text: string): Json {
  if (!text.trim()) return {};
  try {
    return (JSON.parse(text) as Json) ?? {};
  } catch (err) {
    throw new StatusError(badRequest(`Can not unmarshal Request body to struct, error: ${(err as Error).message}`));
  }
}

/**
 * Starts the stand-in's virt-api on 127.0.0.1 (HTTPS with virt-api.crt, client certificates
 * checked against front-proxy-ca.crt).
 * @throws Error when the certificates are missing (run `ensurePki` first) or the port is taken
 */
export async function startVirtApi(opts: VirtApiOptions): Promise<VirtApi> {
  const { admin, consoles, lifecycle } = opts;
  const log = opts.log ?? (() => {});
  const pki = (file: string) => {
    const p = path.join(opts.pkiDir, file);
    if (!fs.existsSync(p)) throw new Error(`${p} is missing: ensurePki() creates it`);
    return fs.readFileSync(p);
  };
  const server = https.createServer({
    cert: pki("virt-api.crt"), key: pki("virt-api.key"), ca: pki("front-proxy-ca.crt"),
    requestCert: true, rejectUnauthorized: false,
  });
  const extraApis = opts.extraApis ?? [];
  const served: Record<string, unknown> = { ...discovery };
  for (const api of extraApis) {
    served[`/apis/${api.group}`] = api.apiGroup;
    served[`/apis/${api.group}/${api.version}`] = api.resourceList;
  }
  if (extraApis.length > 0) served["/apis"] = { kind: "APIGroupList", groups: [apiGroup, ...extraApis.map((a) => a.apiGroup)] };
  const wss = new WebSocketServer({
    noServer: true, perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(plainStreamProtocol) ? plainStreamProtocol : false),
  });

  /** Start/stop requests that keep the run strategy: to the controller, or into the VM's status. */
  const requestStateChange = async (vm: Json, vmi: Json, changes: StateChange[], dryRun: boolean) => {
    const { namespace, name } = vm.metadata;
    if (lifecycle) {
      if (dryRun) return;
      if (changes.length === 2) await lifecycle.restart(namespace, name);
      else await lifecycle.setManualRunning(namespace, name, changes[0].action === "Start");
      return;
    }
    const withUid = changes.map((c) => (c.action === "Stop" && vmi?.metadata?.uid ? { ...c, uid: vmi.metadata.uid } : c));
    await jsonPatch(admin, `${vmPath(namespace, name)}/status`, changeRequestPatch(vm, withUid), dryRun, name);
  };

  const lifecycleAction = async (target: Target, body: Json): Promise<void> => {
    const { namespace, name, subresource: action } = target;
    const dryRun = Array.isArray(body.dryRun) && body.dryRun.includes("All");
    if (action === "restart" && body.gracePeriodSeconds != null) {
      if (body.gracePeriodSeconds > 0) throw new StatusError(badRequest("For force restart, only gracePeriod=0 is supported for now"));
      if (body.gracePeriodSeconds < 0) throw new StatusError(badRequest("gracePeriod has to be greater or equal to 0"));
    }
    const vm = await getObject(admin, vmPath(namespace, name), `vm [${name}]`);
    if (!vm) throw new StatusError(notFound("virtualmachine", name));
    const strategy = runStrategyOf(vm);
    const vmi = await getObject(admin, vmiPath(namespace, name), `vmi [${name}]`);
    const phase: string = vmi?.status?.phase ?? "";

    if (action === "start") {
      if (vmi && !isFinal(vmi) && phase !== "Unknown" && phase !== "") throw new StatusError(conflict("virtualmachine", name, "VM is already running"));
      switch (strategy) {
        case "Halted":
          return jsonPatch(admin, vmPath(namespace, name), runningPatch(vm, true), dryRun, name);
        case "RerunOnFailure":
        case "Manual": {
          if (strategy === "RerunOnFailure" && phase === "Failed") {
            throw new StatusError(conflict("virtualmachine", name, "RerunOnFailure does not support starting VM from failed state"));
          }
          const needsRestart = vmi && (strategy === "RerunOnFailure" ? phase === "Succeeded" : isFinal(vmi));
          return requestStateChange(vm, vmi, needsRestart ? [{ action: "Stop" }, { action: "Start" }] : [{ action: "Start" }], dryRun);
        }
        case "Always":
        case "Once":
          throw new StatusError(conflict("virtualmachine", name, `${strategy} does not support manual start requests`));
        default:
          return;
      }
    }

    if (action === "stop") {
      const hasVmi = vmi !== null;
      let oldGrace: number | undefined;
      if (hasVmi && !isFinal(vmi) && body.gracePeriod != null) {
        oldGrace = vmi.spec?.terminationGracePeriodSeconds;
        await jsonPatch(admin, vmiPath(namespace, name), [
          { op: "test", path: "/spec/terminationGracePeriodSeconds", value: oldGrace ?? null },
          { op: oldGrace == null ? "add" : "replace", path: "/spec/terminationGracePeriodSeconds", value: body.gracePeriod },
        ], dryRun, name);
      }
      switch (strategy) {
        case "Halted":
          if (!hasVmi || isFinal(vmi)) throw new StatusError(conflict("virtualmachine", name, "VM is not running"));
          if (body.gracePeriod == null || (oldGrace != null && body.gracePeriod >= oldGrace)) {
            throw new StatusError(conflict("virtualmachine", name, "Halted only supports manual stop requests with a shorter graceperiod"));
          }
          return requestStateChange(vm, vmi, [{ action: "Stop" }], dryRun);
        case "RerunOnFailure":
        case "Manual":
          if (!hasVmi || isFinal(vmi)) throw new StatusError(conflict("virtualmachine", name, "VM is not running"));
          return requestStateChange(vm, vmi, [{ action: "Stop" }], dryRun);
        case "Always":
        case "Once":
          return jsonPatch(admin, vmPath(namespace, name), runningPatch(vm, false), dryRun, name);
        default:
          return;
      }
    }

    // restart
    if (strategy === "Halted" || strategy === "Once") {
      throw new StatusError(conflict("virtualmachine", name, `RunStategy ${strategy} does not support manual restart requests`));
    }
    if (!vmi) throw new StatusError(conflict("virtualmachine", name, "VM is not running: Halted"));
    return requestStateChange(vm, vmi, [{ action: "Stop" }, { action: "Start" }], dryRun);
  };

  /** `PauseVMI` / `UnpauseVMI` of subresource.go (see the header's table). */
  const pauseAction = async (target: Target, body: Json): Promise<void> => {
    const { namespace, name, subresource: action } = target;
    const dryRun = Array.isArray(body.dryRun) && body.dryRun.includes("All");
    const vmi = await getObject(admin, vmiPath(namespace, name), `vmi [${name}]`);
    if (!vmi) throw new StatusError(notFound("virtualmachineinstance", name));
    const running = vmi.status?.phase === "Running";
    const paused = ((vmi.status?.conditions ?? []) as { type: string }[]).some((c) => c.type === "Paused");
    if (action === "pause") {
      if (!running) throw new StatusError(conflict("virtualmachineinstance", name, "VM is not running"));
      const probe = vmi.spec?.livenessProbe;
      if (probe && !probe.guestAgentPing) {
        throw new StatusError(failure(403, "Forbidden", `virtualmachineinstance.kubevirt.io "${name}" is forbidden: Pausing VMIs with a non-GuestAgentPing LivenessProbe is not supported`,
          { name, group: "kubevirt.io", kind: "virtualmachineinstance" }));
      }
      if (paused) throw new StatusError(conflict("virtualmachineinstance", name, "VMI is already paused"));
    } else {
      if (!running) throw new StatusError(conflict("virtualmachineinstance", name, "VMI is not running"));
      if (!paused) throw new StatusError(conflict("virtualmachineinstance", name, "VMI is not paused"));
    }
    if (dryRun) return;
    if (lifecycle) return lifecycle.setPaused(namespace, name, action === "pause");
    const others = ((vmi.status?.conditions ?? []) as { type: string }[]).filter((c) => c.type !== "Paused");
    const res = await request(admin, "PATCH", `${vmiPath(namespace, name)}/status`, JSON.stringify({
      status: { conditions: action === "pause" ? [...others, { type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user" }] : others },
    }), "application/merge-patch+json");
    if (res.status >= 300) throw new StatusError(internalError(`unable to update vmi [${name}]: ${res.status}`));
  };

  /** The VMI checks made before a stream is opened (console.go, vnc.go, streamer.go). */
  const checkStreamable = async (target: Target, kind: ConsoleKind): Promise<void> => {
    const { namespace, name } = target;
    const vmi = await getObject(admin, vmiPath(namespace, name), `vmi [${name}]`);
    if (!vmi) throw new StatusError(notFound("virtualmachineinstance", name));
    const devices = vmi.spec?.domain?.devices ?? {};
    if (kind === "console" && devices.autoattachSerialConsole === false) throw new StatusError(badRequest("No serial consoles are present."));
    if (kind === "vnc" && devices.autoattachGraphicsDevice === false) throw new StatusError(badRequest("No graphics devices are present."));
    if (vmi.status?.phase === "Failed") throw new StatusError(conflict("virtualmachineinstance", name, "VMI is in failed status"));
    if (vmi.status?.phase !== "Running" || !(await consoles.isRunning(namespace, name))) throw new StatusError(badRequest("VMI is not running"));
  };

  /** Authentication, target and authorization shared by plain requests and upgrades. */
  const admit = async (req: IncomingMessage): Promise<{ caller: Caller; target: Target | null; url: URL } | { code: number; text: string }> => {
    const url = new URL(req.url ?? "/", "https://virt-api.kubevirt.svc");
    const caller = authenticate(req);
    if (typeof caller === "string") return { code: 401, text: caller };
    const target = parseTarget(url.pathname);
    if (!target) return { caller, target: null, url };
    const verb = req.method === "PUT" ? "update" : req.method === "GET" ? "get" : (req.method ?? "").toLowerCase();
    const denied = await authorize(admin, caller, target, verb);
    if (denied !== null) return { code: 401, text: denied };
    return { caller, target, url };
  };

  const who = (caller?: Caller) => (caller ? ` user=${caller.user} groups=${caller.groups.join("|")}` : "");

  // ---------------------------------------------------------------- plain HTTP requests
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (code: number, body: unknown, caller?: Caller, quiet = false) => {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(code, { "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
      if (!quiet) log(`${req.method} ${req.url}${who(caller)} -> ${code}`);
    };
    // Discovery, health and OpenAPI: no caller needed, not logged (the aggregator polls them).
    const pathname = new URL(req.url ?? "/", "https://virt-api.kubevirt.svc").pathname;
    if (req.method === "GET" && pathname in served) return send(200, served[pathname], undefined, true);
    if (req.method === "GET" && healthPaths.has(pathname)) return send(200, "ok", undefined, true);
    if (req.method === "GET" && openApiPaths.has(pathname)) return send(404, "404 page not found", undefined, true);
    const extra = extraApis.find((a) => pathname.startsWith(`/apis/${a.group}/${a.version}/`));
    if (extra) {
      const caller = authenticate(req);
      if (typeof caller === "string") return send(401, caller);
      let text = "";
      for await (const chunk of req) text += chunk;
      const answer = await extra.handle(req, caller, pathname, text);
      return send(answer.code, answer.body, caller);
    }

    const admitted = await admit(req);
    if ("code" in admitted) return send(admitted.code, admitted.text);
    const { caller, target } = admitted;
    if (!target) return send(404, "404 page not found", caller);

    let text = "";
    for await (const chunk of req) text += chunk;
    try {
      if (target.resource === "virtualmachines" && ["start", "stop", "restart"].includes(target.subresource)) {
        if (req.method !== "PUT") return send(405, "405: Method Not Allowed", caller);
        await lifecycleAction(target, parseOptions(text));
        res.writeHead(202, { "Content-Length": 0 });
        res.end();
        log(`${req.method} ${req.url}${who(caller)} -> 202`);
        return;
      }
      if (target.resource === "virtualmachineinstances" && (target.subresource === "pause" || target.subresource === "unpause")) {
        if (req.method !== "PUT") return send(405, "405: Method Not Allowed", caller);
        await pauseAction(target, parseOptions(text));
        res.writeHead(200, { "Content-Length": 0 });
        res.end();
        log(`${req.method} ${req.url}${who(caller)} -> 200`);
        return;
      }
      if (target.resource === "virtualmachineinstances" && (target.subresource === "console" || target.subresource === "vnc")) {
        if (req.method !== "GET") return send(405, "405: Method Not Allowed", caller);
        await checkStreamable(target, target.subresource);
        throw new StatusError(badRequest("websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header"));
      }
      return send(404, "404 page not found", caller);
    } catch (err) {
      if (err instanceof StatusError) return send(err.status.code, err.status, caller);
      throw err;
    }
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: Error) => {
      log(`${req.method} ${req.url} -> 500 ${err.message}`);
      if (!res.headersSent) {
        const text = JSON.stringify(internalError(err.message));
        res.writeHead(500, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
        res.end(text);
      } else {
        res.destroy();
      }
    });
  });

  // ---------------------------------------------------------------- WebSocket sessions
  interface Session {
    id: number;
    key: string;
    ended: boolean;
    socket: Duplex;
    ws?: WebSocket;
    stream?: Duplex;
  }
  const sessions = new Map<string, Session>();
  let nextId = 1;

  /** Ends a session the way KubeVirt does: no close frame, the connection just closes. */
  const endSession = (s: Session, why: string) => {
    if (s.ended) return;
    s.ended = true;
    if (sessions.get(s.key) === s) sessions.delete(s.key);
    s.stream?.destroy();
    if (s.ws) s.ws.terminate();
    else s.socket.destroy();
    log(`session ${s.id} ${s.key} ended: ${why}`);
  };

  const rejectUpgrade = (socket: Duplex, code: number, body: KubeStatus | string) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json";
    socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  };

  const pipe = (s: Session, ws: WebSocket, stream: Duplex) => {
    s.ws = ws;
    const highWater = 1 << 20;
    ws.on("message", (data, isBinary) => {
      if (!isBinary) return; // KubeVirt's CopyFrom skips non-binary messages
      if (!stream.write(data as Buffer)) {
        ws.pause();
        stream.once("drain", () => ws.resume());
      }
    });
    stream.on("data", (chunk: Buffer) => {
      ws.send(chunk, { binary: true }, () => {
        if (stream.isPaused() && ws.bufferedAmount < highWater / 4) stream.resume();
      });
      if (ws.bufferedAmount > highWater) stream.pause();
    });
    stream.on("end", () => endSession(s, "guest stream ended"));
    stream.on("close", () => endSession(s, "guest stream closed"));
    stream.on("error", (err) => endSession(s, `guest stream error: ${err.message}`));
    ws.on("close", (code) => endSession(s, `client closed (${code})`));
    ws.on("error", (err) => endSession(s, `client error: ${err.message}`));
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const admitted = await admit(req);
    if ("code" in admitted) {
      log(`UPGRADE ${req.url} -> ${admitted.code} ${admitted.text}`);
      return rejectUpgrade(socket, admitted.code, admitted.text);
    }
    const { caller, target, url } = admitted;
    const reject = (status: KubeStatus) => {
      log(`UPGRADE ${req.url}${who(caller)} -> ${status.code} ${status.message}`);
      rejectUpgrade(socket, status.code, status);
    };
    if (!target || target.resource !== "virtualmachineinstances" || (target.subresource !== "console" && target.subresource !== "vnc")) {
      log(`UPGRADE ${req.url}${who(caller)} -> 404`);
      return rejectUpgrade(socket, 404, "404 page not found");
    }
    if (req.method !== "GET") return rejectUpgrade(socket, 405, "405: Method Not Allowed");
    const kind: ConsoleKind = target.subresource;
    try {
      await checkStreamable(target, kind);
    } catch (err) {
      if (err instanceof StatusError) return reject(err.status);
      throw err;
    }
    const key = `${kind}/${target.namespace}/${target.name}`;
    const preserve = kind === "vnc" && url.searchParams.get("preserveSession") === "true";
    const previous = sessions.get(key);
    if (preserve && previous) return reject(failure(503, "ServiceUnavailable", "Active VNC connection. Request denied."));
    const s: Session = { id: nextId++, key, ended: false, socket };
    sessions.set(key, s);
    if (previous) endSession(previous, `replaced by session ${s.id}`);
    socket.on("close", () => {
      if (!s.ws) endSession(s, "client went away before the upgrade");
    });

    let stream: Duplex;
    try {
      stream = await consoles.open(target.namespace, target.name, kind);
    } catch (err) {
      if (sessions.get(key) === s) sessions.delete(key);
      s.ended = true;
      return reject(internalError(`dialing virt-handler: ${(err as Error).message}`));
    }
    s.stream = stream;
    if (s.ended) {
      stream.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (s.ended) {
        ws.terminate();
        return;
      }
      log(`UPGRADE ${req.url}${who(caller)} -> 101 session ${s.id} (protocol ${ws.protocol || "none"})`);
      pipe(s, ws, stream);
    });
  };

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    upgrade(req, socket, head).catch((err: Error) => {
      log(`UPGRADE ${req.url} -> 500 ${err.message}`);
      if (socket.writable) rejectUpgrade(socket, 500, internalError(err.message));
      else socket.destroy();
    });
  });

  const port = await listenLoopback(server, opts.port ?? 0);
  log(`virt-api stand-in listening on https://127.0.0.1:${port}`);

  return {
    port,
    close: async () => {
      for (const s of [...sessions.values()]) endSession(s, "virt-api stopping");
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
