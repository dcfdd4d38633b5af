/**
 * Runs in the browser before any of the app's modules (Next's client entry requires it ahead of
 * hydration: next/dist/client/app-next-turbopack.js).
 *
 * Zod 4 probes `new Function("")` when it builds its first object schema, to compile fast
 * parsers. The page policy (proxy.ts) allows no eval in production, so the probe throws (zod
 * catches it and parses without compiling) but the browser still reports a CSP violation on
 * every page. `jitless` skips the probe (zod/v4/core/util.js `allowsEval`); it must be set
 * before lib/shared's schemas are built, hence here.
 */
import { config } from "zod";

config({ jitless: true });
