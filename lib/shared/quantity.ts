/**
 * Kubernetes resource quantities ("4Gi", "500m", "1.5G", "2e3") as numbers (safe for the browser).
 * Grammar: k8s.io/apimachinery/pkg/api/resource/quantity.go (binary suffixes Ki..Ei, decimal
 * suffixes n u m k M G T P E, or a decimal exponent).
 */
import { numberFormat } from "./intl-formats";

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity grammar as a regular expression (the same pattern as the Cozystack schemas). */
export const quantityPattern = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/**
 * Parses a quantity into its plain value: bytes for memory and storage ("4Gi" → 4294967296),
 * cores for CPU ("500m" → 0.5). Numbers pass through.
 * @throws Error when the text is not a quantity
 */
export function parseQuantity(q: string | number): number {
  if (typeof q === "number") return q;
  const text = q.trim();
  if (!quantityPattern.test(text)) throw new Error(`"${q}" is not a Kubernetes quantity`);
  const m = /^([+-]?[0-9.]+)(.*)$/.exec(text)!;
  const n = Number(m[1]);
  const suffix = m[2];
  if (suffix in binary) return n * binary[suffix];
  if (suffix in decimal) return n * decimal[suffix];
  return n * 10 ** Number(suffix.slice(1)); // decimal exponent, e.g. "e3"
}

/**
 * Binary unit symbols per language, bytes to pebibytes. French writes the IEC prefixes with
 * "octet": o, Kio, Mio, Gio, Tio, Pio (docs/glossary.md); English keeps B, KiB, MiB, GiB…
 * A language missing here uses English.
 */
export const byteUnitSymbols: Record<string, readonly string[]> = {
  en: ["B", "KiB", "MiB", "GiB", "TiB", "PiB"],
  fr: ["o", "Kio", "Mio", "Gio", "Tio", "Pio"],
};

/**
 * The space between a number and its unit per language: French typography wants a no-break
 * space (U+00A0) so "4 Gio" never breaks across lines; English keeps a plain space.
 */
const unitSpace: Record<string, string> = { en: " ", fr: "\u00a0" };

/** The primary language subtag of a BCP 47 tag ("fr-CA" → "fr"), lower case. */
function language(locale: string): string {
  return locale.split("-")[0].toLowerCase();
}

/**
 * Formats bytes for people with binary units and at most one decimal, the number through
 * `Intl.NumberFormat` of `locale`: 4294967296 → "4 GiB" (en), 1610612736 → "1,5 Gio" (fr, with
 * a no-break space). The server's English messages call it without a locale.
 * @param bytes a non-negative number of bytes
 * @param locale a BCP 47 tag; languages without their own symbols use English's
 */
export function formatBytes(bytes: number, locale = "en"): string {
  const lang = language(locale);
  const units = byteUnitSymbols[lang] ?? byteUnitSymbols.en;
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const number = numberFormat(locale, { maximumFractionDigits: 1 }).format(v);
  return `${number}${unitSpace[lang] ?? " "}${units[i]}`;
}

/**
 * The binary unit symbol of a Kubernetes suffix in `locale`: "Gi" → "GiB" (en), "Gio" (fr); any
 * other text is returned as it is.
 */
export function byteUnitSymbol(suffix: string, locale = "en"): string {
  const index = ["", "Ki", "Mi", "Gi", "Ti", "Pi"].indexOf(suffix);
  if (index < 0) return suffix;
  return (byteUnitSymbols[language(locale)] ?? byteUnitSymbols.en)[index];
}
