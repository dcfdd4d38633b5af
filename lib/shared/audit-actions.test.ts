/**
 * The audit actions and their labels. The server's audit writers are typed against
 * `auditActionTargets` (lib/server/audit/audit.ts `AuditEntry`, lib/server/gate.ts), so a new
 * action has to be added there first; these tests then fail until both catalogues label it.
 *
 * Regression (issue 16, rough edge c): the audit table showed raw codes (`vm.create`) and the
 * action filter was free text.
 */
import { describe, expect, it } from "vitest";
import { createTranslator } from "next-intl";
import en from "../../messages/en.json";
import fr from "../../messages/fr.json";
import { pauseActions } from "../server/vms/pause";
import { powerActions } from "../server/vms/vms";
import {
  auditActionGroups, auditActionLabelKey, auditActions, auditActionTargets, auditTargetKindLabelKey, auditTargetKinds, isAuditAction,
} from "./audit-actions";

const catalogues = { en, fr } as const;

/** A translator of namespace `Audit` that records what it could not render. */
function auditTranslator(locale: keyof typeof catalogues) {
  const problems: string[] = [];
  const t = createTranslator({ locale, messages: catalogues[locale], namespace: "Audit", onError: (e) => problems.push(e.message) }) as unknown as (key: string) => string;
  return { t, problems };
}

describe("audit action labels", () => {
  it.each(Object.keys(catalogues) as (keyof typeof catalogues)[])("every action the server writes has a %s label that is not its code", (locale) => {
    const { t, problems } = auditTranslator(locale);
    const labels = auditActions.map((a) => {
      const key = auditActionLabelKey(a);
      expect(key, a).not.toBeNull();
      return [a, t(key!)] as const;
    });
    expect(problems).toEqual([]);
    for (const [action, label] of labels) {
      expect(label, action).not.toBe(action);
      expect(label, action).not.toBe(`Audit.actions.${action}`);
      expect(label.trim(), action).not.toBe("");
    }
    // two actions with one label could not be told apart in the filter
    expect(new Set(labels.map(([, l]) => l)).size).toBe(labels.length);
  });

  it.each(Object.keys(catalogues) as (keyof typeof catalogues)[])("every target kind has a %s label", (locale) => {
    const { t, problems } = auditTranslator(locale);
    for (const kind of auditTargetKinds) expect(t(auditTargetKindLabelKey(kind)!).trim()).not.toBe("");
    expect(problems).toEqual([]);
  });

  it("the catalogues label no action the server does not write (a renamed code leaves no stale label)", () => {
    const leaves = (tree: object, prefix = ""): string[] =>
      Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : leaves(v as object, `${prefix}${k}.`)));
    expect(leaves(en.Audit.actions).sort()).toEqual([...auditActions].sort());
    expect(leaves(fr.Audit.actions).sort()).toEqual([...auditActions].sort());
  });

  it("falls back to the code itself for codes old rows may hold", () => {
    expect(auditActionLabelKey("vm.power")).toBeNull();
    expect(auditActionLabelKey("toString")).toBeNull();
    expect(auditActionLabelKey("vm")).toBeNull();
    expect(isAuditAction("vm.create")).toBe(true);
    expect(auditTargetKindLabelKey("VirtualMachine")).toBeNull();
  });
});

describe("the audit action list", () => {
  it("holds each power and pause action of the power route as vm.<action>", () => {
    for (const a of [...powerActions, ...pauseActions]) expect(isAuditAction(`vm.${a}`), a).toBe(true);
  });

  it("groups every action once, by its target kind, in the order of the kinds", () => {
    const groups = auditActionGroups();
    expect(groups.map((g) => g.kind)).toEqual(auditTargetKinds.filter((k) => groups.some((g) => g.kind === k)));
    expect(groups.flatMap((g) => g.actions).sort()).toEqual([...auditActions].sort());
    for (const g of groups) for (const a of g.actions) expect(auditActionTargets[a]).toBe(g.kind);
  });

  it("leaves out the kinds not asked for (a tenant's log has no sign-ins)", () => {
    const tenantKinds = auditTargetKinds.filter((k) => k !== "Session");
    const actions = auditActionGroups(tenantKinds).flatMap((g) => g.actions);
    expect(actions).not.toContain("session.signin");
    expect(actions).toContain("member.delete");
  });
});
