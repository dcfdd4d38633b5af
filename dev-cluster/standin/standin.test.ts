/**
 * The whole stand-in as the portal meets it: a local cluster started with `startCluster` (which
 * starts the stand-in process), a VMInstance created as alice through kube-apiserver, a real QEMU
 * guest behind it, its serial console and VNC through the aggregation layer, power actions, and
 * nothing left running afterwards. Figures (reconcile latency, boot to shell) are printed.
 */
import fs from "node:fs";
import path from "node:path";
import type WebSocket from "ws";
import { eventually, portalAccess } from "./test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = path.resolve(".local", `standin-e2e-${process.pid}`);
process.env.HIKUBE_CLUSTER_DIR = dir;
process.env.HIKUBE_MAX_VMS = "2";

let cluster: typeof import("../cluster");
let port = 0;
const alice = { "Impersonate-User": "alice", "Impersonate-Group": ["tenant-acme-admin"] };
const ns = "tenant-acme";

const access = portalAccess(dir);
/** A call through kube-apiserver as alice (portal certificate, impersonation). */
const call = (method: string, urlPath: string, body?: unknown) => access.call(alice, method, urlPath, body);


/** QEMU processes of this test's cluster. */
function qemuPids(): number[] {
  return fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      return cmd.includes("qemu-system") && cmd.includes(dir) && !/\) Z /.test(st);
    } catch {
      return false;
    }
  }).map(Number);
}

/** alice's console or VNC WebSocket through kube-apiserver; rejects with the refusing status. */
async function openConsole(vmi: string, kind: "console" | "vnc"): Promise<WebSocket> {
  const opened = await access.openStream(alice, ns, vmi, kind);
  if ("ws" in opened) return opened.ws;
  throw Object.assign(new Error(`HTTP ${opened.status}`), { status: opened.status });
}

/** Sends a line to the serial console and waits until the output matches. */
function converse(ws: WebSocket, line: string, until: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      ws.off("message", onMessage);
      reject(new Error(`no ${until} in: ${JSON.stringify(seen.slice(-300))}`));
    }, timeoutMs);
    const onMessage = (data: Buffer) => {
      seen += data.toString("utf8");
      if (until.test(seen)) {
        clearTimeout(timer);
        ws.off("message", onMessage);
        resolve(seen);
      }
    };
    ws.on("message", onMessage);
    ws.send(Buffer.from(`${line}\n`), { binary: true });
  });
}

beforeAll(async () => {
  cluster = await import("../cluster");
  await cluster.startCluster(() => {});
  port = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")).apiserverPort;
}, 300_000);

afterAll(async () => {
  await cluster?.stopCluster({ purge: true, log: () => {} });
});

