/**
 * Which http(s) URLs a disk may be imported from. CDI's importer runs INSIDE the cluster, so a
 * URL is a request the tenant makes from the cluster's network: to its loopback, to the cloud's
 * metadata service, to the Kubernetes API and every Service. Refused by default (422 on the URL's
 * field), by the literal host of the URL:
 *
 * | class            | addresses and names                                                       |
 * |------------------|---------------------------------------------------------------------------|
 * | loopback         | 127.0.0.0/8, ::1, `localhost`, `*.localhost` (RFC 6761)                     |
 * | link-local       | 169.254.0.0/16 (metadata services: 169.254.169.254), fe80::/10              |
 * | unspecified      | 0.0.0.0/8 (0.0.0.0 reaches the local host on Linux), ::                    |
 * | private          | 10/8, 172.16/12, 192.168/16 (RFC 1918), 100.64/10 (shared), fc00::/7, fec0::/10 |
 * | reserved         | multicast 224/4 and ff00::/8, 240/4 and 255.255.255.255, IPv4-compatible ::/96 |
 * | cluster-internal | single-label names (`kubernetes`, `metadata`: the cluster's DNS search path), `*.svc` and any name with a `svc` label after the first (Services under any cluster domain), `*.local` (`cluster.local`, Cozystack's `cozy.local`, mDNS), `*.internal` (`metadata.google.internal`) |
 *
 * Private ranges are refused too: in a cluster the Service and pod networks are private
 * (Cozystack: 10.96.0.0/16 and 10.244.0.0/16), so refusing `kubernetes.default.svc` while accepting
 * `10.96.0.1` would close the door halfway. An on-premise mirror is allowed by name or range.
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`) are
 * judged by that address. Numeric tricks need no rule of their own: the WHATWG URL parser (what
 * `new URL` implements) turns `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` and full-width digits
 * into `127.0.0.1`, lowercases names and decodes percent-escapes; a trailing dot (`localhost.`) is
 * dropped here. The URL stored in the VMDisk is that parsed form ({@link checkImportUrl}'s `url`),
 * so what CDI fetches is what was checked, not another parser's reading of the same string.
 *
 * HIKUBE_IMPORT_ALLOWED_HOSTS (comma-separated) overrides every refusal for what it lists: host
 * names (`mirror.example.internal`), `*.` suffixes (`*.mirror.svc`: its subdomains), IP addresses
 * (`10.0.0.5`, `::1` or `[::1]`) and CIDR ranges (`10.0.0.0/8`). Ports are not part of an entry.
 * Entries that cannot be read are skipped with a warning in the server log.
 *
 * No DNS lookup is made: a public-looking name that resolves to an internal address (or a DNS
 * rebinding service) is for the cluster's egress policy to stop (a NetworkPolicy on CDI's importer
 * pods); the portal checks the literal host.
 */
import { BlockList, isIP } from "node:net";
import { invalidField } from "../errors";
import { logger } from "../logger";

/** Why a host is refused (see the table in the module doc). */
export type RefusedHostClass = "loopback" | "link-local" | "unspecified" | "private" | "reserved" | "cluster-internal";

/** What {@link checkImportUrl} decided. */
export type ImportUrlVerdict =
  /** `url` is the parsed and serialized URL, to store instead of the raw input */
  | { allowed: true; url: string }
  /** `host` is the URL's host as parsed (brackets and trailing dot removed) */
  | { allowed: false; reason: RefusedHostClass; host: string }
  /** not an absolute http:// or https:// URL */
  | { allowed: false; reason: "not-http"; host: null };

type Family = "ipv4" | "ipv6";

function blockList(ranges: [string, number, Family][]): BlockList {
  const list = new BlockList();
  for (const [address, prefix, family] of ranges) list.addSubnet(address, prefix, family);
  return list;
}

