import { describe, expect, it } from "vitest";
import { dateTimeFormat, numberFormat, relativeTimeFormat } from "./intl-formats";

describe("shared Intl formatters", () => {
  it("makes one formatter per locale and options, and formats as the constructor does", () => {
    const a = dateTimeFormat("fr", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
    expect(dateTimeFormat("fr", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" })).toBe(a);
    expect(dateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" })).not.toBe(a);
    expect(a.format(new Date("2026-01-02T03:04:05Z"))).toBe(new Intl.DateTimeFormat("fr", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }).format(new Date("2026-01-02T03:04:05Z")));
    expect(numberFormat("fr", { maximumFractionDigits: 1 }).format(1234.56)).toBe(new Intl.NumberFormat("fr", { maximumFractionDigits: 1 }).format(1234.56));
    expect(numberFormat("en")).toBe(numberFormat("en"));
    expect(numberFormat("en", { maximumFractionDigits: 2 })).not.toBe(numberFormat("en", { maximumFractionDigits: 1 }));
    expect(relativeTimeFormat("en", { numeric: "auto" }).format(-1, "day")).toBe("yesterday");
  });

  it("refuses an invalid locale as the constructor does", () => {
    expect(() => numberFormat("not a locale!")).toThrow(RangeError);
  });
});
