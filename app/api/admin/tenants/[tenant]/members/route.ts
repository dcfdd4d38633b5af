import { Reply, adminRoute } from "@/lib/server/gate";
import { addMember, listMembers } from "@/lib/server/admin/admin";
import { addMemberSchema } from "@/lib/shared/admin";

/** GET /api/admin/tenants/{tenant}/members → AdminMember[] (local accounts). */
export const GET = adminRoute({ audit: { action: "member.list", targetKind: "Membership" } }, async ({ params }) => listMembers(params.tenant));

/** POST /api/admin/tenants/{tenant}/members (AddMemberInput) → 201 AdminMember; creates the local account when new. */
export const POST = adminRoute(
  {
    input: addMemberSchema,
    audit: { action: "member.create", targetKind: "Membership" },
    // never the password
    summarize: ({ password, ...rest }) => ({ ...rest, newAccount: Boolean(password) }),
  },
  async ({ input, params, audit }) => {
    audit.targetName = input.username;
    return new Reply(201, await addMember(params.tenant, input));
  },
);
