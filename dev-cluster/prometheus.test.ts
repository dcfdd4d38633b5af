/** The local Prometheus's configuration: what it scrapes and how often. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { prometheusConfig, prometheusFiles } from "./prometheus";

function hasPromtool(): boolean {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("the local Prometheus configuration", () => {
  it("scrapes the stand-in's virt-handler metrics every 5 s keeping the VMI's labels, and the portal from its target file", () => {
    const config = parse(prometheusConfig(41234));
    expect(config.global.scrape_interval).toBe("5s");
    const kubevirt = config.scrape_configs.find((j: { job_name: string }) => j.job_name === "kubevirt");
    expect(kubevirt).toMatchObject({ honor_labels: true, static_configs: [{ targets: ["127.0.0.1:41234"] }] });
    const portal = config.scrape_configs.find((j: { job_name: string }) => j.job_name === "hikube-portal");
    expect(portal.file_sd_configs[0].files).toEqual([prometheusFiles.portalTargets]);
  });

  it.skipIf(!hasPromtool())("is accepted by promtool", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hikube-prom-"));
    try {
      const file = path.join(dir, "prometheus.yml");
      fs.writeFileSync(file, prometheusConfig(41234));
      expect(() => execFileSync("promtool", ["check", "config", file], { stdio: "pipe" })).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
