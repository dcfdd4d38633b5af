import { z } from "zod";
import { Reply, tenantRoute } from "@/lib/server/gate";
import { createDisk, listDisks } from "@/lib/server/disks/disks";
import { diskEventStream } from "@/lib/server/disks/stream";
import { createDiskSchema } from "@/lib/shared/disk";

export const dynamic = "force-dynamic";

const listQuery = z.object({ watch: z.enum(["true", "false", "1", "0"]).optional() });

/**
 * GET /api/tenants/{tenant}/disks → DiskSummary[]; with `?watch=true` a text/event-stream of the
 * same list (see lib/server/disks/stream.ts). A query flag rather than a `/disks/events` path, so
 * that no disk name can collide with the stream's URL (as in the Kubernetes API's own `?watch=1`).
 */
export const GET = tenantRoute({ permission: "disk.read", input: listQuery }, async ({ access, input, req }) =>
  input.watch === "true" || input.watch === "1" ? diskEventStream(access, req.signal) : listDisks(access));

/** POST /api/tenants/{tenant}/disks (CreateDiskRequest) → 201 DiskSummary; 422 names the field. */
export const POST = tenantRoute(
  { permission: "disk.create", input: createDiskSchema, audit: { action: "disk.create", targetKind: "VMDisk" } },
  async ({ access, input, audit }) => {
    audit.targetName = input.name;
    return new Reply(201, await createDisk(access, input));
  },
);
