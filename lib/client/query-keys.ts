/**
 * The query-key factory: every React Query key of the portal is built here, never by hand, so
 * invalidations and cache patches (watch events) always hit the right entries.
 */

/** Keys of the tenant list. */
export const tenantKeys = {
  all: ["tenants"] as const,
  list: () => [...tenantKeys.all, "list"] as const,
};

/** Keys of a tenant's VMs. */
export const vmKeys = {
  all: ["vms"] as const,
  tenant: (tenant: string) => [...vmKeys.all, tenant] as const,
  /** the VM list, patched by the live stream */
  list: (tenant: string) => [...vmKeys.tenant(tenant), "list"] as const,
  /** one VM with its disks (the VM page) */
  detail: (tenant: string, name: string) => [...vmKeys.tenant(tenant), "detail", name] as const,
  /** one VM's events (the VM page's Events tab) */
  events: (tenant: string, name: string) => [...vmKeys.tenant(tenant), "events", name] as const,
  /** one VM as YAML with its spec's schema (the VM page's YAML tab) */
  yaml: (tenant: string, name: string) => [...vmKeys.tenant(tenant), "yaml", name] as const,
  /** one graph of one VM over a range (the VM page's Metrics tab) */
  metrics: (tenant: string, name: string, graph: string, range: string) => [...vmKeys.tenant(tenant), "metrics", name, graph, range] as const,
};

/** Keys of a tenant's own metrics (the tenant's Metrics page). */
export const tenantMetricsKeys = {
  all: ["tenant-metrics"] as const,
  range: (tenant: string, range: string) => [...tenantMetricsKeys.all, tenant, range] as const,
};

/** Keys of a tenant's disks. */
export const diskKeys = {
  all: ["disks"] as const,
  tenant: (tenant: string) => [...diskKeys.all, tenant] as const,
  /** the disk list, patched by the live stream */
  list: (tenant: string) => [...diskKeys.tenant(tenant), "list"] as const,
  /** the cluster's StorageClasses, as this tenant sees them */
  storageClasses: (tenant: string) => [...diskKeys.tenant(tenant), "storageclasses"] as const,
};

/** Keys of a tenant's catalogue (instance types, OS profiles, golden images). */
export const catalogueKeys = {
  all: ["catalogue"] as const,
  detail: (tenant: string) => [...catalogueKeys.all, tenant] as const,
};

/** Keys of a tenant's quota (limits and usage). */
export const quotaKeys = {
  all: ["quota"] as const,
  detail: (tenant: string) => [...quotaKeys.all, tenant] as const,
};

/** Keys of the platform admin's pages. */
export const adminKeys = {
  all: ["admin"] as const,
  tenants: () => [...adminKeys.all, "tenants"] as const,
  quota: (tenant: string) => [...adminKeys.all, "quota", tenant] as const,
  members: (tenant: string) => [...adminKeys.all, "members", tenant] as const,
};

/** Keys of audit log pages. */
export const auditKeys = {
  all: ["audit"] as const,
  page: (query: string) => [...auditKeys.all, query] as const,
};

/** Keys of a tenant's backups (Backups, BackupJobs, Plans, RestoreJobs). */
export const backupKeys = {
  all: ["backups"] as const,
  tenant: (tenant: string) => [...backupKeys.all, tenant] as const,
  /** the tenant's Backups page (`vm` undefined) or one VM's Backups tab */
  overview: (tenant: string, vm?: string) => [...backupKeys.tenant(tenant), vm ?? "*"] as const,
};
