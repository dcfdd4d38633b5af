/**
 * As-you-type checks of the create form, as message keys (translated by the form) rather than
 * English strings. They mirror `createVmSchema` (lib/shared/vm.ts), which the form still runs last
 * so client and server never disagree silently.
 */
import { quantityPattern } from "@/lib/shared/quantity";
import { checkCloudInit, dns1035Pattern, sshKeyPattern, vmNameMaxLength } from "@/lib/shared/vm";

/** The form's fields, in page order (the first invalid one gets the focus). */
export const formFields = ["name", "runStrategy", "instanceType", "profile", "image", "url", "size", "sshKeys", "external", "ports", "cloudInit"] as const;

/** One field of the form. */
export type FieldId = (typeof formFields)[number];

/** A problem: a message key of `CreateVm.errors` and its values, or a raw text (from a library). */
export type Problem = { key: string; values?: Record<string, string | number> };

/** The reason a VM name is refused, or null. */
export function checkName(name: string): Problem | null {
  if (name === "") return { key: "nameRequired" };
  if (name.length > vmNameMaxLength) return { key: "nameTooLong", values: { max: vmNameMaxLength, length: name.length } };
  if (!/^[a-z]/.test(name)) return { key: "nameStart" };
  const bad = Array.from(new Set(name.replace(/[-a-z0-9]/g, "").split(""))).join(" ");
  if (bad) return { key: "nameChars", values: { chars: bad } };
  if (name.endsWith("-")) return { key: "nameEnd" };
  if (!dns1035Pattern.test(name)) return { key: "nameChars", values: { chars: name } };
  return null;
}

/** The reason an image URL is refused, or null. */
export function checkUrl(url: string): Problem | null {
  const text = url.trim();
  if (text === "") return { key: "urlRequired" };
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { key: "urlInvalid" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { key: "urlProtocol" };
  return null;
}

/** The reason a disk size is refused, or null. */
export function checkSize(size: string): Problem | null {
  return quantityPattern.test(size.trim()) && !size.trim().startsWith("-") ? null : { key: "sizeInvalid" };
}

/** The SSH keys of the textarea (one per non-empty line) with their line numbers. */
export function parseSshKeys(text: string): { keys: string[]; lines: number[] } {
  const keys: string[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "") return;
    keys.push(trimmed);
    lines.push(i + 1);
  });
  return { keys, lines };
}

/** The first SSH key line that is not an OpenSSH public key, or null. */
export function checkSshKeys(text: string): Problem | null {
  const { keys, lines } = parseSshKeys(text);
  if (keys.length > 32) return { key: "sshTooMany", values: { max: 32 } };
  const bad = keys.findIndex((k) => !sshKeyPattern.test(k));
  return bad === -1 ? null : { key: "sshKeyInvalid", values: { line: lines[bad] } };
}

/** Cloud-init problems of {@link checkCloudInit}, as the form's own message keys. */
export function checkCloudInitText(text: string): Problem | null {
  const found = checkCloudInit(text);
  if (!found) return null;
  const { problem, params } = found;
  if (problem === "cloudInitStart" || problem === "cloudInitMapping") return { key: problem };
  // The yaml library repeats the position at the end of its message: keep it once.
  const detail = String(params.detail ?? "").replace(/\s*at line \d+, column \d+:?\s*$/, "");
  if (problem === "cloudInitYamlAt") return { key: "cloudInitYamlAt", values: { line: Number(params.line), column: Number(params.column), detail } };
  return { key: "cloudInitYaml", values: { detail } };
}

/** The ports of the comma-separated list, or the first problem. */
export function parsePorts(text: string): { ports: number[]; problem: Problem | null } {
  const items = text.split(/[\s,;]+/).filter(Boolean);
  if (items.length === 0) return { ports: [], problem: { key: "portsRequired" } };
  const ports: number[] = [];
  for (const item of items) {
    const n = /^\d+$/.test(item) ? Number(item) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) return { ports: [], problem: { key: "portInvalid", values: { value: item } } };
    if (!ports.includes(n)) ports.push(n);
  }
  if (ports.length > 64) return { ports: [], problem: { key: "portsTooMany", values: { max: 64 } } };
  return { ports, problem: null };
}

/**
 * The form field of a server (or schema) error path, e.g. `rootDisk.source.url` → `url`,
 * `sshKeys.2` → `sshKeys`; null when no field matches.
 */
export function fieldOfPath(path: string | undefined): FieldId | null {
  if (!path) return null;
  if (path === "name") return "name";
  if (path === "instanceType") return "instanceType";
  if (path === "instanceProfile") return "profile";
  if (path === "rootDisk.source.url") return "url";
  if (path.startsWith("rootDisk.source")) return "image";
  if (path.startsWith("rootDisk.storage")) return "size";
  if (path.startsWith("sshKeys")) return "sshKeys";
  if (path.startsWith("cloudInit")) return "cloudInit";
  if (path.startsWith("externalPorts")) return "ports";
  if (path === "external") return "external";
  if (path === "runStrategy") return "runStrategy";
  return null;
}
