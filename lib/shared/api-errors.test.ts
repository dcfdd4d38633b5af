import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import en from "../../messages/en.json";
import { issueProblem, problem } from "./api-errors";

const root = path.resolve(import.meta.dirname, "../..");

/** The portal's own source (tests and the catalogues left out). */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) sources(file, out);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(readFileSync(file, "utf8"));
  }
  return out;
}

describe("the error catalogue", () => {
  it("holds no message the code never names (a reason removed from the code leaves no stale translation)", () => {
    const code = [...["lib", "components", "app"].flatMap((d) => sources(path.join(root, d))), readFileSync(path.join(root, "server.ts"), "utf8")].join("\n");
    const unused = (["ApiErrors", "ApiErrorItems", "Validation", "ConsoleReasons"] as const).flatMap((ns) =>
      Object.keys(en[ns]).filter((key) => !code.includes(`"${key}"`) && !code.includes(`${ns}.${key}"`)).map((key) => `${ns}.${key}`));
    expect(unused).toEqual([]);
  });
});

describe("issueProblem", () => {
  it("reads the problem a schema gave, with the check's bound and the given params", () => {
    const schema = z.object({ name: z.string().max(5, problem("maxChars")), port: z.number().min(1, problem("between", { min: 1, max: 9 })) });
    const issues = schema.safeParse({ name: "toolong", port: 0 }).error!.issues;
    expect(issues.map(issueProblem)).toEqual([
      { field: "name", problem: "maxChars", params: { max: 5 } },
      { field: "port", problem: "between", params: { min: 1, max: 9 } },
    ]);
  });

  it("derives a problem from zod's own issues", () => {
    const schema = z.object({ a: z.string(), b: z.array(z.number()).max(1), c: z.enum(["x", "y"]), d: z.string().min(3), e: z.number() }).strict();
    const issues = schema.safeParse({ b: [1, 2], c: "z", d: "ab", e: "1", f: 1 }).error!.issues.map(issueProblem);
    expect(issues).toEqual(expect.arrayContaining([
      { field: "a", problem: "required", params: {} },
      { field: "b", problem: "maxItems", params: { max: 1 } },
      { field: "c", problem: "oneOf", params: { values: "x, y" } },
      { field: "d", problem: "minChars", params: { min: 3 } },
      { field: "e", problem: "number", params: {} },
      { field: "body", problem: "unknownKeys", params: { keys: "f" } },
    ]));
  });
});
