"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useTransition } from "react";
import { compactSelectClass } from "@/components/ui/styles";

/**
 * The tenant picker of the header: lists only the user's tenants and opens the chosen one's VM
 * list. In the bar (`stacked` false) its label shows from `lg` up and it keeps a readable minimum
 * width; in the phone menu (`stacked`) the label sits above a full-width select.
 */
export function TenantSwitcher({ tenants, current, stacked = false }: {
  tenants: { name: string; displayName: string }[];
  current: string;
  stacked?: boolean;
}) {
  const t = useTranslations("Header");
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  // The bar and the phone menu each have one: ids must differ.
  const id = useId();
  return (
    <div className={stacked ? "flex flex-col gap-1" : "flex items-center gap-2"}>
      <label
        htmlFor={id}
        className={`text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400 ${stacked ? "" : "sr-only lg:not-sr-only"}`}
      >
        {t("tenant")}
      </label>
      <select
        id={id}
        className={`${compactSelectClass} ${stacked ? "w-full" : "w-auto max-w-60 min-w-40"}`}
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