/** The address classes, in the order they are tried (the first match names the refusal). */
const addressClasses: [Exclude<RefusedHostClass, "cluster-internal">, BlockList][] = [
  ["unspecified", blockList([["0.0.0.0", 8, "ipv4"], ["::", 128, "ipv6"]])],
  ["loopback", blockList([["127.0.0.0", 8, "ipv4"], ["::1", 128, "ipv6"]])],
  ["link-local", blockList([["169.254.0.0", 16, "ipv4"], ["fe80::", 10, "ipv6"]])],
  ["private", blockList([
    ["10.0.0.0", 8, "ipv4"], ["172.16.0.0", 12, "ipv4"], ["192.168.0.0", 16, "ipv4"], ["100.64.0.0", 10, "ipv4"],
    ["fc00::", 7, "ipv6"], ["fec0::", 10, "ipv6"],
  ])],
  ["reserved", blockList([["224.0.0.0", 4, "ipv4"], ["240.0.0.0", 4, "ipv4"], ["ff00::", 8, "ipv6"], ["::", 96, "ipv6"]])],
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address that the packet ends up reaching. */
const ipv4Carriers = blockList([["::ffff:0:0", 96, "ipv6"], ["64:ff9b::", 96, "ipv6"], ["64:ff9b:1::", 48, "ipv6"]]);

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address, or null. */
export function embeddedIpv4(ipv6: string): string | null {
  if (isIP(ipv6) !== 6 || !ipv4Carriers.check(ipv6, "ipv6")) return null;
  // WHATWG serializes IPv6 as hex groups (`::ffff:7f00:1`); Node's own form may be dotted.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(ipv6);
  if (dotted) return dotted[1];
  const groups = expandIpv6(ipv6);
  const hi = groups[6];
  const lo = groups[7];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
}

/** The eight 16-bit groups of an IPv6 address written in hex groups (with or without `::`). */
function expandIpv6(ipv6: string): number[] {
  const [head, tail] = ipv6.includes("::") ? ipv6.split("::") : [ipv6, undefined];
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  return tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

/** The class of an IP address (IPv4-mapped and NAT64 forms by their IPv4 address), or null when public. */
export function classifyAddress(address: string): Exclude<RefusedHostClass, "cluster-internal"> | null {
  const v4 = embeddedIpv4(address);
  const [ip, family]: [string, Family] = v4 ? [v4, "ipv4"] : [address, isIP(address) === 6 ? "ipv6" : "ipv4"];
  for (const [name, list] of addressClasses) if (list.check(ip, family)) return name;
  return null;
}

/** Whether a host name (lowercase, no trailing dot) is loopback or cluster-internal; null when neither. */
export function classifyName(name: string): "loopback" | "cluster-internal" | null {
  if (name === "localhost" || name.endsWith(".localhost")) return "loopback";
  const labels = name.split(".");
  if (labels.length === 1) return "cluster-internal";
  if (labels.indexOf("svc", 1) > 0) return "cluster-internal";
  const tld = labels[labels.length - 1];
  if (tld === "local" || tld === "internal") return "cluster-internal";
  return null;
}

/** A parsed HIKUBE_IMPORT_ALLOWED_HOSTS. */
interface AllowList {
  addresses: BlockList;
  names: Set<string>;
  /** `.example.org` for an entry `*.example.org` */
  suffixes: string[];
}

let cached: { raw: string; list: AllowList } | null = null;

/** The host of `http://<entry>/` as the URL parser reads it, without brackets or trailing dot. */
function hostOf(entry: string): { host: string; port: string } | null {
  try {
    const u = new URL(`http://${entry}/`);
    if (u.username || u.password || u.pathname !== "/" || u.search || u.hash) return null;
    return { host: bareHost(u.hostname), port: u.port };
  } catch {
    return null;
  }
}

/** `[::1]` → `::1`, `localhost.` → `localhost`. */
function bareHost(hostname: string): string {
  return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname.replace(/\.+$/, "");
}

/**
 * Reads an allow-list (see the module doc for the entry forms).
 * @param raw the setting's value, e.g. `"mirror.svc, 10.0.0.0/8, *.corp.internal"`
 */
export function parseAllowList(raw: string): AllowList {
  const list: AllowList = { addresses: new BlockList(), names: new Set(), suffixes: [] };
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    const skip = (why: string) => logger.warn({ entry, why }, "HIKUBE_IMPORT_ALLOWED_HOSTS: entry skipped");
    const slash = entry.indexOf("/");
    if (slash >= 0) {
      const address = bareHost(entry.slice(0, slash));
      const prefix = Number(entry.slice(slash + 1));
      const family = isIP(address);
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        skip("not a CIDR range such as 10.0.0.0/8");
        continue;
      }
      list.addresses.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
      continue;
    }
    const wildcard = entry.startsWith("*.");
    const parsed = hostOf(wildcard ? entry.slice(2) : isIP(entry) === 6 ? `[${entry}]` : entry);
    if (!parsed || !parsed.host) {
      skip("not a host name, IP address or CIDR range");
      continue;
    }
    if (parsed.port) {
      skip("ports are not part of an entry: name the host only");
      continue;
    }
    const family = isIP(parsed.host);
    if (wildcard && family) skip("a `*.` entry takes a name, not an address");
    else if (wildcard) list.suffixes.push(`.${parsed.host}`);
    else if (family) list.addresses.addAddress(parsed.host, family === 4 ? "ipv4" : "ipv6");
    else list.names.add(parsed.host);
  }
  return list;
}

