import { describe, expect, it } from "vitest";
import { createTranslator } from "next-intl";
import en from "../../messages/en.json";
import fr from "../../messages/fr.json";
import { splitAtPlaceholder } from "./message-parts";

describe("splitAtPlaceholder", () => {
  it("splits a translated sentence around its placeholder, in each language's word order", () => {
    for (const messages of [en, fr]) {
      const t = createTranslator({ locale: messages === en ? "en" : "fr", messages, namespace: "Disks" });
      const [before, after] = splitAtPlaceholder((v) => t("deleteBlocked", { vm: v }));
      expect(`${before}web${after}`).toBe(t("deleteBlocked", { vm: "web" }));
      expect(before.length).toBeGreaterThan(0);
    }
  });

  it("keeps the whole text before when the placeholder is missing", () => {
    expect(splitAtPlaceholder(() => "no placeholder here")).toEqual(["no placeholder here", ""]);
  });

  it("splits at the start and the end", () => {
    expect(splitAtPlaceholder((v) => `${v} is attached`)).toEqual(["", " is attached"]);
    expect(splitAtPlaceholder((v) => `attached to ${v}`)).toEqual(["attached to ", ""]);
  });
});
