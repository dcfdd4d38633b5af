import { useTranslations } from "next-intl";

/** The instance-type series the catalogues name (Hikube doc 2.0.2; label `hikube.io/series`). */
const knownSeries = ["S", "U", "M", "CX", "RT"] as const;

/** One series of {@link knownSeries}. */
type KnownSeries = (typeof knownSeries)[number];

/**
 * The name of an instance-type series in the page's language: the `Series` messages for the
 * series the portal knows ("U" → "Universal", "Universelle"), the cluster's own display name
 * (annotation `hikube.io/series-display-name`, English) for any other.
 * @returns a function of the series letter and the cluster's display name
 */
export function useSeriesName(): (series: string, displayName: string) => string {
  const t = useTranslations("Series");
  return (series, displayName) => ((knownSeries as readonly string[]).includes(series) ? t(series as KnownSeries) : displayName);
}
