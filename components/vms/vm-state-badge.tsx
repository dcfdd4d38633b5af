"use client";

import { useTranslations } from "next-intl";
import { useCallback } from "react";

/** Power states the portal translates (KubeVirt `printableStatus` values plus the portal's own). */
export const knownVmStates = [
  "Running", "Stopped", "Pending", "Provisioning", "Starting", "Stopping", "Terminating", "Paused", "Migrating",
  "Error", "ErrorUnschedulable", "ErrorPvcNotFound", "DataVolumeError", "CrashLoopBackOff", "ErrImagePull",
  "ImagePullBackOff", "WaitingForVolumeBinding", "WaitingForReceiver", "Unknown",
] as const;

type KnownVmState = (typeof knownVmStates)[number];

const isKnown = (state: string): state is KnownVmState => (knownVmStates as readonly string[]).includes(state);

type Tone = "green" | "grey" | "amber" | "blue" | "red";

/** A function giving a power state in the user's language (an unknown state as it is). */
export function useVmStateLabel(): (state: string) => string {
  const t = useTranslations("VmState");
  return useCallback((state) => (isKnown(state) ? t(state) : state), [t]);
}

/** The colour family of a power state (unknown states are grey, any `Err…` is red). */
export function vmStateTone(state: string): Tone {
  if (state === "Running") return "green";
  if (state === "Stopped" || state === "Paused" || state === "Unknown") return "grey";
  if (state === "Migrating") return "blue";
  if (/^(Err|Error)|Error$|BackOff$/.test(state)) return "red";
  if (isKnown(state)) return "amber";
  return "grey";
}

const toneClass: Record<Tone, { badge: string; dot: string }> = {
  green: { badge: "bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/30", dot: "bg-emerald-500" },
  grey: { badge: "bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-500/10 dark:text-zinc-300 dark:ring-zinc-400/30", dot: "bg-zinc-400" },
  amber: { badge: "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-400/30", dot: "bg-amber-500 animate-pulse" },
  blue: { badge: "bg-blue-50 text-blue-800 ring-blue-600/20 dark:bg-blue-500/10 dark:text-blue-300 dark:ring-blue-400/30", dot: "bg-blue-500 animate-pulse" },
  red: { badge: "bg-red-50 text-red-800 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300 dark:ring-red-400/30", dot: "bg-red-500" },
};

/** A colour-coded power state; the condition message, when present, as secondary text and tooltip. */
export function VmStateBadge({ state, message }: { state: string; message?: string }) {
  const label = useVmStateLabel()(state);
  const tone = toneClass[vmStateTone(state)];
  return (
    <div className="min-w-0">
      <span title={message} className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tone.badge}`}>
        <span aria-hidden="true" className={`size-1.5 rounded-full ${tone.dot}`} />
        {label}
      </span>
      {message && <p lang="en" className="mt-1 max-w-72 truncate text-xs text-zinc-500 dark:text-zinc-400" title={message}>{message}</p>}
    </div>
  );
}
