/**
 * Glue between the controller, virt-api and the QEMU pool (dev and tests only): the controller's
 * {@link GuestRuntime} and virt-api's {@link ConsoleBackend} over one {@link GuestPool}.
 * Guest keys are `namespace/vmi-name`.
 */
import crypto from "node:crypto";
import net from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import { CapacityError, GuestPool, qmp } from "./qemu";
import type { GuestExit, GuestRuntime, GuestSpec } from "./controller";
import type { ConsoleBackend, ConsoleKind } from "./virt-api";

/** QEMU guests for the controller, and their serial/VNC sockets for virt-api. */
export class QemuRuntime implements GuestRuntime {
  private readonly stopping = new Set<string>();
  private readonly listeners: ((key: string, outcome: GuestExit) => void)[] = [];

  /**
   * @param pool the pool (its cap is the local cluster's capacity)
   * @param vmsDir folder for per-guest state (sockets: keep the path short, unix sockets allow 107 bytes)
   */
  constructor(readonly pool: GuestPool, private readonly vmsDir: string) {}

  /** @throws an Error with `code: "capacity"` when the pool is full */
  async start(key: string, spec: GuestSpec): Promise<void> {
    const dir = path.join(this.vmsDir, crypto.createHash("sha256").update(key).digest("hex").slice(0, 10));
    try {
      const guest = await this.pool.start({ id: key, hostname: spec.hostname, userData: spec.userData, sshKeys: spec.sshKeys, cpus: spec.cpus, disks: spec.disks, stateDir: dir });
      void guest.exited.then((code) => {
        if (this.stopping.delete(key)) return;
        // QEMU exits 0 when the guest powers off (ACPI); a crash or a kill is anything else.
        for (const l of this.listeners) l(key, code === 0 ? "Succeeded" : "Failed");
      });
    } catch (err) {
      if (err instanceof CapacityError) throw Object.assign(err, { code: "capacity" });
      throw err;
    }
  }

  async stop(key: string): Promise<void> {
    if (!this.pool.get(key)) return;
    this.stopping.add(key);
    await this.pool.stop(key);
  }

  isRunning(key: string): boolean {
    return Boolean(this.pool.get(key));
  }

  /** Stops the guest's vCPUs (QMP `stop`, the monitor's `stop`): it stops answering, its memory stays. */
  async pause(key: string): Promise<void> {
    const guest = this.pool.get(key);
    if (!guest) throw new Error(`VMI ${key} has no guest`);
    await qmp(guest.qmpSocket, "stop");
  }

  /** Lets a paused guest run again (QMP `cont`). */
  async resume(key: string): Promise<void> {
    const guest = this.pool.get(key);
    if (!guest) throw new Error(`VMI ${key} has no guest`);
    await qmp(guest.qmpSocket, "cont");
  }

  onExit(listener: (key: string, outcome: GuestExit) => void): void {
    this.listeners.push(listener);
  }

  /** virt-api's view: the serial port or VNC server of VMI `namespace/name`. */
  consoles(): ConsoleBackend {
    return {
      isRunning: async (namespace, name) => this.isRunning(`${namespace}/${name}`),
      open: (namespace, name, kind) => this.open(`${namespace}/${name}`, kind),
    };
  }

  private open(key: string, kind: ConsoleKind): Promise<Duplex> {
    const guest = this.pool.get(key);
    if (!guest) return Promise.reject(new Error(`VMI ${key} has no guest`));
    const socketPath = kind === "console" ? guest.serialSocket : guest.vncSocket;
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath, () => resolve(socket));
      socket.once("error", reject);
    });
  }
}
