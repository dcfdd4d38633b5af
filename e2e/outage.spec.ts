import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";
import { consoleState, createRunningVm, deleteVm, waitForPrompt } from "./console-helpers";
import { startCluster } from "../dev-cluster/cluster";

// Both tests cut parts of the cluster: one at a time.
test.describe.configure({ mode: "serial" });

/** A process's pid in the cluster folder the test stack uses. */
function clusterPid(which: "apiserver" | "standin"): number {
  const dir = process.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");
  return JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")).pids[which];
}

/** Kills a process as a crash would and waits until it is gone. */
async function crash(pid: number): Promise<void> {
  process.kill(pid, "SIGKILL");
  await expect.poll(() => {
    try {
      process.kill(pid, 0);
      return "running";
    } catch {
      return "gone";
    }
  }).toBe("gone");
}

test("the VM list says when the cluster is unreachable and recovers by itself", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "alice", "alice-password");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  const banner = page.getByText("The cluster is unavailable");
  await expect(banner).toHaveCount(0);

  // A crash, not a graceful stop: the API server vanishes with its connections.
  await crash(clusterPid("apiserver"));
  try {
    await expect(banner).toBeVisible({ timeout: 30_000 });
  } finally {
    await startCluster(() => {});
  }
  const back = Date.now();
  // the API server answers before its RBAC is loaded (everyone refused for a moment), the caches
  // resume or relist, the stream's next round follows within its 5 s backoff
  await expect(banner).toHaveCount(0, { timeout: 45_000 });
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  test.info().annotations.push({ type: "recovery", description: `list live again ${Date.now() - back} ms after the API server was back` });
  console.log(`list live again ${Date.now() - back} ms after the API server was back`);
});

test("an open console shows the reconnect state when KubeVirt goes away and recovers by itself", async ({ page }) => {
  test.setTimeout(180_000);
  const name = uniqueVmName("out");
  await signInAs(page, "alice", "alice-password");
  await createRunningVm(page, name);
  try {
    await page.goto(`/t/acme/vms/${name}/console`);
    await expect(consoleState(page)).toHaveAttribute("data-state", "connected");
    await waitForPrompt(page, name);

    // The stand-in (virt-api, virt-controller and the guests) crashes: the upstream connection drops.
    await crash(clusterPid("standin"));
    await expect(consoleState(page)).toHaveAttribute("data-state", "reconnecting", { timeout: 15_000 });
    await expect(consoleState(page)).toContainText(/reconnecting in/);
    await startCluster(() => {});
    const back = Date.now();
    await expect(consoleState(page)).toHaveAttribute("data-state", "connected", { timeout: 10_000 });
    console.log(`console reconnected ${Date.now() - back} ms after the stand-in was back`);
    await waitForPrompt(page, name);
  } finally {
    await deleteVm(page, name);
  }
});
