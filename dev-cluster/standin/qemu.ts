/**
 * Real virtual machines for the local cluster's KubeVirt stand-in (dev and tests only, never
 * product logic): each guest is a QEMU process under software emulation (TCG, no KVM here) booting
 * Debian's 6.1 kernel and a busybox initramfs built once by `guest/build-guest.sh`.
 *
 * - The serial port and the VNC display are unix sockets in the guest's `stateDir`
 *   (`serial.sock`, `vnc.sock`); QEMU's monitor is there too (`qmp.sock`, QMP protocol). The serial
 *   byte stream is also logged to `serial.log`, QEMU's own messages to `qemu.log`.
 * - The guest's hostname is the given `hostname` (kernel command line `hikube.hostname=`); the
 *   cloud-init user-data and SSH keys reach it as a small cpio archive appended to the initramfs
 *   (the Debian kernel has `CONFIG_FW_CFG_SYSFS=m`, a module the initramfs does not carry, so
 *   `-fw_cfg` is not readable there). The guest copies them to `/run/cloud-init/user-data` and
 *   `/run/cloud-init/ssh_authorized_keys`.
 * - The serial console runs a root shell with the prompt `<hostname>:<cwd># `; Ctrl-Alt-Del (for
 *   example QMP `send-key`, see {@link sendCtrlAltDel}) prints `hikube: ctrl-alt-del received` on
 *   it and reboots the guest; QEMU keeps running across guest reboots (as a KubeVirt VMI survives
 *   a guest reboot). A guest power-off (`poweroff -f`, ACPI) ends QEMU with exit code 0 (QEMU's
 *   default without `-no-shutdown`); a crash or a kill ends it otherwise, which is how the
 *   stand-in tells a VMI Succeeded from Failed.
 * - Pause and unpause are QMP `stop` and `cont` (the monitor commands of the same names, as
 *   libvirt's virDomainSuspend/Resume send them under KubeVirt): the vCPUs stop, the serial port
 *   stays connected but nothing answers; what is typed meanwhile waits and is read on `cont`.
 * - Guests never outlive the process that started them: every guest is killed on that process's
 *   `exit`, SIGINT, SIGTERM and SIGHUP, and a watchdog shell per guest (reading a pipe from this
 *   process) kills the guest's process group when this process dies without running handlers
 *   (SIGKILL, crash).
 *
 * Environment: `HIKUBE_MAX_VMS` (default cap of {@link GuestPool}, 4), `HIKUBE_QEMU` (QEMU binary,
 * default `qemu-system-x86_64`), `HIKUBE_CACHE` (where the guest image is cached).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What {@link startGuest} needs to boot one guest. */
export interface StartGuestOptions {
  /** Unique name of the guest in this process (QEMU's `-name`), e.g. the VMI's namespace/name. */
  id: string;
  /** The guest's hostname (the VM's name): letters, digits, `-` and `.`, at most 63 characters. */
  hostname: string;
  /** Cloud-init user-data, readable in the guest at `/run/cloud-init/user-data`. */
  userData: string;
  /** SSH public keys, one a line in the guest's `/run/cloud-init/ssh_authorized_keys`. */
  sshKeys: string[];
  /**
   * The VM's disks in boot order: raw files, `disk` ones as virtio disks (`/dev/vda`, `/dev/vdb`…
   * in the guest), `cdrom` ones as read-only IDE CD-ROMs (`/dev/sr0`…). KubeVirt attaches a VMI's
   * volumes the same way (pkg/virt-launcher/virtwrap/converter: disk.bus virtio, cdrom.bus sata/ide).
   */
  disks?: { file: string; kind: "disk" | "cdrom" }[];
  /** Guest memory, default 256 MiB. */
  memoryMiB?: number;
  /** Virtual CPUs, default 1. */
  cpus?: number;
  /**
   * Folder of this guest (created if missing; sockets, logs and the per-guest initrd). Unix socket
   * paths are limited to 107 bytes, so keep it short; it may not contain a comma.
   */
  stateDir: string;
}

/** A running guest. */
export interface Guest {
  id: string;
  hostname: string;
  /** PID of the QEMU process (also its process group). */
  pid: number;
  /** Unix socket speaking the serial console's byte stream (one client at a time). */
  serialSocket: string;
  /** Unix socket speaking RFB (VNC) for the VGA display. */
  vncSocket: string;
  /** Unix socket of QEMU's monitor (QMP). */
  qmpSocket: string;
  /** When QEMU was started. */
  started: Date;
  /** Guest memory in MiB (QEMU's `-m`). */
  memoryMiB: number;
  /** Virtual CPUs (QEMU's `-smp`). */
  cpus: number;
  /** SIGTERM to QEMU's process group, SIGKILL after 5 s; resolves once QEMU has exited. */
  stop(): Promise<void>;
  /** Resolves with QEMU's exit code (null when killed by a signal) once it has exited. */
  exited: Promise<number | null>;
}

