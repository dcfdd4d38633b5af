import { adminRoute } from "@/lib/server/gate";
import { removeMember, updateMember } from "@/lib/server/admin/admin";
import { updateMemberSchema } from "@/lib/shared/admin";

/** PATCH /api/admin/tenants/{tenant}/members/{username} `{ level }` → AdminMember. */
export const PATCH = adminRoute(
  { input: updateMemberSchema, audit: { action: "member.update", targetKind: "Membership" } },
  async ({ input, params }) => updateMember(params.tenant, params.username, input.level),
);

/** DELETE /api/admin/tenants/{tenant}/members/{username} → `{ removed }`. */
export const DELETE = adminRoute(
  { audit: { action: "member.delete", targetKind: "Membership" } },
  async ({ params }) => {
    await removeMember(params.tenant, params.username);
    return { removed: params.username };
  },
);
