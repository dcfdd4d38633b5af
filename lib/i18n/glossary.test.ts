/**
 * The French glossary (docs/glossary.md) held by every message of messages/fr.json, and the
 * role codes kept out of both catalogues.
 *
 * Regression (issue 16, problem 5): French pages mixed "tenant" (48 messages) and "locataire"
 * (11), "GiB" and "Gio", "niveau" and "rôle", and showed raw role codes ("le niveau « use »")
 * next to the translated role names; the series of instance types stayed in English.
 */
import { describe, expect, it } from "vitest";
import en from "../../messages/en.json";
import fr from "../../messages/fr.json";
import { catalogue } from "../../dev-cluster/manifests";

/** Every leaf of a catalogue as `Namespace.key` → message. */
function leaves(tree: Record<string, unknown>, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return v && typeof v === "object" ? leaves(v as Record<string, unknown>, key) : [[key, String(v)] as [string, string]];
  });
}

/**
 * A message without what is code rather than words: ICU arguments (`{name}`), ICU-quoted literals
 * (`'<level>'`), Kubernetes names built on "tenant-" (namespaces, OIDC groups) and quantities
 * such as 20Gi.
 */
function words(message: string): string {
  return message
    .replace(/\{[^{}]*\}/g, " ")
    .replace(/'<[^']*>'/g, " ")
    .replace(/\btenant-\S*/g, " ")
    .replace(/\b\d+(Ki|Mi|Gi|Ti|Pi)\b/g, " ");
}

const french = leaves(fr);
const english = leaves(en);

/** The French messages whose words match `pattern`, as "key: message". */
const frenchMatching = (pattern: RegExp) => french.filter(([, m]) => pattern.test(words(m))).map(([k, m]) => `${k}: ${m}`);

describe("the French glossary", () => {
  it("says « locataire », never « tenant »", () => {
    expect(frenchMatching(/\btenants?\b/i)).toEqual([]);
  });

  it("writes binary units the French way (Gio, Mio…), never GiB", () => {
    expect(frenchMatching(/\b[KMGTP]iB\b/)).toEqual([]);
  });

  it("calls a member's access « rôle », never « niveau »", () => {
    expect(frenchMatching(/\bniveaux?\b/i)).toEqual([]);
  });

  it("names the roles (Lecteur, Utilisateur…), never their codes", () => {
    expect(frenchMatching(/«\s*(view|use|admin|super-admin)\s*»|\brôles? (view|use|admin)\b/i)).toEqual([]);
  });

  it("says « profil d’OS » and « type d’instance »", () => {
    expect(frenchMatching(/\bprofils? OS\b|\btypes? instance\b/i)).toEqual([]);
  });

  it("uses the typographic apostrophe (a straight one is ICU's quote character)", () => {
    expect(frenchMatching(/'/)).toEqual([]);
  });
});

describe("role codes in English", () => {
  it("are never quoted raw in a message: the role's name is passed in", () => {
    const raw = english.filter(([, m]) => /[“"](view|use|admin)[”"]|\bthe (view|use|admin) (role|level)\b/.test(words(m)));
    expect(raw.map(([k, m]) => `${k}: ${m}`)).toEqual([]);
  });
});

describe("instance-type series", () => {
  const types = catalogue().filter((o) => o.kind === "VirtualMachineClusterInstancetype");
  const clusterNames = new Map(types.map((t) => {
    const meta = t.metadata as unknown as { labels: Record<string, string>; annotations: Record<string, string> };
    return [meta.labels["hikube.io/series"], meta.annotations["hikube.io/series-display-name"]] as const;
  }));

  it("every series of the catalogue has a name in both languages", () => {
    for (const series of clusterNames.keys()) {
      expect(en.Series, `English name of ${series}`).toHaveProperty(series);
      expect(fr.Series, `French name of ${series}`).toHaveProperty(series);
    }
  });

  it("the English names are the cluster's own display names, the French ones differ where French does", () => {
    for (const [series, name] of clusterNames) expect(en.Series[series as keyof typeof en.Series]).toBe(name);
    expect(fr.Series.U).toBe("Universelle");
    expect(fr.Series.RT).toBe("Temps réel");
  });
});
