/**
 * Kubernetes resource quantities ("4Gi", "500m", "1.5G", "2e3") as numbers (safe for the browser).
 * Grammar: k8s.io/apimachinery/pkg/api/resource/quantity.go (binary suffixes Ki..Ei, decimal
 * suffixes n u m k M G T P E, or a decimal exponent).
 */

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

/** Formats bytes for people with binary units, e.g. 4294967296 → "4 GiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
