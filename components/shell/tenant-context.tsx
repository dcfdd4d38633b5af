"use client";

import { createContext, useContext, type ReactNode } from "react";
import { can, type Permission, type TenantRole } from "@/lib/shared/permissions";

/** The tenant a page works in and the user's level there (resolved by the server layout). */
export interface TenantInfo {
  name: string;
  displayName: string;
  role: TenantRole;
}

const TenantContext = createContext<TenantInfo | null>(null);

/** Provides the current tenant to the client components of `/t/[tenant]/**`. */
export function TenantProvider({ tenant, children }: { tenant: TenantInfo; children: ReactNode }) {
  return <TenantContext.Provider value={tenant}>{children}</TenantContext.Provider>;
}

/**
 * The current tenant and a permission check bound to the user's role there.
 * @throws Error outside a {@link TenantProvider}
 */
export function useTenant(): TenantInfo & { can: (permission: Permission) => boolean } {
  const tenant = useContext(TenantContext);
  if (!tenant) throw new Error("useTenant() needs a <TenantProvider> (app/t/[tenant]/layout.tsx)");
  return { ...tenant, can: (permission) => can(tenant.role, permission) };
}
