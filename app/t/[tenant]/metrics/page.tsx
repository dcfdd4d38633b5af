import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { TenantMetricsPage } from "@/components/metrics/tenant-metrics";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("TenantMetrics");
  return { title: t("title") };
}

/** `/t/{tenant}/metrics`: the tenant's usage against its quota and its busiest VMs (the tenant comes from the layout's context). */
export default function MetricsPage() {
  return <TenantMetricsPage />;
}
