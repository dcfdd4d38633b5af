/**
 * The KubeVirt stand-in's real guests: QEMU under software emulation booting the cached Debian
 * kernel and busybox initramfs (needs qemu-system-x86, busybox-static and cpio: scripts/setup.sh).
 * One guest at a time.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CapacityError, GuestPool, qmp, sendCtrlAltDel, waitForShell, type Guest, type SerialShell } from "./qemu";

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hikube-standin-"));
const userData = "#cloud-config\nusers:\n  - name: alice\n    shell: /bin/sh\nruncmd:\n  - echo 'hello $USER' > /tmp/hello\n";
const sshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheStandInTestOnly alice@laptop";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("a guest in QEMU", () => {
  const pool = new GuestPool({ max: 1 });
  let guest: Guest;
  let shell: SerialShell;
  const dataDisk = path.join(tmp, "data.img");
  const opticalDisk = path.join(tmp, "optical.img");
  const disks = [{ file: dataDisk, kind: "disk" as const }, { file: opticalDisk, kind: "cdrom" as const }];

  beforeAll(async () => {
    for (const [file, bytes] of [[dataDisk, 64 * 2 ** 20], [opticalDisk, 2 * 2 ** 20]] as const) {
      const fd = fs.openSync(file, "w");
      fs.ftruncateSync(fd, bytes); // sparse, as the stand-in's blank DataVolumes
      fs.closeSync(fd);
    }
    guest = await pool.start({
      id: "tenant-root/vm-test-1",
      hostname: "vm-test-1",
      userData,
      sshKeys: [sshKey],
      cpus: 2,
      disks,
      stateDir: path.join(tmp, "vm-test-1"),
    });
    shell = await waitForShell(guest.serialSocket, 90_000);
  });

  afterAll(async () => {
    shell?.close();
    await pool.stopAll();
  });

  it("answers on its serial shell and knows its name", async () => {
    expect(await shell.run("echo $((6*7))")).toBe("42");
    expect(await shell.run("hostname")).toBe("vm-test-1");
    expect(await shell.run("cat /etc/hostname")).toBe("vm-test-1");
  });

  it("has the vCPUs it was started with", async () => {
    expect(await shell.run("grep -c ^processor /proc/cpuinfo")).toBe("2");
  });

  it("holds the VM's cloud-init user-data and SSH keys", async () => {
    expect(await shell.run("cat /run/cloud-init/user-data")).toBe(userData.trimEnd());
    expect(await shell.run("cat /run/cloud-init/ssh_authorized_keys")).toBe(sshKey);
  });

  it("sees its disks in boot order: a virtio disk as /dev/vda, an optical one as /dev/sr0", async () => {
    expect(await shell.run("ls -1 /dev/vda /dev/sr0")).toBe("/dev/sr0\n/dev/vda");
    expect(await shell.run("cat /sys/block/vda/size")).toBe(String((64 * 2 ** 20) / 512)); // 512-byte sectors
  });

  it("serves RFB on its VNC socket", async () => {
    const banner = await new Promise<string>((resolve, reject) => {
      const s = net.connect(guest.vncSocket);
      s.once("data", (d: Buffer) => {
        resolve(d.toString("latin1"));
        s.destroy();
      });
      s.once("error", reject);
    });
    expect(banner.startsWith("RFB 003.008")).toBe(true);
  });

  it("is refused beyond the pool's capacity", async () => {
    const second = pool.start({ id: "vm-test-2", hostname: "vm-test-2", userData: "", sshKeys: [], stateDir: path.join(tmp, "vm-test-2") });
    await expect(second).rejects.toBeInstanceOf(CapacityError);
    await expect(second).rejects.toMatchObject({ reason: "ErrorUnschedulable", max: 1 });
    expect(pool.size).toBe(1);
    expect(fs.existsSync(path.join(tmp, "vm-test-2"))).toBe(false);
  });

  it("stops answering on its console while paused (QMP stop) and answers what was typed once continued", async () => {
    await qmp(guest.qmpSocket, "stop");
    expect(await qmp(guest.qmpSocket, "query-status")).toMatchObject({ status: "paused", running: false });
    const before = shell.transcript().length;
    shell.write("echo paused-$((40+2))\r");
    await new Promise((r) => setTimeout(r, 1500));
    expect(shell.transcript().slice(before)).not.toContain("paused-");
    await qmp(guest.qmpSocket, "cont");
    await shell.waitFor("paused-42", 15_000);
    expect(await qmp(guest.qmpSocket, "query-status")).toMatchObject({ status: "running", running: true });
  });

  it("logs Ctrl-Alt-Del on its serial console, reboots and comes back", async () => {
    await sendCtrlAltDel(guest.qmpSocket);
    await shell.waitFor("hikube: ctrl-alt-del received", 30_000);
    await shell.waitFor("Hikube guest vm-test-1", 60_000);
    await shell.waitFor(/vm-test-1:~# /, 30_000);
    expect(await shell.run("echo $((6*7))")).toBe("42");
    expect(alive(guest.pid)).toBe(true); // the same QEMU across the guest's reboot
  });

  it("leaves nothing behind once stopped", async () => {
    await pool.stop(guest.id);
    expect(alive(guest.pid)).toBe(false);
    expect(pool.size).toBe(0);
    expect(await guest.exited).not.toBeUndefined();
    expect(fs.existsSync(guest.serialSocket)).toBe(false);
  });

  it("keeps what was written to its disk when it is started again", async () => {
    // Random bytes written through the guest's block device, the guest stopped, a new guest booted.
    const boot = async () => {
      const g = await pool.start({ id: "tenant-root/vm-test-1", hostname: "vm-test-1", userData: "", sshKeys: [], disks, stateDir: path.join(tmp, "vm-test-1") });
      return { g, sh: await waitForShell(g.serialSocket, 90_000) };
    };
    const first = await boot();
    const written = await first.sh.run("head -c 4096 /dev/urandom > /tmp/m && dd if=/tmp/m of=/dev/vda bs=4096 count=1 conv=fsync 2>/dev/null && sha256sum < /tmp/m");
    expect(written).toMatch(/^[0-9a-f]{64}/);
    first.sh.close();
    await pool.stop(first.g.id);
    const second = await boot();
    expect(await second.sh.run("dd if=/dev/vda bs=4096 count=1 2>/dev/null | sha256sum")).toBe(written);
    second.sh.close();
    await pool.stop(second.g.id);
  });
});

describe("a guest's lifetime", () => {
  /** Starts a guest in a child Node process and resolves with both pids once QEMU runs. */
  async function guestInChild(name: string) {
    const script = path.join(tmp, `${name}.mts`); // an ES module: top-level await
    fs.writeFileSync(
      script,
      `import { startGuest } from ${JSON.stringify(path.join(here, "qemu.ts"))};\n` +
        `const g = await startGuest({ id: "${name}", hostname: "${name}", userData: "", sshKeys: [], stateDir: ${JSON.stringify(path.join(tmp, name))} });\n` +
        `console.log("qemu " + g.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: path.resolve(here, "../.."), stdio: ["ignore", "pipe", "inherit"] });
    const qemuPid = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = out.match(/qemu (\d+)/);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`child exited (${code}) before starting its guest`)));
    });
    return { child, qemuPid };
  }

  it("ends with the process that started it, even when that process is SIGKILLed", async () => {
    const { child, qemuPid } = await guestInChild("vm-kill-9");
    expect(alive(qemuPid)).toBe(true);
    child.kill("SIGKILL");
    expect(await waitGone(qemuPid, 5_000)).toBe(true);
  });

  it("ends with the process that started it on SIGTERM", async () => {
    const { child, qemuPid } = await guestInChild("vm-term");
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once("exit", (_code, signal) => r(signal)));
    child.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM"); // the default action still happens after the handler
    expect(await waitGone(qemuPid, 5_000)).toBe(true);
  });
});
