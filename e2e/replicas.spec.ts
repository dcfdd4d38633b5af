/**
 * Replicas stopped under a user, in the browser (issue 11, points 2 and 5): the portal runs as two
 * replicas of the image behind HAProxy (scripts/replicas.ts; PORTAL_URL is HAProxy's), alice has
 * a serial console and the VM list open. The replica relaying the console is stopped as Kubernetes
 * stops a pod (SIGTERM: podman stop): the console page gets 1001 and reconnects by itself through
 * the other replica. Started again, then the replica serving the list's stream is stopped: the
 * list's EventSource reconnects by itself and shows a VM created after the stop. Both replicas run
 * again at the end (the replica tests that follow need them).
 *
 * Run by scripts/test.ts in the PostgreSQL pass (Playwright project `replicas`), which sets
 * REPLICA_A_URL / REPLICA_B_URL and REPLICA_A_CONTAINER / REPLICA_B_CONTAINER. Which replica holds
 * a stream or console is read from each replica's own /metrics.
 */
import { expect, test, type Page } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";
import { consoleState, createRunningVm, deleteVm, terminalLines, waitForPrompt } from "./console-helpers";
import { container } from "../scripts/image";
import { waitForBothReplicas } from "../scripts/replicas";
import { metricSample } from "../tests/integration/helpers";

const replicas = ["a", "b"].map((name) => ({
  name,
  url: process.env[`REPLICA_${name.toUpperCase()}_URL`] ?? "",
  container: process.env[`REPLICA_${name.toUpperCase()}_CONTAINER`] ?? "",
}));

/** One sample of a replica's own /metrics (loopback: allowed without a token); 0 for a stopped replica. */
async function sample(url: string, metric: string, labels: Record<string, string>): Promise<number> {
  return metricSample(await fetch(`${url}/metrics`).then((r) => r.text(), () => ""), metric, labels);
}

/** Which replica relays the page's console, and which serves its VM list's stream. */
async function holders(): Promise<{ console: string | undefined; list: string | undefined }> {
  const out: { console: string | undefined; list: string | undefined } = { console: undefined, list: undefined };
  for (const r of replicas) {
    if ((await sample(r.url, "hikube_console_sessions_open", { kind: "console" })) > 0) out.console = r.name;
    if ((await sample(r.url, "hikube_live_streams_open", { list: "vm-stream" })) > 0) out.list = r.name;
  }
  return out;
}

test.skip(!process.env.REPLICA_A_URL, "needs the replicas of scripts/replicas.ts");

/** Stops a replica as Kubernetes stops a pod (SIGTERM, then its drain), returning once it exited. */
async function stopReplica(name: string): Promise<void> {
  await container("podman", ["stop", "-t", "30", replicas.find((r) => r.name === name)!.container]);
}

/** Starts the stopped replicas again and waits until HAProxy balances over both. */
async function bothUp(): Promise<void> {
  for (const r of replicas) await container("podman", ["start", r.container]).catch(() => {});
  await waitForBothReplicas(process.env.PORTAL_URL!, 90_000);
}

test("stopping the replica under an open console, then the one under an open VM list: each comes back through the other replica by itself", async ({ page }) => {
  test.setTimeout(300_000);
  const vm = uniqueVmName("rolling");
  await signInAs(page, "alice", "alice-password");
  await createRunningVm(page, vm);
  const consolePage: Page = await page.context().newPage();
  try {
    await consolePage.goto(`/t/acme/vms/${vm}/console`);
    await waitForPrompt(consolePage, vm);

    // 1. The console's replica stops: the page leaves "connected" (1001 after the drain delay)
    // and is connected again by itself, through the other replica.
    await expect.poll(async () => (await holders()).console).toBeDefined();
    const consoleReplica = (await holders()).console!;
    const stopped = stopReplica(consoleReplica);
    await expect(consoleState(consolePage)).not.toHaveAttribute("data-state", "connected", { timeout: 20_000 });
    const dropped = Date.now();
    await expect(consoleState(consolePage)).toHaveAttribute("data-state", "connected", { timeout: 10_000 });
    const consoleBack = Date.now() - dropped;
    await stopped;
    // typed text reaches the guest through the other replica
    await consolePage.getByTestId("serial-terminal").click();
    await consolePage.keyboard.type("echo $((40+2))\n");
    await expect.poll(async () => (await terminalLines(consolePage)).includes("42"), { timeout: 15_000 }).toBe(true);
    expect((await holders()).console).not.toBe(consoleReplica);
    await bothUp();

    // 2. The VM list's replica stops: its EventSource reconnects by itself through the other
    // replica, and a VM created then shows without reload.
    await expect(page.getByText("Live", { exact: true })).toBeVisible();
    await expect.poll(async () => (await holders()).list).toBeDefined();
    const listReplica = (await holders()).list!;
    await stopReplica(listReplica);
    const created = Date.now();
    const name = uniqueVmName("after");
    const res = await page.request.post("/api/tenants/acme/vms", {
      headers: { origin: new URL(page.url()).origin },
      data: { name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" }, runStrategy: "Halted" },
    });
    expect(res.status(), await res.text()).toBe(201);
    await expect(page.getByRole("rowheader").getByRole("link", { name, exact: true })).toBeVisible({ timeout: 5_000 });
    const listBack = Date.now() - created;
    await expect(page.getByText("Live", { exact: true })).toBeVisible();
    console.log(`[replicas] console: replica ${consoleReplica} stopped, connected again ${consoleBack} ms after it dropped; VM list: replica ${listReplica} stopped, a VM created after the stop shown ${listBack} ms after its create`);
    expect(consoleBack).toBeLessThan(5_000);
    await deleteVm(page, name);
  } finally {
    await deleteVm(page, vm).catch(() => {});
    await consolePage.close();
    // both replicas again for what follows
    await bothUp();
  }
});
