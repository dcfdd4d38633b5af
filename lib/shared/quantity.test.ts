import { describe, expect, it } from "vitest";
import { byteUnitSymbol, formatBytes, parseQuantity } from "./quantity";

describe("parseQuantity", () => {
  it.each([
    ["4Gi", 4 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["500m", 0.5],
    ["2", 2],
    ["1G", 1e9],
    ["2e3", 2000],
  ])("%s → %d", (q, n) => expect(parseQuantity(q)).toBe(n));

  it("throws on text that is not a quantity", () => {
    expect(() => parseQuantity("4 GB")).toThrow(/not a Kubernetes quantity/);
  });
});

describe("formatBytes", () => {
  it("uses binary units in English, as the server's messages write them", () => {
    expect(formatBytes(4 * 2 ** 30)).toBe("4 GiB");
    expect(formatBytes(1536 * 2 ** 20)).toBe("1.5 GiB");
    expect(formatBytes(512 * 2 ** 20, "en")).toBe("512 MiB");
    expect(formatBytes(700)).toBe("700 B");
  });

  it("writes French numbers and the French IEC symbols, with a no-break space", () => {
    expect(formatBytes(1536 * 2 ** 20, "fr")).toBe("1,5\u00a0Gio");
    expect(formatBytes(4 * 2 ** 30, "fr")).toBe("4\u00a0Gio");
    expect(formatBytes(20 * 2 ** 40, "fr")).toBe("20\u00a0Tio");
    expect(formatBytes(512 * 2 ** 10, "fr-CA")).toBe("512\u00a0Kio");
    expect(formatBytes(700, "fr")).toBe("700\u00a0o");
  });

  it("keeps one decimal at most, rounded", () => {
    expect(formatBytes(1.04 * 2 ** 30)).toBe("1 GiB");
    expect(formatBytes(2.26 * 2 ** 30, "fr")).toBe("2,3\u00a0Gio");
  });

  it("falls back to English symbols for a language without its own", () => {
    expect(formatBytes(2 ** 30, "de")).toBe("1 GiB");
  });
});

describe("byteUnitSymbol", () => {
  it("names a Kubernetes suffix in each language", () => {
    expect(byteUnitSymbol("Gi", "en")).toBe("GiB");
    expect(byteUnitSymbol("Mi", "fr")).toBe("Mio");
    expect(byteUnitSymbol("Ti", "fr")).toBe("Tio");
    expect(byteUnitSymbol("G", "fr")).toBe("G");
  });
});