function isAllowListed(host: string, list: AllowList): boolean {
  const family = isIP(host);
  if (family) {
    const v4 = embeddedIpv4(host);
    return list.addresses.check(host, family === 4 ? "ipv4" : "ipv6") || (v4 !== null && list.addresses.check(v4, "ipv4"));
  }
  return list.names.has(host) || list.suffixes.some((s) => host.endsWith(s));
}

/**
 * Decides whether a disk may be imported from `raw`.
 * @param raw the URL as the user gave it
 * @param allowedHosts the allow-list; HIKUBE_IMPORT_ALLOWED_HOSTS by default
 */
export function checkImportUrl(raw: string, allowedHosts = process.env.HIKUBE_IMPORT_ALLOWED_HOSTS ?? ""): ImportUrlVerdict {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { allowed: false, reason: "not-http", host: null };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return { allowed: false, reason: "not-http", host: null };
  const host = bareHost(u.hostname);
  if (cached?.raw !== allowedHosts) cached = { raw: allowedHosts, list: parseAllowList(allowedHosts) };
  if (isAllowListed(host, cached.list)) return { allowed: true, url: u.href };
  const reason = isIP(host) ? classifyAddress(host) : classifyName(host);
  return reason ? { allowed: false, reason, host } : { allowed: true, url: u.href };
}

/** Each class as the `hostClass` of messages/*.json `Validation.importHostRefused` (ICU select keys take no '-'). */
const messageClass: Record<RefusedHostClass, string> = {
  loopback: "loopback",
  "link-local": "linkLocal",
  unspecified: "unspecified",
  private: "private",
  reserved: "reserved",
  "cluster-internal": "clusterInternal",
};

/**
 * Checks an import URL before anything is created, for a route's input field.
 * @param raw the URL as the user gave it
 * @param field the input field it came from, e.g. `source.http.url`
 * @returns the URL to store (parsed and serialized; see the module doc)
 * @throws AppError invalid (422) on `field`, with `details: { reason, host }` ({@link RefusedHostClass})
 */
export function assertImportUrlAllowed(raw: string, field: string): string {
  const verdict = checkImportUrl(raw);
  if (verdict.allowed) return verdict.url;
  if (verdict.reason === "not-http") throw invalidField(field, "httpUrl");
  const host = verdict.host.length > 100 ? `${verdict.host.slice(0, 100)}…` : verdict.host;
  throw invalidField(field, "importHostRefused", { hostClass: messageClass[verdict.reason], host }, { details: { reason: verdict.reason, host } });
}