describe("KubeVirt stand-in with real QEMU guests", () => {
  const vmi = "vm-instance-demo";

  it("brings alice's VMInstance to Running with a VMI that has an IP, within 30 s", async () => {
    expect((await call("POST", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vmdisks`, {
      apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMDisk", metadata: { name: "demo-os" }, spec: { source: { image: { name: "cirros" } }, storage: "1Gi" },
    })).status).toBe(201);
    const t0 = Date.now();
    expect((await call("POST", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances`, {
      apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: "demo" },
      spec: { instanceType: "u1.medium", instanceProfile: "cirros", runStrategy: "Always", disks: [{ name: "demo-os" }],
        cloudInit: "#cloud-config\nwrite_files: [{path: /etc/motd, content: hello}]\n", sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICwCya3aUe1UjtD3c6DlBrD0jfY1hgXI19BbimEPLGGd alice"] },
    })).status).toBe(201);
    // Tenant roles cannot read VMs; the test looks as the platform would, with the admin identity.
    const admin = (await import("../kube")).adminClient(path.join(dir, "pki"), port);
    const { request } = await import("../kube");
    const vmiObj = await eventually("a running VMI with an IP", async () => {
      const res = await request(admin, "GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${vmi}`);
      const o = res.status === 200 ? JSON.parse(res.body) : null;
      return o?.status?.phase === "Running" && o?.status?.interfaces?.[0]?.ipAddress && o;
    });
    // virt-controller writes the VMI's phase before the VM's printableStatus, as the stand-in does
    await eventually("the VM's printableStatus Running", async () => {
      const vm = JSON.parse((await request(admin, "GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${vmi}`)).body);
      return vm.status?.printableStatus === "Running";
    }, 5_000);
    console.log(`[figures] VMInstance create -> Running VMI: ${Date.now() - t0} ms; ip ${vmiObj.status.interfaces[0].ipAddress}`);
    expect(qemuPids()).toHaveLength(1);
    admin.agent.destroy();
  }, 60_000);

  it("reaches the guest's shell on /console through kube-apiserver as alice; user input reached the machine", async () => {
    const t0 = Date.now();
    const ws = await openConsole(vmi, "console");
    expect(ws.protocol).toBe("plain.kubevirt.io");
    // The guest may still be booting: press Enter until the shell's prompt answers.
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const poke = setInterval(() => ws.send(Buffer.from("\n"), { binary: true }), 1000);
      const timer = setTimeout(() => {
        clearInterval(poke);
        reject(new Error(`no prompt in: ${JSON.stringify(seen.slice(-300))}`));
      }, 60_000);
      const onMessage = (d: Buffer) => {
        seen += d.toString("utf8");
        if (seen.includes(`${vmi}:~#`)) {
          clearInterval(poke);
          clearTimeout(timer);
          ws.off("message", onMessage);
          resolve();
        }
      };
      ws.on("message", onMessage);
    });
    console.log(`[figures] console reached the shell prompt ${Date.now() - t0} ms after connecting`);
    await converse(ws, "echo $((6*7))", /\n42\r?\n/);
    await converse(ws, "hostname", new RegExp(`\\n${vmi}\\r?\\n`));
    await converse(ws, "cat /run/cloud-init/user-data", /write_files/);
    await converse(ws, "cat /run/cloud-init/ssh_authorized_keys", /ssh-ed25519 AAAAC3Nza\S+ alice/);
    ws.close();
  }, 90_000);

  it("serves an RFB banner on /vnc", async () => {
    const ws = await openConsole(vmi, "vnc");
    const banner = await new Promise<string>((resolve) => ws.once("message", (d: Buffer) => resolve(d.toString("latin1"))));
    expect(banner.startsWith("RFB 003.008")).toBe(true);
    ws.close();
  });

  it("stops through subresources.kubevirt.io, which removes the VMI: the console answers 404 (as KubeVirt, which reads the VMI first), and starts again", async () => {
    const stop = await call("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${vmi}/stop`, {});
    expect(stop.status).toBe(202);
    await eventually("QEMU gone", async () => qemuPids().length === 0);
    await eventually("console 404 once the VMI is gone", async () =>
      (await openConsole(vmi, "console").then((ws) => (ws.close(), 0), (err: { status?: number }) => err.status ?? -1)) === 404);
    expect((await call("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${vmi}/stop`, {})).status).toBe(409);
    expect((await call("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${vmi}/start`, {})).status).toBe(202);
    await eventually("QEMU back", async () => qemuPids().length === 1);
  }, 60_000);

  it("a Manual VM whose guest runs `poweroff -f` is Stopped with its VMI Succeeded, its console answers 400, and start brings it back", async () => {
    const name = "vm-instance-manual";
    const { adminClient, request } = await import("../kube");
    const admin = adminClient(path.join(dir, "pki"), port);
    const getObj = async (kind: string) => {
      const res = await request(admin, "GET", `/apis/kubevirt.io/v1/namespaces/${ns}/${kind}/${name}`);
      return res.status === 200 ? JSON.parse(res.body) : null;
    };
    const subresource = (action: string) => call("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}/${action}`, {});
    try {
      expect((await call("POST", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances`, {
        apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: "manual" },
        // no disk: demo-os is demo's, and QEMU locks a disk image a running guest writes
        spec: { instanceType: "u1.medium", instanceProfile: "cirros", runStrategy: "Manual", disks: [] },
      })).status).toBe(201);
      await eventually("Manual VM Stopped", async () => (await getObj("virtualmachines"))?.status?.printableStatus === "Stopped");
      expect((await subresource("start")).status).toBe(202);
      await eventually("Manual VM Running", async () => (await getObj("virtualmachineinstances"))?.status?.phase === "Running", 30_000);
      const firstUid = (await getObj("virtualmachineinstances")).metadata.uid;

      const ws = await openConsole(name, "console");
      await new Promise<void>((resolve, reject) => {
        let seen = "";
        const poke = setInterval(() => ws.send(Buffer.from("\n"), { binary: true }), 1000);
        const timer = setTimeout(() => (clearInterval(poke), reject(new Error(`no prompt in: ${JSON.stringify(seen.slice(-300))}`))), 60_000);
        ws.on("message", function onMessage(d: Buffer) {
          seen += d.toString("utf8");
          if (seen.includes(`${name}:~#`)) {
            clearInterval(poke);
            clearTimeout(timer);
            ws.off("message", onMessage);
            resolve();
          }
        });
      });
      const wsClosed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
      ws.send(Buffer.from("poweroff -f\n"), { binary: true });
      expect(await wsClosed).toBe(1006); // the guest side ended: no close frame, as KubeVirt

      await eventually("VM Stopped with a Succeeded VMI", async () =>
        (await getObj("virtualmachines"))?.status?.printableStatus === "Stopped" && (await getObj("virtualmachineinstances"))?.status?.phase === "Succeeded", 20_000);
      await new Promise((r) => setTimeout(r, 2000));
      expect(qemuPids()).toHaveLength(1); // only demo's guest: no restart
      expect((await getObj("virtualmachineinstances")).status.phase).toBe("Succeeded");
      const refused = await openConsole(name, "console").then((w) => (w.close(), 0), (err: { status?: number }) => err.status ?? -1);
      expect(refused).toBe(400); // VMI is not running
      expect((await subresource("stop")).status).toBe(409); // VM is not running

      expect((await subresource("start")).status).toBe(202);
      const again = await eventually("a new running VMI", async () => {
        const v = await getObj("virtualmachineinstances");
        return v && v.metadata.uid !== firstUid && v.status?.phase === "Running" && v;
      }, 30_000);
      expect(again.status.interfaces[0].ipAddress).toMatch(/^10\.244\./);
      // the VMI's phase is written before the VM's printableStatus
      await eventually("the VM Running again", async () => (await getObj("virtualmachines"))?.status?.printableStatus === "Running", 5_000);
      expect(qemuPids()).toHaveLength(2);
    } finally {
      await call("DELETE", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances/manual`);
      await eventually("manual's guest gone", async () => qemuPids().length === 1, 20_000);
      admin.agent.destroy();
    }
  }, 150_000);

  it("stops the QEMU process when the VMInstance is deleted, and cluster:down leaves none", async () => {
    expect((await call("DELETE", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances/demo`)).status).toBe(200);
    await eventually("QEMU gone after delete", async () => qemuPids().length === 0);
    // One more guest, then stop the whole cluster with it running.
    expect((await call("POST", `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances`, {
      apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name: "left" },
      spec: { instanceType: "u1.medium", instanceProfile: "cirros", disks: [{ name: "demo-os" }] },
    })).status).toBe(201);
    await eventually("second guest running", async () => qemuPids().length === 1);
    await cluster.stopCluster({ log: () => {} });
    await eventually("no QEMU after cluster:down", async () => qemuPids().length === 0, 15_000);
  }, 90_000);
});