/** The guest image built by `guest/build-guest.sh`. */
export interface GuestImage {
  dir: string;
  kernel: string;
  initramfs: string;
}

/** Thrown by {@link GuestPool.start} when the pool already holds its maximum of guests. */
export class CapacityError extends Error {
  /** KubeVirt's status for a VM that no node can take. */
  readonly reason = "ErrorUnschedulable";
  constructor(
    readonly max: number,
    readonly running: number,
  ) {
    super(`0/1 nodes are available: the local cluster runs at most ${max} virtual machines (${running} running)`);
    this.name = "CapacityError";
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const buildScript = path.join(here, "guest", "build-guest.sh");
const qemuBinary = () => process.env.HIKUBE_QEMU ?? "qemu-system-x86_64";
const STOP_GRACE_MS = 5_000;
const SOCKET_WAIT_MS = 15_000;

let imagePromise: Promise<GuestImage> | null = null;

/**
 * Builds the guest image once per process (cached on disk across processes by build-guest.sh) and
 * returns its paths. A failed build is retried on the next call.
 */
export function ensureGuestImage(): Promise<GuestImage> {
  imagePromise ??= new Promise<GuestImage>((resolve, reject) => {
    const child = spawn("bash", [buildScript], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const dir = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !dir) {
        reject(new Error(`guest/build-guest.sh failed (exit ${code}): ${err.trim().slice(-2000)}`));
        return;
      }
      resolve({ dir, kernel: path.join(dir, "vmlinuz"), initramfs: path.join(dir, "initramfs.gz") });
    });
  }).catch((e: unknown) => {
    imagePromise = null;
    throw e;
  });
  return imagePromise;
}

// ---------------------------------------------------------------------------------------------
// Process-wide registry: every live guest is killed when this process goes away.

interface LiveGuest {
  pid: number;
  watchdog: ChildProcess | null;
  sockets: string[];
}
const live = new Map<number, LiveGuest>();
let handlersInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Kills every live guest at once (synchronous, for exit and signal handlers). */
function killAllSync(): void {
  for (const g of live.values()) {
    killGroup(g.pid, "SIGKILL");
    if (g.watchdog?.pid) killGroup(g.watchdog.pid, "SIGKILL");
    for (const s of g.sockets) fs.rmSync(s, { force: true });
  }
  live.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", killAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      killAllSync();
      // Alone on this signal: restore the default action (terminate) and let it happen.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

// ---------------------------------------------------------------------------------------------

const NAME_RE = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,61}[A-Za-z0-9])?$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}$/;

