/**
 * Validation of the object names and namespaces that become segments of Kubernetes REST paths.
 *
 * Every name reaches kube-apiserver as a path segment (kinds.ts `resourcePath()`); a name such as
 * `a/b` (a URL's `%2F`), `.` or `..` would otherwise add or remove path segments. The rules are
 * those of upstream k8s.io/apimachinery/pkg/util/validation/validation.go (`IsDNS1035Label`,
 * `IsDNS1123Label`, `IsDNS1123Subdomain`) and k8s.io/apimachinery/pkg/api/validation/path
 * (`IsValidPathSegmentName`, used by RBAC kinds).
 */
import { AppError, invalidField } from "../errors";

/** The naming rules of Kubernetes object names. */
export type NameRule = "dns1035Label" | "dns1123Label" | "dns1123Subdomain" | "pathSegment";

const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Each rule's test and maximum length (messages/*.json `Validation.nameRule` words each rule). */
const rules: Record<NameRule, { ok: (v: string) => boolean; max: number }> = {
  dns1035Label: { ok: (v) => dns1035Label.test(v), max: 63 },
  dns1123Label: { ok: (v) => dns1123Label.test(v), max: 63 },
  dns1123Subdomain: { ok: (v) => dns1123Subdomain.test(v), max: 253 },
  pathSegment: { ok: (v) => v !== "." && v !== ".." && !/[/%]/.test(v), max: 253 },
};

/**
 * The naming rule of a kind's objects: DNS-1035 label for VMInstance (its name becomes a Helm
 * release and a Service), path segment for RBAC kinds (upstream `ValidatePathSegmentName`),
 * DNS-1123 label for namespaces, DNS-1123 subdomain for every other kind.
 * @param kind a kind name as in kinds.ts, e.g. `VMInstance`
 */
export function nameRuleOf(kind: string): NameRule {
  if (kind === "VMInstance") return "dns1035Label";
  if (kind === "Namespace") return "dns1123Label";
  if (kind === "RoleBinding" || kind === "Role" || kind === "ClusterRole" || kind === "ClusterRoleBinding") return "pathSegment";
  return "dns1123Subdomain";
}

/**
 * Checks that `value` is a Kubernetes name under `rule`; so it can never be empty, contain '/',
 * or be '.' or '..'.
 * @param rule see {@link NameRule}; upstream k8s.io/apimachinery/pkg/util/validation/validation.go
 * @param value the candidate name (anything: non-strings are refused)
 * @param field the input field reported to the user, e.g. `name` or `namespace`
 * @returns `value`, typed as a string
 * @throws AppError invalid (HTTP 422) `"<field> must be ..."` naming `field`
 */
export function assertKubeName(rule: NameRule, value: unknown, field: string): string {
  const r = rules[rule];
  if (typeof value !== "string" || value === "") throw invalidField(field, "required");
  if (value.length > r.max) throw invalidField(field, "maxChars", { max: r.max });
  if (!r.ok(value)) throw invalidField(field, "nameRule", { rule });
  return value;
}

/**
 * Checks a name taken from a URL path (`/vms/{name}`, `/disks/{name}`). A malformed name cannot
 * name an existing object, so it is answered like any name that does not exist: 404, not a 422 on
 * a field the user never typed. Names from a body go through {@link assertKubeName} (422).
 * @param rule see {@link NameRule}
 * @param value the decoded path segment
 * @param notFound the reason of the refusal, `vm_not_found` or `disk_not_found` (params `name`)
 * @param maxLength a tighter limit than the rule's, e.g. a VM name's 41 characters
 * @returns `value`
 * @throws AppError not_found `notFound` (`VM "<value>" was not found.`, the value cut to 64 characters)
 */
export function assertUrlName(rule: NameRule, value: string, notFound: "vm_not_found" | "disk_not_found" | "plan_not_found" | "backup_not_found", maxLength = rules[rule].max): string {
  const r = rules[rule];
  if (value === "" || value.length > Math.min(maxLength, r.max) || !r.ok(value)) {
    throw new AppError("not_found", notFound, { name: value.slice(0, 64) });
  }
  return value;
}
