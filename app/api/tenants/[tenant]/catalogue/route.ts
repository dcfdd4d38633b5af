import { tenantRoute } from "@/lib/server/gate";
import { getCatalogue } from "@/lib/server/vms/catalogue";

/** GET /api/tenants/{tenant}/catalogue → instance types, OS profiles and golden images. */
export const GET = tenantRoute({ permission: "catalogue.read" }, async ({ access }) => getCatalogue(access.identity));
