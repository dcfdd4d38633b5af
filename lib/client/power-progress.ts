/**
 * Following a VM's power state after KubeVirt accepted a power action (202), to tell the user when
 * the VM got where the action takes it. The answer only means "accepted"; the state arrives later
 * on the VM page's polling or the list's stream, possibly skipping states in between.
 */
import type { PowerAction } from "./api";

/** The power state each action ends in (KubeVirt `printableStatus`). */
export const powerActionTarget: Record<PowerAction, string> = {
  start: "Running",
  stop: "Stopped",
  restart: "Running",
  pause: "Paused",
  unpause: "Running",
};

/**
 * An accepted action being followed. `left` records that the VM was seen in a state other than
 * the target since: a restart starts and ends in Running, so only a Running after another state
 * means it is done.
 */
export interface PowerWatch {
  action: PowerAction;
  left: boolean;
}

/** A new watch for an action KubeVirt just accepted. */
export function watchPowerAction(action: PowerAction): PowerWatch {
  return { action, left: false };
}

/**
 * The watch after the VM was seen in `state`: "reached" once the action's target state is there
 * (for a restart, after some other state), else the watch to keep.
 */
export function stepPowerWatch(watch: PowerWatch, state: string): PowerWatch | "reached" {
  const target = powerActionTarget[watch.action];
  if (state === target && (watch.action !== "restart" || watch.left)) return "reached";
  if (state !== target && !watch.left) return { ...watch, left: true };
  return watch;
}
