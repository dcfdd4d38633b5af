/**
 * Shapes of the platform admin's API (`/api/admin/**`), shared by the browser and the server:
 * input schemas (zod; errors name the field) and answer types. Tenant names match
 * `^[a-z][a-z0-9]*$` (Cozystack's tenant names; the namespace is `tenant-<name>`).
 */
import { z } from "zod";
import { problem } from "./api-errors";
import { tenantRoles, type TenantRole } from "./permissions";
import { quotaAmountsSchema, type QuotaAmounts, type QuotaExcess } from "./quota";

/** Tenant names: a lowercase letter, then lowercase letters and digits (no '-': it separates the level in group names). */
export const tenantNamePattern = /^[a-z][a-z0-9]*$/;

/** Longest tenant name: `tenant-<name>` and `tenant-<name>-super-admin` must stay valid object names. */
export const tenantNameMaxLength = 40;

const displayName = z.string().trim().min(1, problem("required")).max(100, problem("maxChars"));

/** Input of `POST /api/admin/tenants`. */
export const createTenantSchema = z.object({
  name: z.string().min(1, problem("required")).max(tenantNameMaxLength, problem("maxChars"))
    .regex(tenantNamePattern, problem("tenantNameFormat")),
  displayName,
  quota: quotaAmountsSchema,
});
/** Parsed input of a tenant create. */
export type CreateTenantInput = z.infer<typeof createTenantSchema>;

/** Input of `PATCH /api/admin/tenants/{tenant}`. */
export const updateTenantSchema = z.object({ displayName });

/** Query of `DELETE /api/admin/tenants/{tenant}`: the admin types the tenant's name to confirm. */
export const deleteTenantSchema = z.object({ confirm: z.string().min(1, problem("confirmRequired")) });

/** Input of `PUT /api/admin/tenants/{tenant}/quota`. */
export const updateQuotaSchema = quotaAmountsSchema.extend({
  /** must be true to save limits below the current usage (the answer lists what is over otherwise) */
  confirmOverUsage: z.boolean().default(false),
});
/** Parsed input of a quota edit. */
export type UpdateQuotaInput = z.infer<typeof updateQuotaSchema>;

const level = z.enum(tenantRoles, { message: problem("oneOf", { values: tenantRoles.join(", ") }) });

/** Input of `POST /api/admin/tenants/{tenant}/members`: an existing account, or a new local one (with a password). */
export const addMemberSchema = z.object({
  username: z.string().trim().min(1, problem("required")).max(64, problem("maxChars"))
    .regex(/^[a-z0-9][a-z0-9._-]*$/, problem("usernameFormat")),
  level,
  /** for a new account only */
  displayName: displayName.optional(),
  /** for a new account only: at least 8 characters */
  password: z.string().min(8, problem("minChars")).max(200).optional(),
});
/** Parsed input of a member add. */
export type AddMemberInput = z.infer<typeof addMemberSchema>;

/** Input of `PATCH /api/admin/tenants/{tenant}/members/{username}`. */
export const updateMemberSchema = z.object({ level });

/** A tenant in the admin's list. */
export interface AdminTenant {
  name: string;
  displayName: string;
  namespace: string;
  /** ISO 8601 */
  createdAt: string;
  memberCount: number;
  /** null when the tenant has no quota row */
  quota: QuotaAmounts | null;
}

/** A local account's membership in a tenant. */
export interface AdminMember {
  username: string;
  displayName: string;
  level: TenantRole;
  /** "local": managed here; OIDC users' levels come from their groups and are not listed */
  source: "local";
}

/** Details of a 409 answer to a quota edit below usage. */
export interface QuotaOverUsageDetails {
  over: QuotaExcess[];
}
