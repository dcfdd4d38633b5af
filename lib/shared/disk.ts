/**
 * Disk shapes shared by the browser and the server: the create and grow inputs (zod), the list
 * rows and the quick picks of the product documents. Field names follow the Cozystack VMDisk
 * schema (../shared/spec/cozystack/vm-disk.values.schema.json): at most one `source` of `http`,
 * `image`, `disk` (clone) or `upload`, none for a blank disk; `optical`; `storage` (a quantity);
 * `storageClass` (immutable after create).
 */
import { z } from "zod";
import { formatBytes, parseQuantity, quantityPattern } from "./quantity";
import { problem } from "./api-errors";
import { diskNameMaxLength, dns1035Pattern, type VmEditableSpec, type VmOverview, type VmSummary } from "./vm";

/** The sources of a VMDisk, in the order the form offers them; `blank` is "no source". */
export const diskSourceTypes = ["http", "image", "disk", "upload", "blank"] as const;

/** One of {@link diskSourceTypes}. */
export type DiskSourceType = (typeof diskSourceTypes)[number];

/** The storage class a disk gets when none is named (Cozystack's default). */
export const defaultStorageClass = "replicated";

/** The default size of a new disk (the schema's default). */
export const defaultDiskStorage = "5Gi";

const dnsName = (what: "image" | "disk") =>
  z.string().min(1, problem("required")).regex(dns1035Pattern, problem("notValidName", { what }));

/** A disk name: a DNS-1035 label of at most 45 characters (53 minus `vm-disk-`). */
export const diskNameSchema = z
  .string()
  .min(1, problem("required"))
  .max(diskNameMaxLength, problem("maxChars"))
  .regex(dns1035Pattern, problem("dnsLabel"));

/**
 * An http:// or https:// URL (CDI's http source takes nothing else). Its host is checked on the
 * server, which knows the allow-list (lib/server/disks/import-url-policy.ts).
 */
export const httpUrlSchema = z
  .string()
  .trim()
  .min(1, problem("required"))
  .refine((u) => {
    try {
      return /^https?:$/.test(new URL(u).protocol);
    } catch {
      return false;
    }
  }, problem("httpUrl"));

/** A positive size with units, e.g. `20Gi` (a Kubernetes quantity). */
export const storageSchema = z
  .string()
  .trim()
  .regex(quantityPattern, problem("sizeLike", { example: "20Gi" }))
  .refine((q) => quantityPattern.test(q) && parseQuantity(q) >= 1, problem("positiveSize"));

/**
 * Input of `POST /api/tenants/{tenant}/disks`. `source` has at most one key (the schema's rule);
 * two at once is refused on field `source`.
 */
export const createDiskSchema = z
  .object({
    name: diskNameSchema,
    source: z
      .object({
        http: z.object({ url: httpUrlSchema }).strict().optional(),
        image: z.object({ name: dnsName("image") }).strict().optional(),
        disk: z.object({ name: dnsName("disk") }).strict().optional(),
        upload: z.object({}).strict().optional(),
      })
      .strict()
      .default({})
      .superRefine((source, ctx) => {
        const given = Object.keys(source).filter((k) => source[k as keyof typeof source] !== undefined);
        if (given.length > 1) {
          ctx.addIssue({ code: "custom", message: problem("oneSource", { given }) });
        }
      }),
    optical: z.boolean().default(false),
    storage: storageSchema.default(defaultDiskStorage),
    storageClass: z.string().trim().min(1, problem("required"))
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, problem("notValidName", { what: "storageClass" })).default(defaultStorageClass),
  })
  .strict();

/** Parsed input of a disk create. */
export type CreateDiskInput = z.infer<typeof createDiskSchema>;
/** Raw input of a disk create, as the form sends it. */
export type CreateDiskRequest = z.input<typeof createDiskSchema>;

/**
 * Input of `PATCH /api/tenants/{tenant}/disks/{name}`: a new, larger size. The storage class is
 * immutable (the schema's `self == oldSelf` rule), so naming it is refused on its field.
 */
export const growDiskSchema = z
  .object({ storage: storageSchema, storageClass: z.unknown().optional() })
  .superRefine((input, ctx) => {
    if (input.storageClass !== undefined) ctx.addIssue({ code: "custom", path: ["storageClass"], message: problem("immutable") });
  })
  .transform(({ storage }) => ({ storage }));

/** Parsed input of a disk grow. */
export type GrowDiskInput = z.infer<typeof growDiskSchema>;

/** The type of a VMDisk's `spec.source`, `blank` when it has none. */
export function sourceTypeOf(source: { http?: unknown; image?: unknown; disk?: unknown; upload?: unknown } | undefined): DiskSourceType {
  if (source?.http) return "http";
  if (source?.image) return "image";
  if (source?.disk) return "disk";
  if (source?.upload) return "upload";
  return "blank";
}

