/**
 * State that must be one per Node process although several copies of a module run in it.
 *
 * server.ts (the custom server: console relay, shutdown) and Next's production bundle load their
 * own copies of every lib/server module, and inside the bundle Next compiles route handlers and
 * server-rendered pages separately, each with its own copy. Module-level state (a `new Map()` at
 * the top of a file) is therefore per copy: a watch cache started by the VM page's server
 * rendering would be a second upstream watch next to the one the live list's route started.
 * Keeping such state on `globalThis` under a `Symbol.for` key makes every copy share it.
 */

/**
 * The process's value for `name`, made by `create` on first use.
 * @param name unique within the portal, e.g. "watch-caches" (prefixed with "hikube-portal." here)
 * @param create makes the initial value; called at most once per process
 */
export function processGlobal<T>(name: string, create: () => T): T {
  const key = Symbol.for(`hikube-portal.${name}`);
  const root = globalThis as typeof globalThis & Record<symbol, unknown>;
  if (!(key in root)) root[key] = create();
  return root[key] as T;
}
