/**
 * Helpers for the integration tests: sign in through next-auth like a browser, call the portal's
 * API with the session cookie, and look at the real cluster and database behind it.
 * Needs PORTAL_URL (set by scripts/test.ts) and the local cluster of HIKUBE_CLUSTER_DIR.
 */
import fs from "node:fs";
import path from "node:path";
import { adminClient, request as adminRequest, type AdminClient } from "../../dev-cluster/kube";

/** Base URL of the running portal, e.g. http://127.0.0.1:40123 */
export const portalUrl = (() => {
  const url = process.env.PORTAL_URL;
  if (!url) throw new Error("PORTAL_URL is not set: run the integration tests through `npm test`");
  return url.replace(/\/$/, "");
})();

/** An answer: status and parsed JSON (or text). */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

/** A signed-in (or anonymous) client of the portal's API. */
export class PortalClient {
  /**
   * @param base the portal it talks to (default: the stack's, {@link portalUrl})
   * @param origin the Origin its requests carry, as from the portal's own pages: `base` by default;
   *   one replica reached directly still expects its public URL's
   */
  constructor(readonly cookie: string, readonly username: string | null, readonly base: string = portalUrl, readonly origin: string = base) {}

  /** The same session talking to another portal address (e.g. one replica), with the same Origin. */
  via(base: string): PortalClient {
    return new PortalClient(this.cookie, this.username, base, this.origin);
  }

  /** Sends a request like the portal's own pages do (same Origin, JSON); the answer carries its headers too. */
  async call<T = any>(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T> & { headers: Headers }> {
    const res = await fetch(this.base + urlPath, {
      method,
      headers: {
        cookie: this.cookie,
        origin: this.origin,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]);
}

/**
 * Signs in with a local account through next-auth's credentials flow (CSRF token, then
 * `POST /api/auth/callback/local`), as the sign-in page does.
 * @param base the portal to sign in through (default: the stack's)
 * @param origin the page's origin the browser would send (default `base`; one replica reached
 *   directly still expects its public URL's)
 * @throws Error when the portal refuses the credentials
 */
export async function signIn(username: string, password: string, base: string = portalUrl, origin: string = base): Promise<PortalClient> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiesOf(csrfRes);
  const res = await fetch(`${base}/api/auth/callback/local`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; "), origin },
    body: new URLSearchParams({ csrfToken, username, password, json: "true", callbackUrl: base }).toString(),
    redirect: "manual",
  });
  const session = cookiesOf(res).find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in refused for ${username} (HTTP ${res.status})`);
  return new PortalClient([...jar, session].join("; "), username, base, origin);
}

/** A client without a session. */
export const anonymous = new PortalClient("", null);

let admin: AdminClient | null = null;

/** An admin connection to the local cluster (system:masters), to look behind the portal. */
export function clusterAdmin(): AdminClient {
  if (!admin) {
    const dir = process.env.HIKUBE_CLUSTER_DIR ?? path.join(process.cwd(), ".local", "cluster");
    const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
    admin = adminClient(path.join(dir, "pki"), state.apiserverPort);
  }
  return admin;
}

/** GET an object as cluster admin; null when it does not exist. */
export async function getObject<T = any>(urlPath: string): Promise<T | null> {
  const res = await adminRequest(clusterAdmin(), "GET", urlPath);
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`GET ${urlPath}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as T;
}

/** Paths of the tenant kinds, for checks behind the portal. */
export const paths = {
  vmInstance: (ns: string, name = "") => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vminstances${name ? `/${name}` : ""}`,
  vmDisk: (ns: string, name = "") => `/apis/apps.cozystack.io/v1alpha1/namespaces/${ns}/vmdisks${name ? `/${name}` : ""}`,
};

/** A unique DNS-1035 VM name for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A well-formed ed25519 public key line. */
export const sampleSshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICwCya3aUe1UjtD3c6DlBrD0jfY1hgXI19BbimEPLGGd alice@laptop";

/** An open live list (Server-Sent Events): its events so far, each with the time it arrived. */
export interface OpenStream {
  events: { event: string; data: any; at: number }[];
  close: () => void;
  /** resolves with the answer's HTTP status */
  ready: Promise<number>;
  /** resolves once the stream has ended (the server closed it, or `close()`) */
  ended: Promise<void>;
  /** which replica answered (HAProxy's X-Hikube-Replica), once `ready` resolved; null without HAProxy */
  replica: string | null;
}

/**
 * Opens a tenant's VM stream (Server-Sent Events) and collects its events, each with the time it
 * arrived, until `close()`. `ready` resolves with the answer's HTTP status.
 */
export function openVmStream(cookie: string, tenant = "acme"): OpenStream {
  return openListStream(cookie, `/api/tenants/${tenant}/vms/events`);
}

/** {@link openVmStream} for a tenant's disk list (`GET /disks?watch=true`). */
export function openDiskStream(cookie: string, tenant = "acme"): OpenStream {
  return openListStream(cookie, `/api/tenants/${tenant}/disks?watch=true`);
}

/**
 * Opens the live list at `path` of the portal and collects its events until `close()`.
 * @param base the portal to open it through (default: the stack's); `ended` resolves when the
 *   server ends the stream, `replica` is HAProxy's X-Hikube-Replica when there is one
 */
export function openListStream(cookie: string, path: string, base: string = portalUrl): OpenStream {
  const controller = new AbortController();
  const events: { event: string; data: any; at: number }[] = [];
  let onEnd: () => void = () => {};
  const ended = new Promise<void>((r) => (onEnd = r));
  const stream: OpenStream = { events, close: () => controller.abort(), ready: null as unknown as Promise<number>, ended, replica: null };
  stream.ready = (async () => {
    const res = await fetch(`${base}${path}`, { headers: { cookie }, signal: controller.signal });
    const status = res.status;
    stream.replica = res.headers.get("x-hikube-replica");
    void (async () => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let sep: number;
          while ((sep = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, sep);
            buffer = buffer.slice(sep + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now() });
          }
        }
      } catch {
        /* aborted */
      }
      onEnd();
    })();
    return status;
  })();
  return stream;
}

/** Polls `probe` every 200 ms until it returns a value; throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The portal's `GET /metrics` in Prometheus' text format (read from loopback, as the tests run).
 * @throws Error when the answer is not 200 text/plain version 0.0.4
 */
export async function scrapeMetrics(): Promise<string> {
  const res = await fetch(`${portalUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  const type = res.headers.get("content-type") ?? "";
  if (!/^text\/plain; version=0\.0\.4/.test(type)) throw new Error(`GET /metrics: content-type ${type}`);
  return res.text();
}

/** The value of one sample (`name{labels} value`) of {@link scrapeMetrics}' text, labels matched exactly; 0 when absent. */
export function metricSample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf("}"));
    const have = Object.fromEntries([...body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return 0;
}
