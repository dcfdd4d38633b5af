import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signInAs } from "./fixtures";
import { startCluster } from "../dev-cluster/cluster";

/** The API server's pid in the cluster folder the test stack uses. */
function apiserverPid(): number {
  const dir = process.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");
  return JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")).pids.apiserver;
}

test("the VM list says when the cluster is unreachable and recovers by itself", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "alice", "alice-password");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  const banner = page.getByText("The cluster is unavailable");
  await expect(banner).toHaveCount(0);

  // A crash, not a graceful stop: the API server vanishes with its connections.
  const pid = apiserverPid();
  process.kill(pid, "SIGKILL");
  await expect.poll(() => {
    try {
      process.kill(pid, 0);
      return "running";
    } catch {
      return "gone";
    }
  }).toBe("gone");
  try {
    await expect(banner).toBeVisible({ timeout: 30_000 });
  } finally {
    await startCluster(() => {});
  }
  await expect(banner).toHaveCount(0, { timeout: 45_000 });
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
});
