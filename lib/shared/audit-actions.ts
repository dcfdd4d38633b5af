/**
 * Every action the portal writes to the audit log, with the kind of its target: the one list the
 * server's writers are typed against (lib/server/audit/audit.ts `AuditEntry`, the gate's
 * `audit` options, the console relay, the sign-in audit) and the browser's audit page reads (the
 * action filter's options and the translated labels `Audit.actions.<action>`). A new action must be
 * added here before any route can write it, and lib/shared/audit-actions.test.ts then fails until
 * both message catalogues label it. Safe for the browser.
 */

/** The kinds of audited targets, in the order the audit page groups them. */
export const auditTargetKinds = ["VMInstance", "VMDisk", "Backup", "Plan", "Membership", "Quota", "Tenant", "Session"] as const;

/** One kind of audited target. */
export type AuditTargetKind = (typeof auditTargetKinds)[number];

/**
 * Action → the kind of its target. Sources: `audit: { action: … }` of the routes in app/api,
 * lib/server/vms/power-route.ts (`vm.<power or pause action>`), lib/server/console/relay.ts
 * (`vm.console|vnc.open|close`) and lib/server/auth/auth.ts (`session.signin|signout`).
 */
export const auditActionTargets = {
  "vm.create": "VMInstance",
  "vm.update": "VMInstance",
  "vm.delete": "VMInstance",
  "vm.start": "VMInstance",
  "vm.stop": "VMInstance",
  "vm.restart": "VMInstance",
  "vm.pause": "VMInstance",
  "vm.unpause": "VMInstance",
  "vm.disk.attach": "VMInstance",
  "vm.disk.detach": "VMInstance",
  "vm.console.open": "VMInstance",
  "vm.console.close": "VMInstance",
  "vm.vnc.open": "VMInstance",
  "vm.vnc.close": "VMInstance",
  "backup.create": "VMInstance",
  "backup.restore": "Backup",
  "plan.create": "Plan",
  "plan.delete": "Plan",
  "disk.create": "VMDisk",
  "disk.grow": "VMDisk",
  "disk.upload": "VMDisk",
  "disk.delete": "VMDisk",
  "member.list": "Membership",
  "member.create": "Membership",
  "member.update": "Membership",
  "member.delete": "Membership",
  "quota.read": "Quota",
  "quota.update": "Quota",
  "tenant.list": "Tenant",
  "tenant.create": "Tenant",
  "tenant.update": "Tenant",
  "tenant.delete": "Tenant",
  "session.signin": "Session",
  "session.signout": "Session",
} as const satisfies Record<string, AuditTargetKind>;

/** One audited action, `resource.verb` (e.g. `vm.create`). */
export type AuditAction = keyof typeof auditActionTargets;

/** Every audited action, in the order of {@link auditActionTargets}. */
export const auditActions = Object.keys(auditActionTargets) as AuditAction[];

/**
 * What a writer names for one audit row: an action with the target kind that goes with it (a
 * route cannot pair `disk.delete` with `VMInstance`).
 */
export type AuditWhat = { [A in AuditAction]: { action: A; targetKind: (typeof auditActionTargets)[A] } }[AuditAction];

/** Whether `code` is an action of {@link auditActionTargets} (old rows may hold codes no longer written). */
export function isAuditAction(code: string): code is AuditAction {
  return Object.hasOwn(auditActionTargets, code);
}

/** Whether `kind` is one of {@link auditTargetKinds}. */
export function isAuditTargetKind(kind: string): kind is AuditTargetKind {
  return (auditTargetKinds as readonly string[]).includes(kind);
}

/**
 * The actions grouped by target kind, in the order of {@link auditTargetKinds} (the options and
 * optgroups of the audit page's action filter).
 * @param kinds the kinds to keep (default: all); e.g. a tenant's log has no sign-in rows
 */
export function auditActionGroups(kinds: readonly AuditTargetKind[] = auditTargetKinds): { kind: AuditTargetKind; actions: AuditAction[] }[] {
  return auditTargetKinds
    .filter((kind) => kinds.includes(kind))
    .map((kind) => ({ kind, actions: auditActions.filter((a) => auditActionTargets[a] === kind) }))
    .filter((g) => g.actions.length > 0);
}

/**
 * The message key (namespace `Audit`) of an action's label, e.g. `actions.vm.create`, or null for
 * a code this portal no longer writes (old rows): the page then shows the code as it is.
 */
export function auditActionLabelKey(code: string): `actions.${AuditAction}` | null {
  return isAuditAction(code) ? `actions.${code}` : null;
}

/** The message key (namespace `Audit`) of a target kind's label, e.g. `targetKinds.VMDisk`, or null for an unknown kind. */
export function auditTargetKindLabelKey(kind: string): `targetKinds.${AuditTargetKind}` | null {
  return isAuditTargetKind(kind) ? `targetKinds.${kind}` : null;
}
