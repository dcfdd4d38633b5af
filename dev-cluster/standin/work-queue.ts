/**
 * A per-key work queue for the stand-in's controllers (dev and tests only), as client-go's
 * workqueue behaves for one worker per key: a key is reconciled by one call at a time; an event
 * that arrives during a reconcile runs it once more afterwards; a failed reconcile is retried
 * after 2 s. Nothing runs once `signal` is aborted.
 */

/** Queues reconciles of keys; `inFlight` lets a controller wait for running work on stop. */
export interface WorkQueue {
  enqueue(key: string): void;
  inFlight(): Promise<void>[];
}

/**
 * @param reconcile the work for one key
 * @param opts.label names failures in the log, e.g. `reconcile` or `disk`
 */
export function workQueue(reconcile: (key: string) => Promise<void>, opts: { signal: AbortSignal; log: (line: string) => void; label: string }): WorkQueue {
  const running = new Map<string, Promise<void>>();
  const dirty = new Set<string>();
  const enqueue = (key: string): void => {
    if (opts.signal.aborted) return;
    if (running.has(key)) {
      dirty.add(key);
      return;
    }
    const p = reconcile(key)
      .catch((err) => {
        opts.log(`${opts.label} ${key} failed: ${err instanceof Error ? err.message : err}; retrying in 2 s`);
        setTimeout(() => enqueue(key), 2000).unref();
      })
      .finally(() => {
        running.delete(key);
        if (dirty.delete(key)) enqueue(key);
      });
    running.set(key, p);
  };
  return { enqueue, inFlight: () => [...running.values()] };
}
