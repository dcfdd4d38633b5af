import { describe, expect, it } from "vitest";
import { formatAge, formatDuration, formatUntil } from "./relative-time";

const now = Date.parse("2026-01-02T03:04:05Z");
const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();
/** Intl's no-break spaces as plain ones, so expectations stay readable. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("formatUntil", () => {
  it("says a backup's expiry in days, never weeks or months", () => {
    expect(formatUntil(at(720 * 3600), now, "en")).toBe("in 30 days");
    expect(formatUntil(at(720 * 3600 - 60), now, "en")).toBe("in 29 days");
    expect(plain(formatUntil(at(720 * 3600), now, "fr"))).toBe("dans 30 jours");
  });

  it("uses hours and minutes below a day", () => {
    expect(formatUntil(at(5 * 3600 + 10), now, "en")).toBe("in 5 hours");
    expect(formatUntil(at(90), now, "en")).toBe("in 1 minute");
    expect(formatUntil(at(20), now, "en")).toBe("in 20 seconds");
  });

  it("says a past moment as an age", () => {
    expect(formatUntil(at(-3600), now, "en")).toBe(formatAge(at(-3600), now, "en"));
  });

  it("is empty for an invalid date", () => {
    expect(formatUntil("", now, "en")).toBe("");
    expect(formatUntil("soon", now, "en")).toBe("");
  });
});

describe("formatDuration", () => {
  it("gives the two largest units", () => {
    expect(formatDuration(45_000, "en")).toBe("45 sec");
    expect(formatDuration(67_000, "en")).toBe("1 min 7 sec");
    expect(formatDuration((2 * 3600 + 5 * 60 + 9) * 1000, "en")).toBe("2 hr 5 min");
  });

  it("writes French units", () => {
    expect(plain(formatDuration(67_000, "fr"))).toBe("1 min 7 s");
    expect(plain(formatDuration((2 * 3600 + 5 * 60) * 1000, "fr"))).toBe("2 h 5 min");
  });

  it("counts a negative duration (clock skew) as zero", () => {
    expect(formatDuration(-5_000, "en")).toBe("0 sec");
  });
});
