import { tenantRoute } from "@/lib/server/gate";
import { listStorageClasses } from "@/lib/server/disks/disks";

/** GET /api/tenants/{tenant}/storageclasses → StorageClassInfo[] (the cluster's, default first). */
export const GET = tenantRoute({ permission: "disk.read" }, async () => listStorageClasses());
