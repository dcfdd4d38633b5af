/**
 * Both message catalogues, every message: the same keys in English and French, and each message
 * rendered the way the pages render it (next-intl's `t(key, params)`, with plausible dummy
 * params) without an error and without falling back to its own key.
 *
 * Regression (issue 16, defect C): `Admin.oidcNote` contained `tenant-{name}-<level>`; ICU
 * MessageFormat reads `<level>` as a rich-text tag that is never closed, so next-intl showed the raw
 * key "Admin.oidcNote" on /admin/tenants/acme in both languages (and `Admin.nameRule`'s `<name>`
 * did the same on the tenant form). A literal `<`, `{` or `}` is written quoted: `'<level>'`.
 */
import { describe, expect, it } from "vitest";
import { createTranslator } from "next-intl";
import IntlMessageFormat from "intl-messageformat";
import en from "../../messages/en.json";
import fr from "../../messages/fr.json";
import { locales, type Locale } from "./config";

const catalogues: Record<Locale, Record<string, unknown>> = { en, fr };

/** Every leaf of a catalogue as `Namespace.key` → message (nested namespaces joined with dots). */
function flatten(tree: Record<string, unknown>, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) for (const [kk, vv] of flatten(v as Record<string, unknown>, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

/** One element of intl-messageformat's AST, as far as this test reads it. */
type Element = { type: number; value?: string; options?: Record<string, { value: Element[] }>; children?: Element[] };

/** intl-messageformat's element types (@formatjs/icu-messageformat-parser `TYPE`). */
const TYPE = { argument: 1, number: 2, date: 3, time: 4, select: 5, plural: 6, tag: 8 } as const;

/**
 * A plausible value for every argument of a message (nested plural and select branches too):
 * numbers for `number` and `plural`, a date for `date`/`time`, an existing option for `select`,
 * a short string otherwise. Tags get nothing: no page renders rich text (`t.rich`), so a tag in a
 * message is always a mistake and must show up as an error.
 */
function dummyParams(elements: Element[], params: Record<string, unknown> = {}): Record<string, unknown> {
  for (const el of elements) {
    if (el.type === TYPE.argument) params[el.value!] ??= `${el.value}-x`;
    else if (el.type === TYPE.number || el.type === TYPE.plural) params[el.value!] = 2;
    else if (el.type === TYPE.date || el.type === TYPE.time) params[el.value!] = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    else if (el.type === TYPE.select) params[el.value!] = Object.keys(el.options!).find((o) => o !== "other") ?? "other";
    for (const branch of Object.values(el.options ?? {})) dummyParams(branch.value, params);
    if (el.children) dummyParams(el.children, params);
  }
  return params;
}

/** The argument names of a message (what the pages must pass), sorted. */
function argumentNames(message: string, locale: Locale): string[] {
  return Object.keys(dummyParams(new IntlMessageFormat(message, locale).getAst() as Element[])).sort();
}

describe("the message catalogues", () => {
  const keys = Object.fromEntries(locales.map((l) => [l, flatten(catalogues[l])])) as Record<Locale, Map<string, unknown>>;

  it.each(locales)("%s has exactly the keys of every other language", (locale) => {
    for (const other of locales) {
      const missing = [...keys[other].keys()].filter((k) => !keys[locale].has(k));
      expect(missing, `keys of ${other} missing from ${locale}`).toEqual([]);
    }
  });

  it.each(locales)("every %s message is a non-empty string", (locale) => {
    const bad = [...keys[locale]].filter(([, v]) => typeof v !== "string" || v.trim() === "").map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it.each(locales)("every %s message renders through next-intl without an error or its raw key", (locale) => {
    const problems: string[] = [];
    let current = "";
    const t = createTranslator({
      locale,
      messages: catalogues[locale],
      onError: (error) => problems.push(`${current}: ${error.message}`),
    }) as unknown as (key: string, params?: Record<string, unknown>) => string;
    for (const [key, message] of keys[locale]) {
      if (typeof message !== "string") continue;
      current = key;
      // A message that does not parse still goes through `t` (without params): next-intl's answer
      // to it is what a page would show.
      let params: Record<string, unknown> = {};
      try {
        params = dummyParams(new IntlMessageFormat(message, locale).getAst() as Element[]);
      } catch (e) {
        problems.push(`${key}: ${(e as Error).message}`);
      }
      // Plural messages once more with 1: the `one` branch is the one most often written wrong.
      const variants = [params, ...(Object.values(params).includes(2) ? [Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === 2 ? 1 : v]))] : [])];
      for (const values of variants) {
        const text = t(key, values);
        if (text === key) problems.push(`${key}: rendered as its own key`);
        // A placeholder left as it was: an apostrophe before `{` quoted it (`l'{name}`).
        else if (/\{[A-Za-z_]\w*(,[^}]*)?\}/.test(text)) problems.push(`${key}: placeholder left in "${text}"`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("English and French messages take the same arguments", () => {
    const differ: string[] = [];
    for (const [key, message] of keys.en) {
      const other = keys.fr.get(key);
      if (typeof message !== "string" || typeof other !== "string") continue;
      try {
        const a = argumentNames(message, "en");
        const b = argumentNames(other, "fr");
        if (a.join() !== b.join()) differ.push(`${key}: en {${a.join(", ")}} / fr {${b.join(", ")}}`);
      } catch {
        // reported by the rendering test above
      }
    }
    expect(differ).toEqual([]);
  });
});

describe("the rendering check itself", () => {
  it("catches the defect of issue 16: an unescaped <level> becomes the raw key", () => {
    const errors: string[] = [];
    const t = createTranslator({ locale: "en", messages: { A: { note: "groups tenant-{name}-<level>" } }, onError: (e) => errors.push(e.message) });
    expect(t("A.note" as never, { name: "acme" } as never)).toBe("A.note");
    expect(errors).toHaveLength(1);
    const fixed = createTranslator({ locale: "en", messages: { A: { note: "groups tenant-{name}-'<level>'" } } });
    expect(fixed("A.note" as never, { name: "acme" } as never)).toBe("groups tenant-acme-<level>");
  });
});
