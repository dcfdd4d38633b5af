"use client";

import { useTranslations } from "next-intl";
import { useId, type RefObject } from "react";
import { inputClass, labelClass } from "@/components/ui/styles";
import type { ExternalFilter, VmFilterOptions, VmListView } from "@/lib/client/vm-list-view";
import { useVmStateLabel } from "./vm-state-badge";

/**
 * The VM list's search box and filter selects (state, instance type, OS profile, external), each
 * with a visible label. Every change goes to `onChange` at once: the list narrows as the user
 * types, without a round trip to the server.
 */
export function VmListFilters({ view, options, onChange, searchRef }: {
  view: VmListView;
  options: VmFilterOptions;
  onChange: (view: VmListView) => void;
  /** the search box, focused after "Clear filters" */
  searchRef?: RefObject<HTMLInputElement | null>;
}) {
  const t = useTranslations("VmList");
  const id = useId();
  const stateLabel = useVmStateLabel();
  const select = (name: "state" | "type" | "profile", label: string, all: string, values: string[], show: (v: string) => string = (v) => v) => (
    <div>
      <label htmlFor={`${id}-${name}`} className={labelClass}>{label}</label>
      <select id={`${id}-${name}`} value={view[name]} onChange={(e) => onChange({ ...view, [name]: e.target.value })} className={`${inputClass} mt-1`}>
        <option value="">{all}</option>
        {values.map((v) => <option key={v} value={v}>{show(v)}</option>)}
      </select>
    </div>
  );

  return (
    <div role="search" aria-label={t("filters")} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[minmax(14rem,2fr)_repeat(4,minmax(9rem,1fr))]">
      <div>
        <label htmlFor={`${id}-q`} className={labelClass}>{t("search")}</label>
        <input
          ref={searchRef}
          id={`${id}-q`}
          type="search"
          value={view.q}
          onChange={(e) => onChange({ ...view, q: e.target.value })}
          placeholder={t("searchPlaceholder")}
          autoComplete="off"
          spellCheck={false}
          className={`${inputClass} mt-1`}
        />
      </div>
      {select("state", t("filterState"), t("allStates"), options.states, stateLabel)}
      {select("type", t("filterType"), t("allTypes"), options.types)}
      {select("profile", t("filterProfile"), t("allProfiles"), options.profiles)}
      <div>
        <label htmlFor={`${id}-external`} className={labelClass}>{t("filterExternal")}</label>
        <select
          id={`${id}-external`}
          value={view.external}
          onChange={(e) => onChange({ ...view, external: e.target.value as ExternalFilter })}
          className={`${inputClass} mt-1`}
        >
          <option value="">{t("externalAll")}</option>
          <option value="yes">{t("externalYes")}</option>
          <option value="no">{t("externalNo")}</option>
        </select>
      </div>
    </div>
  );
}
