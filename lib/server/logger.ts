/**
 * The server's structured logger (pino, JSON lines on stdout). Level from LOG_LEVEL (default
 * `info`; `silent` in tests that do not want the noise). A line written while a request is served
 * carries its `requestId` (request-context.ts), the id of the answer's `X-Request-Id` header and of
 * the request's audit row.
 */
import pino from "pino";
import { currentRequestId } from "./request-context";

/** The shared logger; use `logger.child({ area: "..." })` for a component. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { app: "hikube-portal" },
  mixin() {
    const requestId = currentRequestId();
    return requestId ? { requestId } : {};
  },
});
