import { tenantRoute } from "@/lib/server/gate";
import { uploadDisk } from "@/lib/server/disks/upload";

export const dynamic = "force-dynamic";

/**
 * POST /api/tenants/{tenant}/disks/{name}/upload, body: the raw file (application/octet-stream)
 * → `{ bytes }` once CDI's upload proxy has it (see lib/server/disks/upload.ts). The body is
 * streamed to the proxy, never buffered. 409 when the disk is not an upload disk or not ready; the
 * browser's cancel cuts the upstream upload and the disk is ready for another try.
 */
export const POST = tenantRoute(
  { permission: "disk.create", streamBody: true, audit: { action: "disk.upload", targetKind: "VMDisk" } },
  async ({ access, params, req }) => {
    const length = req.headers.get("content-length");
    return uploadDisk(access, params.name, req.body, length && /^\d+$/.test(length) ? Number(length) : null, req.signal);
  },
);
