import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rereadingTokenHeaders, TOKEN_FILE_REREAD_MS } from "./connection";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hikube-token-"));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("a token read from a file (the rotated ServiceAccount token)", () => {
  it("is read again once a minute old, at the next request, and survives a failed read", () => {
    const file = path.join(dir, "token");
    fs.writeFileSync(file, "first\n");
    let clock = 1_000_000;
    const headers = rereadingTokenHeaders(file, "Bearer first", () => clock);
    fs.writeFileSync(file, "second\n");
    expect({ ...headers }).toEqual({ Authorization: "Bearer first" });
    clock += TOKEN_FILE_REREAD_MS;
    expect({ ...headers }).toEqual({ Authorization: "Bearer second" });
    fs.rmSync(file);
    clock += TOKEN_FILE_REREAD_MS;
    expect(headers.Authorization).toBe("Bearer second");
  });

  it("is what the portal's connection sends when its kubeconfig names a token file", async () => {
    const file = path.join(dir, "sa-token");
    fs.writeFileSync(file, "rotated-1");
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, [
      "apiVersion: v1", "kind: Config", "current-context: c",
      "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443/', insecure-skip-tls-verify: true}}]",
      "contexts: [{name: c, context: {cluster: k, user: u}}]",
      "users: [{name: u, user: {auth-provider: {name: tokenFile, config: {tokenFile: '" + file + "'}}}}]",
    ].join("\n"));
    vi.stubEnv("KUBERNETES_SERVICE_HOST", "");
    vi.stubEnv("KUBECONFIG", kubeconfig);
    vi.useFakeTimers({ now: 5_000_000, toFake: ["Date"] });
    try {
      const { getConnection } = await import("./connection");
      const conn = await getConnection();
      expect(conn.server).toBe("https://127.0.0.1:6443");
      expect({ ...conn.authHeaders }).toEqual({ Authorization: "Bearer rotated-1" });
      fs.writeFileSync(file, "rotated-2");
      vi.setSystemTime(5_000_000 + TOKEN_FILE_REREAD_MS);
      expect({ ...conn.authHeaders }).toEqual({ Authorization: "Bearer rotated-2" });
    } finally {
      vi.useRealTimers();
    }
  });
});