/** A newc cpio archive of regular files and their parent folders (root-owned). */
function cpioNewc(entries: { name: string; data: Buffer; mode: number }[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const add = (name: string, mode: number, data: Buffer) => {
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, Buffer.byteLength(name) + 1, 0];
    const header = "070701" + fields.map((f) => f.toString(16).padStart(8, "0")).join("");
    const head = Buffer.from(header + name + "\0", "latin1");
    parts.push(head, pad4(head.length), data, pad4(data.length));
  };
  const dirs = new Set<string>();
  for (const e of entries) {
    const segments = e.name.split("/").slice(0, -1);
    for (let i = 1; i <= segments.length; i++) {
      const dir = segments.slice(0, i).join("/");
      if (!dirs.has(dir)) {
        dirs.add(dir);
        add(dir, 0o040755, Buffer.alloc(0));
      }
    }
    add(e.name, 0o100000 | e.mode, e.data);
  }
  add("TRAILER!!!", 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}

/**
 * Writes the guest's initrd: the shared initramfs, zero padding to a 4-byte boundary (the kernel
 * looks for the next archive there) and an uncompressed cpio with `/hikube/seed/*`.
 */
function writeInitrd(file: string, base: Buffer, userData: string, sshKeys: string[]): void {
  const keys = sshKeys.map((k) => k.trim()).filter(Boolean);
  const seed = cpioNewc([
    { name: "hikube/seed/user-data", data: Buffer.from(userData), mode: 0o600 },
    { name: "hikube/seed/ssh_authorized_keys", data: Buffer.from(keys.length ? keys.join("\n") + "\n" : ""), mode: 0o600 },
  ]);
  const pad = Buffer.alloc((4 - (base.length % 4)) % 4);
  fs.writeFileSync(file, Buffer.concat([base, pad, seed]));
}

function tail(file: string, max = 2000): string {
  try {
    return fs.readFileSync(file, "utf8").slice(-max).trim();
  } catch {
    return "";
  }
}

/**
 * Boots one guest and resolves once QEMU runs and its serial, VNC and QMP sockets exist (the guest
 * itself needs a few more seconds to reach its shell; see {@link waitForShell}).
 */
export async function startGuest(opts: StartGuestOptions): Promise<Guest> {
  if (!ID_RE.test(opts.id)) throw new Error(`invalid guest id ${JSON.stringify(opts.id)}`);
  if (!NAME_RE.test(opts.hostname)) throw new Error(`invalid guest hostname ${JSON.stringify(opts.hostname)}`);
  const memoryMiB = opts.memoryMiB ?? 256;
  const cpus = opts.cpus ?? 1;
  if (!Number.isInteger(memoryMiB) || memoryMiB < 64) throw new Error(`memoryMiB must be an integer >= 64, got ${memoryMiB}`);
  if (!Number.isInteger(cpus) || cpus < 1) throw new Error(`cpus must be a positive integer, got ${cpus}`);

  const stateDir = path.resolve(opts.stateDir);
  if (stateDir.includes(",")) throw new Error(`guest stateDir may not contain a comma: ${stateDir}`);
  const serialSocket = path.join(stateDir, "serial.sock");
  const vncSocket = path.join(stateDir, "vnc.sock");
  const qmpSocket = path.join(stateDir, "qmp.sock");
  const sockets = [serialSocket, vncSocket, qmpSocket];
  for (const s of sockets) {
    if (Buffer.byteLength(s) > 107) throw new Error(`unix socket path too long (max 107 bytes): ${s}`);
  }

  const image = await ensureGuestImage();
  fs.mkdirSync(stateDir, { recursive: true });
  for (const s of sockets) fs.rmSync(s, { force: true });
  const initrd = path.join(stateDir, "initrd.img");
  writeInitrd(initrd, fs.readFileSync(image.initramfs), opts.userData, opts.sshKeys);
  const qemuLog = path.join(stateDir, "qemu.log");
  const serialLog = path.join(stateDir, "serial.log");

  const args = [
    "-name", `guest=${opts.id},process=qemu-${opts.hostname}`,
    "-nodefaults", "-no-user-config",
    "-machine", "pc", "-accel", "tcg",
    "-m", String(memoryMiB), "-smp", String(cpus),
    "-vga", "std", "-display", "none", "-nic", "none",
    "-kernel", image.kernel, "-initrd", initrd,
    "-append", `console=tty0 console=ttyS0 hikube.hostname=${opts.hostname}`,
    "-chardev", `socket,id=serial0,path=${serialSocket},server=on,wait=off,logfile=${serialLog}`,
    "-serial", "chardev:serial0",
    ...(opts.disks ?? []).flatMap((d) => {
      if (d.file.includes(",")) throw new Error(`disk file may not contain a comma: ${d.file}`);
      return ["-drive", d.kind === "cdrom" ? `file=${d.file},format=raw,if=ide,media=cdrom,readonly=on` : `file=${d.file},format=raw,if=virtio,cache=writeback`];
    }),
    "-vnc", `unix:${vncSocket}`,
    "-qmp", `unix:${qmpSocket},server=on,wait=off`,
  ];
  const logFd = fs.openSync(qemuLog, "w");
  let child: ChildProcess;
  try {
    // detached: its own session and process group, so stop() reaches everything it started and a
    // terminal's Ctrl-C reaches only this process (whose handlers then kill the guest).
    child = spawn(qemuBinary(), args, { detached: true, stdio: ["ignore", logFd, logFd] });
  } finally {
    fs.closeSync(logFd);
  }
  const started = new Date();
  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  spawnError.catch(() => {});
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await Promise.race([new Promise<void>((r) => child.once("spawn", () => r())), spawnError]);
  const pid = child.pid!;
  child.on("error", () => {}); // a failed kill of an exited process; exits are seen through `exited`
  child.unref();

  // Watchdog: its stdin is a pipe from this process; EOF (this process died) kills the guest.
  const watchdog = spawn("sh", ["-c", 'while read -r _; do :; done; kill -KILL "-$1" 2>/dev/null', "hikube-guest-watchdog", String(pid)], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.on("error", () => {});
  watchdog.unref();
  (watchdog.stdin as net.Socket | null)?.unref();

  installExitHandlers();
  const entry: LiveGuest = { pid, watchdog, sockets };
  live.set(pid, entry);
  let running = true;
  void exited.then(() => {
    running = false;
    live.delete(pid);
    if (watchdog.pid) killGroup(watchdog.pid, "SIGKILL");
    for (const s of sockets) fs.rmSync(s, { force: true });
  });

  const stop = async (): Promise<void> => {
    if (!running) {
      await exited;
      return;
    }
    killGroup(pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(pid, "SIGKILL"), STOP_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  // Wait for the three sockets (QEMU creates them before it starts the machine).
  const deadline = Date.now() + SOCKET_WAIT_MS;
  while (!sockets.every((s) => fs.existsSync(s))) {
    if (!running) {
      const code = await exited;
      throw new Error(`QEMU exited (code ${code}) before its sockets appeared: ${tail(qemuLog)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`QEMU's sockets did not appear within ${SOCKET_WAIT_MS} ms: ${tail(qemuLog)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  return { id: opts.id, hostname: opts.hostname, pid, serialSocket, vncSocket, qmpSocket, started, memoryMiB, cpus, stop, exited };
}

// ---------------------------------------------------------------------------------------------

/** Default cap of a {@link GuestPool}: `HIKUBE_MAX_VMS` when it is a whole number, else 4. */
export function defaultMaxGuests(): number {
  const n = Number(process.env.HIKUBE_MAX_VMS);
  return process.env.HIKUBE_MAX_VMS && Number.isInteger(n) && n >= 0 ? n : 4;
}

/**
 * The guests of one process with a cap on how many run at once (the local cluster's capacity).
 * A guest leaves the pool when it is stopped or when QEMU exits by itself.
 */
export class GuestPool {
  readonly max: number;
  private readonly guests = new Map<string, Guest>();
  private readonly starting = new Set<string>();
  private readonly boot: (opts: StartGuestOptions) => Promise<Guest>;

  constructor(options: { max?: number; startGuest?: (opts: StartGuestOptions) => Promise<Guest> } = {}) {
    this.max = options.max ?? defaultMaxGuests();
    this.boot = options.startGuest ?? startGuest;
  }

  /** Guests running or starting. */
  get size(): number {
    return this.guests.size + this.starting.size;
  }

  get(id: string): Guest | undefined {
    return this.guests.get(id);
  }

  list(): Guest[] {
    return [...this.guests.values()];
  }

  /** Starts a guest; rejects with {@link CapacityError} when the pool is full. */
  async start(opts: StartGuestOptions): Promise<Guest> {
    if (this.guests.has(opts.id) || this.starting.has(opts.id)) throw new Error(`guest ${opts.id} is already running`);
    if (this.size >= this.max) throw new CapacityError(this.max, this.size);
    this.starting.add(opts.id);
    try {
      const guest = await this.boot(opts);
      this.guests.set(opts.id, guest);
      void guest.exited.then(() => {
        if (this.guests.get(opts.id) === guest) this.guests.delete(opts.id);
      });
      return guest;
    } finally {
      this.starting.delete(opts.id);
    }
  }

  /** Stops one guest (no-op when unknown). */
  async stop(id: string): Promise<void> {
    const guest = this.guests.get(id);
    if (!guest) return;
    await guest.stop();
    this.guests.delete(id);
  }

  /** Stops every guest of the pool. */
  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((g) => this.stop(g.id)));
  }
}

// ---------------------------------------------------------------------------------------------

/** A small client of a guest's serial shell (tests and diagnostics). */
export interface SerialShell {
  /**
   * Runs one line of shell and resolves with its output (stdout and stderr, `\r` removed, without
   * the final newline). Commands run one after another.
   */
  run(cmd: string, timeoutMs?: number): Promise<string>;
  /** Waits until output received after the previous run()/waitFor() matches; resolves with it. */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Everything received so far (ANSI escapes removed). */
  transcript(): string;
  /** Sends raw bytes to the console. */
  write(data: string | Buffer): void;
  close(): void;
}

// CSI sequences (e.g. ash's cursor-position query) and other two-byte escapes.
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
const PROMPT_RE = /\S+:[^\n]*# $/;

/**
 * Connects to a guest's serial socket, waits for the shell prompt (pressing Enter every second,
 * so it also finds a shell that printed its prompt before the connection) and returns a client.
 */
export async function waitForShell(serialSocket: string, timeoutMs = 60_000): Promise<SerialShell> {
  const deadline = Date.now() + timeoutMs;
  let socket: net.Socket | null = null;
  while (!socket) {
    try {
      socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(serialSocket);
        s.once("connect", () => resolve(s));
        s.once("error", reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`cannot connect to ${serialSocket}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const sock = socket;
  let text = "";
  let cursor = 0;
  let closed = false;
  const waiters = new Set<() => void>();
  sock.on("data", (d: Buffer) => {
    text += d.toString("latin1").replace(ANSI_RE, "");
    for (const w of waiters) w();
  });
  sock.on("error", () => {});
  sock.on("close", () => {
    closed = true;
    for (const w of waiters) w();
  });

  /** Resolves with the first value `check` returns that is not undefined. */
  const until = <T>(check: () => T | undefined, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const done = (fn: () => void) => {
        waiters.delete(onData);
        clearTimeout(timer);
        fn();
      };
      const onData = () => {
        const v = check();
        if (v !== undefined) done(() => resolve(v));
        else if (closed) done(() => reject(new Error(`serial console closed while waiting for ${what}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}; last output: ${JSON.stringify(text.slice(-500))}`))),
        ms,
      );
      waiters.add(onData);
      onData();
    });

  const poke = setInterval(() => sock.write("\r"), 1000);
  sock.write("\r");
  try {
    await until(() => (PROMPT_RE.test(text) ? true : undefined), Math.max(0, deadline - Date.now()), "the shell prompt");
  } catch (e) {
    sock.destroy();
    throw e;
  } finally {
    clearInterval(poke);
  }

  let seq = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const run = (cmd: string, ms = 30_000): Promise<string> => {
    if (cmd.includes("\n") || cmd.includes("\r")) return Promise.reject(new Error("run() takes one line of shell"));
    const n = ++seq;
    const task = queue.then(async () => {
      const begin = `__HK_B${n}__`;
      const end = `__HK_E${n}__`;
      const from = text.length;
      // The quotes keep the markers out of the echoed command line.
      sock.write(`echo __HK_B""${n}__; ${cmd}; echo __HK_E""${n}__\r`);
      const out = await until(
        () => {
          const s = text.indexOf(begin + "\r\n", from);
          const e = s < 0 ? -1 : text.indexOf(end, s);
          if (e < 0) return undefined;
          cursor = e + end.length;
          return text.slice(s + begin.length + 2, e);
        },
        ms,
        `the output of ${JSON.stringify(cmd)}`,
      );
      return out.replace(/\r/g, "").replace(/\n$/, "");
    });
    queue = task.catch(() => {});
    return task;
  };

  const waitFor = async (pattern: string | RegExp, ms = 30_000): Promise<string> => {
    const re = typeof pattern === "string" ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : pattern;
    const found = await until(
      () => {
        const rest = text.slice(cursor);
        const m = rest.match(re);
        if (!m || m.index === undefined) return undefined;
        cursor += m.index + m[0].length;
        return rest.slice(0, m.index + m[0].length);
      },
      ms,
      String(pattern),
    );
    return found;
  };

  return {
    run,
    waitFor,
    transcript: () => text,
    write: (data) => void sock.write(data),
    close: () => void sock.destroy(),
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs one QMP command on a guest's monitor socket and resolves with its `return` value (rejects
 * with QMP's error description). One connection per call; QMP serves one client at a time.
 */
export function qmp(qmpSocket: string, execute: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(qmpSocket);
    let buf = "";
    let step = 0; // 0: greeting, 1: capabilities answer, 2: command answer
    const finish = (err: Error | null, value?: unknown) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`QMP ${execute} timed out after ${timeoutMs} ms`)), timeoutMs);
    sock.on("error", (e) => finish(e));
    sock.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { QMP?: unknown; event?: string; return?: unknown; error?: { class: string; desc: string } };
        if (msg.event) continue;
        if (msg.error) return finish(new Error(`QMP ${step === 1 ? "qmp_capabilities" : execute}: ${msg.error.desc}`));
        if (step === 0 && msg.QMP) {
          step = 1;
          sock.write(JSON.stringify({ execute: "qmp_capabilities" }) + "\n");
        } else if (step === 1 && "return" in msg) {
          step = 2;
          sock.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + "\n");
        } else if (step === 2 && "return" in msg) {
          return finish(null, msg.return);
        }
      }
    });
  });
}

/** Presses Ctrl-Alt-Del on the guest's keyboard (QMP `send-key`). */
export async function sendCtrlAltDel(qmpSocket: string): Promise<void> {
  await qmp(qmpSocket, "send-key", {
    keys: ["ctrl", "alt", "delete"].map((data) => ({ type: "qcode", data })),
  });
}
