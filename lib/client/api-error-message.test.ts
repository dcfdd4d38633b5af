/**
 * The browser's rendering of API errors (issue 16, "errors as codes"): the reason and params of
 * the server's answer in the user's language, the same words as the server's English message.
 */
import { describe, expect, it } from "vitest";
import { createTranslator } from "next-intl";
import en from "../../messages/en.json";
import fr from "../../messages/fr.json";
import { apiErrorMessage, type CatalogueTranslator } from "./api-error-message";
import { ApiError, apiErrorOf, networkError } from "./api";
import { AppError, invalidField } from "../server/errors";
import { quotaAmount } from "../server/quota/quota";
import { fieldProblemError, issueProblem } from "../shared/api-errors";
import { createVmSchema } from "../shared/vm";

const translators = {
  en: createTranslator({ locale: "en", messages: en }) as unknown as CatalogueTranslator,
  fr: createTranslator({ locale: "fr", messages: fr, onError: () => {} }) as unknown as CatalogueTranslator,
};
const message = (locale: "en" | "fr", err: unknown, withoutField = false) => apiErrorMessage(translators[locale], locale, err, { withoutField });

/** What the browser receives for an AppError the server throws. */
const answer = (err: AppError) => apiErrorOf(err.status, err.toBody(), "");

const GiB = 2 ** 30;

describe("apiErrorMessage", () => {
  it("says a duplicate VM name in French, with the name", () => {
    const err = answer(new AppError("conflict", "vm_exists", { name: "web" }, { field: "name" }));
    expect(err).toMatchObject({ status: 409, code: "conflict", reason: "vm_exists", params: { name: "web" }, message: 'A VM named "web" already exists.' });
    expect(message("fr", err)).toBe("Une VM nommée « web » existe déjà.");
  });

  it("renders in English exactly what the server wrote", () => {
    const samples = [
      new AppError("conflict", "vm_not_stopped", { name: "web", state: "Running", change: "attach" }),
      new AppError("conflict", "tenant_not_empty", { tenant: "acme", vms: 1, disks: 2 }),
      new AppError("quota_exceeded", "quota_exceeded", { tenant: "acme", excess: [
        { item: "quotaExcess", params: { resource: "cpuMillicores", requested: quotaAmount("cpuMillicores", 1000), used: quotaAmount("cpuMillicores", 3500), limit: quotaAmount("cpuMillicores", 4000), remaining: quotaAmount("cpuMillicores", 500) } },
        { item: "quotaExcess", params: { resource: "storageBytes", requested: quotaAmount("storageBytes", GiB), used: quotaAmount("storageBytes", 10 * GiB), limit: quotaAmount("storageBytes", 10 * GiB), remaining: 0 } },
      ] }),
      invalidField("rootDisk.storage", "minSizeFor", { minimum: { bytes: 4 * GiB }, source: "image", name: "ubuntu" }),
      invalidField("source", "oneSource", { given: ["http", "image", "upload"] }),
      invalidField("name", "nameRule", { rule: "dns1123Subdomain" }),
      new AppError("too_many_requests", "too_many_consoles", { limit: 4 }),
    ];
    for (const err of samples) expect(message("en", answer(err))).toBe(err.message);
  });

  it("translates every part: lists of items, amounts and field problems", () => {
    const quota = answer(new AppError("quota_exceeded", "quota_exceeded", { tenant: "acme", excess: [
      { item: "quotaExcess", params: { resource: "vmCount", requested: 1, used: 2, limit: 2, remaining: 0 } },
    ] }));
    expect(message("fr", quota)).toBe("Quota du locataire acme dépassé — VM : cette demande nécessite 1, 2 utilisés sur 2, 0 restants.");
    const field = answer(invalidField("name", "maxChars", { max: 41 }));
    expect(message("fr", field)).toBe("name : doit comporter au plus 41 caractères");
    expect(message("fr", field, true)).toBe("doit comporter au plus 41 caractères");
    expect(message("en", field, true)).toBe("must be at most 41 characters");
  });

  it("says the form's own schema checks in the user's language", () => {
    const parsed = createVmSchema.safeParse({ name: "Web", instanceType: "u1.medium", instanceProfile: "ubuntu", rootDisk: { source: { type: "image", name: "ubuntu" } } });
    const problem = fieldProblemError(issueProblem(parsed.error!.issues[0]));
    expect(message("en", problem)).toBe("name must be lowercase letters, digits and '-', start with a letter and not end with '-'");
    expect(message("fr", problem)).toBe("name : doit être composé de lettres minuscules, de chiffres et de « - », commencer par une lettre et ne pas finir par « - »");
  });

  it("words the browser's own failures too", () => {
    expect(message("fr", networkError("Failed to fetch"))).toBe("Le portail est injoignable. Vérifiez votre connexion puis réessayez.");
    expect(message("fr", apiErrorOf(502, null, "Bad Gateway"))).toBe("Le portail a répondu avec le statut HTTP 502.");
  });

  it("falls back to the English message only for a reason or params it cannot render", () => {
    const unknown = new ApiError(409, { code: "conflict", reason: "from_a_newer_server" as never, message: "Something new." });
    expect(message("fr", unknown)).toBe("Something new.");
    const missing = new ApiError(409, { code: "conflict", reason: "vm_exists", params: {}, message: "A VM named \"x\" already exists." });
    expect(message("fr", missing)).toBe("A VM named \"x\" already exists.");
    expect(message("fr", new Error("a bug"))).toBe("a bug");
  });
});
