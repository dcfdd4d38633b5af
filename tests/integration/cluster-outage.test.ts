/**
 * When the API server goes away the portal answers 503 with a message (no crash), and it
 * recovers by itself when the API server returns. This file stops and restarts kube-apiserver,
 * so the integration files run one at a time (vitest.config.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { request as adminRequest } from "../../dev-cluster/kube";
import { clusterAdmin, openVmStream, paths, signIn, uniqueName, waitFor } from "./helpers";
import { startCluster } from "../../dev-cluster/cluster";

const dir = process.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");

function apiserverPid(): number {
  return JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")).pids.apiserver;
}

async function waitExit(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGKILL");
}

describe("cluster outage", () => {
  afterAll(async () => {
    await startCluster(() => {}); // never leave the suite without an API server
  });

  it("answers 503 with a message while the API server is down, then recovers", async () => {
    const alice = await signIn("alice", "alice-password");
    expect((await alice.call("GET", "/api/tenants/acme/vms")).status).toBe(200);

    const pid = apiserverPid();
    process.kill(pid, "SIGTERM");
    await waitExit(pid);

    const down = await alice.call("GET", "/api/tenants/acme/vms");
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe("cluster_unavailable");
    expect(down.body.error.message).toMatch(/unreachable|could not answer/);
    const create = await alice.call("POST", "/api/tenants/acme/vms", {
      name: "while-down", instanceType: "u1.medium", instanceProfile: "ubuntu", rootDisk: { source: { type: "image", name: "ubuntu" } },
    });
    expect(create.status).toBe(503);
    const health = await alice.call("GET", "/api/health");
    expect(health.status).toBe(503);

    await startCluster(() => {});
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await alice.call("GET", "/api/tenants/acme/vms")).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  }, 90_000);

  it("brings the next change to an open VM stream within 5 s of the API server's restart", async () => {
    const alice = await signIn("alice", "alice-password");
    const stream = openVmStream(alice.cookie);
    const name = uniqueName("outage");
    try {
      expect(await stream.ready).toBe(200);
      await waitFor("the snapshot", 10_000, async () => (stream.events.some((e) => e.event === "snapshot") ? true : undefined));

      const pid = apiserverPid();
      process.kill(pid, "SIGTERM");
      await waitExit(pid);
      // The shared caches lost their watches: the open page is told.
      await waitFor("unavailable", 10_000, async () => (stream.events.some((e) => e.event === "unavailable") ? true : undefined));

      await startCluster(() => {});
      const vmi = { apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name },
        spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Halted", disks: [], external: false, externalPorts: [22] } };
      const t0 = Date.now();
      const created = await adminRequest(clusterAdmin(), "POST", paths.vmInstance("tenant-acme"), JSON.stringify(vmi));
      expect(created.status).toBe(201);
      // The change arrives as an upsert, or inside the fresh snapshot sent once the caches are back.
      const arrived = await waitFor("the new VM on the open stream", 10_000, async () => stream.events.find((e) =>
        e.at >= t0 && ((e.event === "upsert" && e.data.name === name) || (e.event === "snapshot" && e.data.some((r: { name: string }) => r.name === name)))));
      expect(arrived.at - t0).toBeLessThan(5000);
    } finally {
      stream.close();
      await adminRequest(clusterAdmin(), "DELETE", paths.vmInstance("tenant-acme", name));
    }
  }, 90_000);
});
