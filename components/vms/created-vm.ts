/**
 * The VM the create form has just made, handed to the VM list the form navigates to, so that the
 * list can put the focus on the new VM's row (the form, and the focus with it, is gone). A module
 * variable is enough: the form navigates on the client (router.push), the page is not reloaded.
 */
let created: { tenant: string; name: string } | null = null;

/** Records the VM just created in `tenant`, for {@link takeCreatedVm}. */
export function rememberCreatedVm(tenant: string, name: string): void {
  created = { tenant, name };
}

/** The VM just created in `tenant` (once: it is forgotten), or null. */
export function takeCreatedVm(tenant: string): string | null {
  if (created?.tenant !== tenant) return null;
  const { name } = created;
  created = null;
  return name;
}
