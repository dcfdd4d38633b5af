"use client";

import { useEffect, useState } from "react";

/**
 * The current time in milliseconds, refreshed every `intervalMs` (default 30 s), for relative
 * ages that keep up without re-rendering on every tick.
 */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
