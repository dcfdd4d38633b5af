import { describe, expect, it } from "vitest";
import { issueProblem } from "./api-errors";
import { createDiskSchema, growDiskSchema, parseProgress, quickPickOfUrl, quickPicks, sourceTypeOf } from "./disk";

const fieldOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => r.error?.issues[0].path.map(String).join(".");

describe("createDiskSchema", () => {
  it("defaults to a blank 5Gi disk on the replicated class", () => {
    expect(createDiskSchema.parse({ name: "data" })).toEqual({ name: "data", source: {}, optical: false, storage: "5Gi", storageClass: "replicated" });
  });
  it("refuses two sources at once on field source", () => {
    const r = createDiskSchema.safeParse({ name: "d", source: { http: { url: "https://x.example/a.img" }, upload: {} } });
    expect(fieldOf(r)).toBe("source");
    expect(issueProblem(r.error!.issues[0])).toEqual({ field: "source", problem: "oneSource", params: { given: ["http", "upload"] } });
  });
  it("refuses a URL that is not http or https on its field", () => {
    for (const url of ["ftp://x.example/a.img", "file:///etc/passwd", "javascript:alert(1)", "not a url"]) {
      expect(fieldOf(createDiskSchema.safeParse({ name: "d", source: { http: { url } } }))).toBe("source.http.url");
    }
  });
  it("refuses sizes without a number or of zero", () => {
    expect(fieldOf(createDiskSchema.safeParse({ name: "d", storage: "big" }))).toBe("storage");
    expect(fieldOf(createDiskSchema.safeParse({ name: "d", storage: "0Gi" }))).toBe("storage");
  });
});

describe("growDiskSchema", () => {
  it("refuses a storage class change on its field", () => {
    expect(fieldOf(growDiskSchema.safeParse({ storage: "10Gi", storageClass: "local" }))).toBe("storageClass");
    expect(growDiskSchema.parse({ storage: "10Gi" })).toEqual({ storage: "10Gi" });
  });
});

describe("helpers", () => {
  it("reads CDI's progress text", () => {
    expect(parseProgress("45.23%")).toBe(45.23);
    expect(parseProgress("N/A")).toBeNull();
    expect(parseProgress(undefined)).toBeNull();
  });
  it("names the source type, blank when there is none", () => {
    expect(sourceTypeOf({})).toBe("blank");
    expect(sourceTypeOf({ upload: {} })).toBe("upload");
    expect(sourceTypeOf({ disk: { name: "x" } })).toBe("disk");
  });
  it("offers the eight documented images, each with a minimum size", () => {
    expect(quickPicks.map((p) => p.label)).toEqual(["Ubuntu 24.04 LTS", "Ubuntu 22.04 LTS", "CentOS Stream 9", "Rocky Linux 9", "Fedora 40 Cloud", "Alpine 3.20", "Cirros 0.6.2", "Talos Linux 1.7.6"]);
    expect(quickPickOfUrl(` ${quickPicks[2].url} `)?.minStorage).toBe("10Gi");
  });
});
