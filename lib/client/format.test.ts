import { describe, expect, it } from "vitest";
import { formatDateTime, formatNumber, formatPercent, formattersFor } from "./format";

const GiB = 2 ** 30;

/** Intl's own spaces (no-break, narrow no-break) vary with the ICU version: compared as plain spaces. */
const plain = (text: string) => text.replace(/\s/g, " ");

describe("formattersFor", () => {
  it("writes sizes, quotas and numbers the English way", () => {
    const f = formattersFor("en");
    expect(f.bytes(1.5 * GiB)).toBe("1.5 GiB");
    expect(f.quota("cpuMillicores", 1500)).toBe("1.50 vCPU");
    expect(f.number(1234.5)).toBe("1,234.5");
  });

  it("writes sizes, quotas and numbers the French way", () => {
    const f = formattersFor("fr");
    expect(f.bytes(1.5 * GiB)).toBe("1,5\u00a0Gio");
    expect(f.quota("memoryBytes", 8 * GiB)).toBe("8\u00a0Gio");
    expect(plain(f.number(1234.5))).toBe("1 234,5");
  });

  it("says how long ago in the page's language", () => {
    const now = Date.parse("2026-01-02T03:10:00Z");
    expect(plain(formattersFor("en").age("2026-01-02T03:07:00Z", now))).toBe("3 min. ago");
    expect(plain(formattersFor("fr").age("2026-01-02T03:07:00Z", now))).toBe("il y a 3 min");
  });
});

describe("formatPercent", () => {
  it("keeps one decimal, with French's space before %", () => {
    expect(formatPercent(12.5, "en")).toBe("12.5%");
    expect(formatPercent(100, "en")).toBe("100.0%");
    expect(plain(formatPercent(12.5, "fr"))).toBe("12,5 %");
  });
});

describe("formatDateTime", () => {
  const date = new Date(2026, 0, 2, 3, 4, 5); // local time: the output is in the runtime's zone
  it("writes a medium date and time in each language", () => {
    expect(plain(formatDateTime(date, "en"))).toBe("Jan 2, 2026, 3:04:05 AM");
    expect(plain(formatDateTime(date, "fr"))).toBe("2 janv. 2026, 03:04:05");
  });

  it("returns nothing for text that is not a date", () => {
    expect(formatDateTime("not a date", "fr")).toBe("");
  });
});

describe("formatNumber", () => {
  it("passes Intl options through", () => {
    expect(formatNumber(0.256, "fr", { maximumFractionDigits: 2 })).toBe("0,26");
  });
});
