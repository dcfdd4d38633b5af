/**
 * The console relay's wire contract, shared by the relay (lib/server/console/relay.ts) and the
 * console page (lib/client/console-state.ts).
 */

/** The WebSocket subprotocol KubeVirt's console and VNC speak (raw bytes in binary frames). */
export const kubevirtSubprotocol = "plain.kubevirt.io";

/**
 * Close codes the relay sends to the browser (4000–4999 are application codes, RFC 6455 §7.4.2);
 * the table with their causes is in lib/server/console/relay.ts.
 */
export const consoleCloseCodes = {
  upstreamClosed: 4001,
  notRunning: 4400,
  forbidden: 4403,
  conflict: 4409,
  takenOver: 4410,
  upstreamError: 4500,
  unreachable: 4502,
  sessionInUse: 4503,
} as const;
