import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { can, type TenantRole } from "@/lib/shared/permissions";
import { HeaderMenu } from "./header-menu";
import { LanguageSwitcher } from "./language-switcher";
import { SignOutButton } from "./sign-out-button";
import { StickyHeader } from "./sticky-header";
import { TenantSwitcher } from "./tenant-switcher";
import { ThemeToggle } from "./theme-toggle";

const barLink =
  "whitespace-nowrap rounded-md px-2 py-1 text-sm font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-300 dark:hover:bg-zinc-800";
const menuLink =
  "block rounded-md px-3 py-2.5 text-base font-medium text-zinc-800 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-100 dark:hover:bg-zinc-800";
const divider = "h-6 w-px bg-zinc-200 dark:bg-zinc-800";

/**
 * The app shell's top bar (server component). Without `tenant`, only the product and the user;
 * with `section="admin"`, the platform admin's navigation (tenants, audit log) instead of the
 * tenant's.
 *
 * From `md` (768 px) up, everything is in the bar, which wraps onto a second row rather than
 * squeezing its items into each other when they do not fit (French labels are longer). Below it,
 * the bar holds the product and a menu button ({@link HeaderMenu}) whose panel has the same
 * destinations; each set is rendered once per layout and hidden (`display: none`, so out of the
 * accessibility tree) where the other one is in use.
 */
export async function AppHeader({ user, tenants, tenant, section }: {
  user: { displayName: string; username: string; isPlatformAdmin?: boolean };
  tenants?: { name: string; displayName: string }[];
  tenant?: { name: string; role: TenantRole };
  section?: "admin";
}) {
  const t = await getTranslations("Header");
  const tRole = await getTranslations("Roles");
  const tAdmin = await getTranslations("Admin");
  const home = tenant ? `/t/${tenant.name}/vms` : "/";
  const nav = tenant
    ? {
        label: t("mainNav"),
        links: [
          { href: `/t/${tenant.name}/vms`, label: t("virtualMachines") },
          { href: `/t/${tenant.name}/disks`, label: t("disks") },
          ...(can(tenant.role, "backup.read") ? [{ href: `/t/${tenant.name}/backups`, label: t("backups") }] : []),
          { href: `/t/${tenant.name}/metrics`, label: t("metrics") },
          ...(can(tenant.role, "audit.read") ? [{ href: `/t/${tenant.name}/audit`, label: t("auditLog") }] : []),
        ],
      }
    : section === "admin"
      ? {
          label: tAdmin("nav"),
          links: [
            { href: "/admin/tenants", label: tAdmin("tenantsNav") },
            { href: "/admin/audit", label: tAdmin("auditNav") },
          ],
        }
      : null;
  const picker = tenant && tenants ? { tenants, current: tenant.name } : null;
  const role = tenant ? tRole(tenant.role) : null;

  return (
    <StickyHeader>
      <div className="mx-auto flex min-h-14 max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2.5 sm:px-6">
        <Link href={home} className="flex shrink-0 items-center gap-2 whitespace-nowrap rounded-md text-base font-semibold tracking-tight text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:text-zinc-50">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6 text-blue-600 dark:text-blue-400" fill="currentColor">
            <path d="M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.8 3.8L12 11.9 5.2 8.1 12 4.3ZM5 9.8l6 3.4v6.6l-6-3.3V9.8Zm8 10v-6.6l6-3.4v6.7l-6 3.3Z" />
          </svg>
          {t("product")}
        </Link>

        {/* The wide bar (md and up) */}
        {picker && (
          <div className="hidden items-center gap-4 md:flex">
            <span aria-hidden="true" className={divider} />
            <TenantSwitcher tenants={picker.tenants} current={picker.current} />
          </div>
        )}
        {nav && (
          <nav aria-label={nav.label} className="hidden md:block">
            <ul className="flex flex-wrap items-center gap-1">
              {nav.links.map((link) => (
                <li key={link.href}><Link href={link.href} className={barLink}>{link.label}</Link></li>
              ))}
            </ul>
          </nav>
        )}
        <div className="ml-auto hidden flex-wrap items-center justify-end gap-3 md:flex">
          {user.isPlatformAdmin && <Link href="/admin/tenants" className={barLink}>{tAdmin("nav")}</Link>}
          <LanguageSwitcher />
          <ThemeToggle />
          <span aria-hidden="true" className={divider} />
          <div className="hidden max-w-40 min-w-0 flex-col text-right leading-tight lg:flex">
            <span className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100" title={user.username}>{user.displayName}</span>
            {role && <span className="text-xs text-zinc-500 dark:text-zinc-400">{role}</span>}
          </div>
          <SignOutButton />
        </div>

        {/* The phone menu (below md) */}
        <HeaderMenu label={t("menu")}>
          <div className="space-y-4 py-4">
            {picker && <TenantSwitcher tenants={picker.tenants} current={picker.current} stacked />}
            {nav && (
              <nav aria-label={nav.label}>
                <ul className="space-y-1">
                  {nav.links.map((link) => (
                    <li key={link.href}><Link href={link.href} className={menuLink}>{link.label}</Link></li>
                  ))}
                </ul>
              </nav>
            )}
            {user.isPlatformAdmin && <Link href="/admin/tenants" className={menuLink}>{tAdmin("nav")}</Link>}
            <div className="flex flex-wrap items-center gap-3">
              <LanguageSwitcher />
              <ThemeToggle />
            </div>
            <div className="flex flex-wrap items-center justify-between gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
              <div className="min-w-0 leading-tight">
                <p className="text-sm font-medium break-all text-zinc-900 dark:text-zinc-100">{user.displayName}</p>
                {role && <p className="text-xs text-zinc-500 dark:text-zinc-400">{role}</p>}
              </div>
              <SignOutButton />
            </div>
          </div>
        </HeaderMenu>
      </div>
    </StickyHeader>
  );
}
