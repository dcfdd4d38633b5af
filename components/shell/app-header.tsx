import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { can, type TenantRole } from "@/lib/shared/permissions";
import { LanguageSwitcher } from "./language-switcher";
import { SignOutButton } from "./sign-out-button";
import { TenantSwitcher } from "./tenant-switcher";
import { ThemeToggle } from "./theme-toggle";

/** The app shell's top bar (server component). Without `tenant`, only the product and the user. */
export async function AppHeader({ user, tenants, tenant }: {
  user: { displayName: string; username: string; isPlatformAdmin?: boolean };
  tenants?: { name: string; displayName: string }[];
  tenant?: { name: string; role: TenantRole };
}) {
  const t = await getTranslations("Header");
  const tRole = await getTranslations("Roles");
  const tAdmin = await getTranslations("Admin");
  const home = tenant ? `/t/${tenant.name}/vms` : "/";
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/95 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4 sm:px-6">
        <Link href={home} className="flex shrink-0 items-center gap-2 whitespace-nowrap rounded-md text-base font-semibold tracking-tight text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:text-zinc-50">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6 text-blue-600 dark:text-blue-400" fill="currentColor">
            <path d="M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.8 3.8L12 11.9 5.2 8.1 12 4.3ZM5 9.8l6 3.4v6.6l-6-3.3V9.8Zm8 10v-6.6l6-3.4v6.7l-6 3.3Z" />
          </svg>
          {t("product")}
        </Link>
        {tenant && tenants && (
          <>
            <span aria-hidden="true" className="h-6 w-px bg-zinc-200 dark:bg-zinc-800" />
            <TenantSwitcher tenants={tenants} current={tenant.name} />
            <nav aria-label={t("mainNav")} className="hidden shrink-0 md:block">
              <Link href={`/t/${tenant.name}/vms`} className="whitespace-nowrap rounded-md px-2 py-1 text-sm font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-300 dark:hover:bg-zinc-800">
                {t("virtualMachines")}
              </Link>
              <Link href={`/t/${tenant.name}/disks`} className="whitespace-nowrap rounded-md px-2 py-1 text-sm font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-300 dark:hover:bg-zinc-800">
                {t("disks")}
              </Link>
              {can(tenant.role, "audit.read") && (
                <Link href={`/t/${tenant.name}/audit`} className="whitespace-nowrap rounded-md px-2 py-1 text-sm font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-300 dark:hover:bg-zinc-800">
                  {t("auditLog")}
                </Link>
              )}
            </nav>
          </>
        )}
        <div className="ml-auto flex shrink-0 items-center gap-3">
          {user.isPlatformAdmin && (
            <Link href="/admin/tenants" className="whitespace-nowrap rounded-md px-2 py-1 text-sm font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-300 dark:hover:bg-zinc-800">
              {tAdmin("nav")}
            </Link>
          )}
          <LanguageSwitcher />
          <ThemeToggle />
          <span aria-hidden="true" className="h-6 w-px bg-zinc-200 dark:bg-zinc-800" />
          <div className="hidden max-w-40 min-w-0 flex-col text-right leading-tight lg:flex">
            <span className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100" title={user.username}>{user.displayName}</span>
            {tenant && <span className="text-xs text-zinc-500 dark:text-zinc-400">{tRole(tenant.role)}</span>}
          </div>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