/** One row of the disk list. */
export interface DiskSummary {
  name: string;
  /** the VMDisk's `spec.storage`, e.g. "20Gi" */
  storage: string;
  /** {@link storage} in bytes */
  storageBytes: number;
  storageClass: string;
  source: { type: DiskSourceType; /** the URL, image or cloned disk name; absent for upload and blank */ detail?: string };
  optical: boolean;
  /** DataVolume `status.phase` (ImportInProgress, Succeeded, Failed, UploadReady…); "Pending" before the DataVolume exists */
  phase: string;
  /** DataVolume `status.progress` as a number 0–100, or null when CDI says "N/A" or nothing */
  progress: number | null;
  /** why an import failed or is retrying (the DataVolume's Running condition message) */
  message?: string;
  /** DataVolume `status.restartCount`: failed attempts retried so far */
  restartCount?: number;
  /** the VMInstance whose `spec.disks` names this disk, or null */
  attachedTo: string | null;
  /** ISO 8601 */
  createdAt: string;
  /** The VMDisk's resourceVersion. */
  resourceVersion: string;
}

/** The StorageClasses a disk may use (from the cluster). */
export interface StorageClassInfo {
  name: string;
  isDefault: boolean;
  description?: string;
}

/**
 * Reads CDI's progress text ("45.23%") as a number; null for "N/A", empty or unreadable.
 * Source: kubevirt/containerized-data-importer DataVolumeStatus.Progress.
 */
export function parseProgress(progress: string | undefined): number | null {
  const m = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(progress?.trim() ?? "");
  return m ? Math.min(100, Number(m[1])) : null;
}

/** A ready-made HTTP(S) image of the product documents (003, "Images OS courantes"). */
export interface QuickPick {
  id: string;
  label: string;
  url: string;
  /** the smallest disk it fits on, a quantity */
  minStorage: string;
}

/**
 * The documented cloud images. URLs from the API reference (003). The documents give no sizes:
 * each minimum is the image's virtual disk size (what `qemu-img info` reports for the file at that
 * URL) rounded up to whole GiB, or the vendor's stated minimum where it is larger (CentOS Stream,
 * Rocky: 10 GiB; Talos: 10 GiB ephemeral partition).
 */
export const quickPicks: readonly QuickPick[] = [
  { id: "ubuntu-24.04", label: "Ubuntu 24.04 LTS", url: "https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img", minStorage: "4Gi" },
  { id: "ubuntu-22.04", label: "Ubuntu 22.04 LTS", url: "https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img", minStorage: "3Gi" },
  { id: "centos-stream-9", label: "CentOS Stream 9", url: "https://cloud.centos.org/centos/9-stream/x86_64/images/CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2", minStorage: "10Gi" },
  { id: "rocky-9", label: "Rocky Linux 9", url: "https://download.rockylinux.org/pub/rocky/9/images/x86_64/Rocky-9-GenericCloud.latest.x86_64.qcow2", minStorage: "10Gi" },
  { id: "fedora-40", label: "Fedora 40 Cloud", url: "https://download.fedoraproject.org/pub/fedora/linux/releases/40/Cloud/x86_64/images/Fedora-Cloud-Base-Generic.x86_64-40-1.14.qcow2", minStorage: "5Gi" },
  { id: "alpine-3.20", label: "Alpine 3.20", url: "https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/cloud/nocloud_alpine-3.20.2-x86_64-bios-tiny-r0.qcow2", minStorage: "1Gi" },
  { id: "cirros-0.6.2", label: "Cirros 0.6.2", url: "https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img", minStorage: "1Gi" },
  { id: "talos-1.7.6", label: "Talos Linux 1.7.6", url: "https://github.com/siderolabs/talos/releases/download/v1.7.6/nocloud-amd64.raw.xz", minStorage: "10Gi" },
];

/** The quick pick whose URL is `url`, if any. */
export function quickPickOfUrl(url: string): QuickPick | undefined {
  return quickPicks.find((p) => p.url === url.trim());
}

/** "10 GiB" for a quantity, for messages. */
export function formatStorage(quantity: string): string {
  return formatBytes(parseQuantity(quantity));
}

/** A disk a VM names that does not exist (deleted behind the portal's back). */
export interface MissingDisk {
  name: string;
  missing: true;
}

/** One disk of a VM page, with its place in the boot order (1 boots) and its bus if set. */
export type VmDisk = (DiskSummary | MissingDisk) & { bootOrder: number; bus?: string };

/** `GET /api/tenants/{tenant}/vms/{name}`: the VM and its disks in boot order. */
export interface VmDetail {
  vm: VmSummary;
  disks: VmDisk[];
  /** the Overview tab (lib/server/vms/overview.ts) */
  overview: VmOverview;
  /** the editable fields as stored, for the edit form (lib/server/vms/spec.ts `toEditableSpec`) */
  spec: VmEditableSpec;
}
