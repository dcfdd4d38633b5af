/**
 * Instance types by series, for the create form's picker and the edit form's select (safe for the
 * browser). A series is what the cluster's `hikube.io/series` label says or, on a cluster without
 * it, the name's prefix (`u1.medium` → U, `cx1.large` → CX: the kubevirt/common-instancetypes
 * naming, `<class><version>.<size>`). The common sizes come first; the larger ones wait behind a
 * disclosure (issue 16: 28 cards made a 2,600 px form).
 */
import type { InstanceTypeInfo } from "./vm";

/**
 * The sizes shown before "Show all": the four smallest of the common-instancetypes size ladder
 * (nano, micro, small, medium, large, xlarge, 2xlarge…), which cover the product documents'
 * everyday rows (s1.small–s1.xlarge, u1.medium–u1.xlarge, m1.large–m1.xlarge, cx1/rt1 medium–xlarge).
 */
export const commonInstanceTypeSizes: readonly string[] = ["small", "medium", "large", "xlarge"];

/** How many sizes a series without any common one shows before "Show all". */
const fallbackCommonCount = 4;

/**
 * The series of an instance type named in the common-instancetypes way, from its name's prefix:
 * `u1.medium` → "U", `cx1.2xlarge` → "CX", `rt1.large` → "RT". Undefined for a name without a
 * `<letters><digits>.` prefix (e.g. "custom-big").
 */
export function seriesOfInstanceTypeName(name: string): string | undefined {
  const m = /^([a-z]+)\d*\./i.exec(name);
  return m ? m[1].toUpperCase() : undefined;
}

/** The size part of an instance type's name: `u1.2xlarge` → "2xlarge"; the whole name when it has no dot. */
export function instanceTypeSize(name: string): string {
  const dot = name.indexOf(".");
  return dot === -1 ? name : name.slice(dot + 1);
}

/** One series of the picker: its types split into the common sizes and the rest. */
export interface InstanceTypeSeries {
  /** e.g. "U" */
  series: string;
  /** e.g. "Universal" */
  displayName: string;
  /** every type of the series, in catalogue order (the server sorts by vCPU then memory) */
  types: InstanceTypeInfo[];
  /** the types shown while the series is collapsed, in catalogue order */
  common: InstanceTypeInfo[];
  /** the types behind "Show all", in catalogue order (empty when there is nothing to hide) */
  more: InstanceTypeInfo[];
}

/**
 * Groups instance types by series, series in order of first appearance (the catalogue is sorted
 * S, U, M, CX, RT, then the others), and splits each series into its common sizes
 * ({@link commonInstanceTypeSizes}) and the rest. A series with no common size shows its first
 * four types; a disclosure that would reveal a single type is not worth a click, so such a series
 * shows everything.
 */
export function groupInstanceTypes(types: InstanceTypeInfo[]): InstanceTypeSeries[] {
  const groups: InstanceTypeSeries[] = [];
  for (const type of types) {
    let group = groups.find((g) => g.series === type.series);
    if (!group) {
      group = { series: type.series, displayName: type.seriesDisplayName, types: [], common: [], more: [] };
      groups.push(group);
    }
    group.types.push(type);
  }
  for (const group of groups) {
    let common = group.types.filter((t) => commonInstanceTypeSizes.includes(instanceTypeSize(t.name)));
    if (common.length === 0) common = group.types.slice(0, fallbackCommonCount);
    const more = group.types.filter((t) => !common.includes(t));
    if (more.length <= 1) {
      group.common = group.types;
      group.more = [];
    } else {
      group.common = common;
      group.more = more;
    }
  }
  return groups;
}

/**
 * The cards a series shows: the common sizes, then, when expanded, the rest; collapsed, the
 * selected type is still shown (after the common ones) so the choice never disappears.
 * @param selected the selected instance type's name ("" for none)
 */
export function visibleInstanceTypes(group: InstanceTypeSeries, expanded: boolean, selected: string): InstanceTypeInfo[] {
  if (expanded) return [...group.common, ...group.more];
  return [...group.common, ...group.more.filter((t) => t.name === selected)];
}
