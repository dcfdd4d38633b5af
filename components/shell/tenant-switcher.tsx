"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useTransition } from "react";
import { compactSelectClass } from "@/components/ui/styles";

/**
 * The tenant picker of the header: lists only the user's tenants and opens the chosen one's VM
 * list.
 */
export function TenantSwitcher({ tenants, current }: { tenants: { name: string; displayName: string }[]; current: string }) {
  const t = useTranslations("Header");
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex min-w-0 items-center gap-2">
      <label htmlFor="tenant-switcher" className="sr-only text-xs font-medium uppercase tracking-wide text-zinc-500 lg:not-sr-only dark:text-zinc-400">
        {t("tenant")}
      </label>
      <select
        id="tenant-switcher"
        className={`${compactSelectClass} max-w-44 min-w-0 lg:max-w-60`}
        value={current}
        aria-busy={pending}
        onChange={(e) => {
          const name = e.target.value;
          startTransition(() => router.push(`/t/${encodeURIComponent(name)}/vms`));
        }}
      >
        {tenants.map((tenant) => (
          <option key={tenant.name} value={tenant.name}>
            {tenant.displayName === tenant.name ? tenant.name : `${tenant.displayName} (${tenant.name})`}
          </option>
        ))}
      </select>
    </div>
  );
}
