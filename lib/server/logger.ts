/**
 * The server's structured logger (pino, JSON lines on stdout). Level from LOG_LEVEL (default
 * `info`; `silent` in tests that do not want the noise).
 */
import pino from "pino";

/** The shared logger; use `logger.child({ area: "..." })` for a component. */
export const logger = pino({ level: process.env.LOG_LEVEL ?? "info", base: { app: "hikube-portal" } });
