"use client";

import { useCallback, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { useWindowVirtualizer, type Virtualizer } from "@tanstack/react-virtual";

/**
 * Lists longer than this are virtualized (see {@link TableBody}); shorter ones render every row,
 * so what a page shows for a few objects is unchanged.
 */
export const virtualizeAbove = 100;

/** A row's height before it is measured (px): one line of text with the row's padding. */
const estimatedRowPx = 53;

/** What {@link TableBody} needs to draw one row. */
export interface TableRowRender<T> {
  item: T;
  /** the row's place among all rows (0-based; `aria-rowindex` is this + 2, after the header row) */
  index: number;
  /** the virtualizer's measuring ref, for the row's `<tr>` (virtualized lists only) */
  measureRef?: (node: HTMLTableRowElement | null) => void;
}

/** The props of {@link TableBody}. */
export interface TableBodyProps<T> {
  items: readonly T[];
  /** a row's React key and the virtualizer's item key (the object's name) */
  getKey: (item: T) => string;
  /** the number of columns (the spacer rows span them) */
  columns: number;
  className?: string;
  renderRow: (row: TableRowRender<T>) => ReactNode;
}

/**
 * A table body that renders every row up to {@link virtualizeAbove} rows, and above it only the
 * rows near the viewport plus a few above and below (@tanstack/react-virtual against the window's
 * scroll), between two spacer rows that keep the table's height, so the scrollbar tells the real
 * size (the table's `aria-rowcount` and each row's `aria-rowindex` tell assistive technologies).
 * On the server (no window) it renders the first screen of rows.
 */
export function TableBody<T>(props: TableBodyProps<T>) {
  if (props.items.length <= virtualizeAbove) {
    return <tbody className={props.className}>{props.items.map((item, index) => props.renderRow({ item, index }))}</tbody>;
  }
  return <VirtualBody {...props} />;
}

/**
 * A row's height as the ResizeObserver reports it, or the size already known (the estimate at
 * first) when a row mounts. The library's own measure reads `offsetHeight` as each row mounts,
 * which forces a layout of the page in the middle of React's commit: at 10,000 VMs, 112 ms of the
 * CPU of three filter keystrokes. The observer reports every row's real size after the browser's
 * own layout anyway (it notifies once on observe), so rows of another height (a VM's error
 * message, a disk's import progress) still get their size, a frame later.
 */
function measureRow(element: Element, entry: ResizeObserverEntry | undefined, instance: Virtualizer<Window, Element>): number {
  const box = entry?.borderBoxSize?.[0];
  if (box) return Math.round(box.blockSize);
  const index = instance.indexFromElement(element);
  return instance.measurementsCache[index]?.size ?? estimatedRowPx;
}

function VirtualBody<T>({ items, getKey, columns, className, renderRow }: TableBodyProps<T>) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [offset, setOffset] = useState(0);
  // Where the body starts in the page (the virtualizer counts from the top of the document); read
  // after every render, as what is above the table (banners, toolbar) can move it.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- every render, guarded by the comparison
  useLayoutEffect(() => {
    const top = (bodyRef.current?.getBoundingClientRect().top ?? 0) + window.scrollY;
    if (Math.abs(top - offset) > 1) setOffset(top);
  });
  // Stable between renders of the same rows: the virtualizer recomputes every row's measurement
  // (O(rows)) whenever its getItemKey changes.
  const getItemKey = useCallback((index: number) => getKey(items[index]), [items, getKey]);
  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => estimatedRowPx,
    measureElement: measureRow,
    overscan: 8,
    scrollMargin: offset,
    initialRect: { width: 1280, height: 900 },
    getItemKey,
    useFlushSync: false,
  });
  const shown = virtualizer.getVirtualItems();
  const before = shown.length ? shown[0].start - offset : 0;
  const after = shown.length ? virtualizer.getTotalSize() - (shown[shown.length - 1].end - offset) : 0;
  return (
    <tbody ref={bodyRef} className={className}>
      {before > 0 && <tr aria-hidden="true"><td colSpan={columns} style={{ height: before, padding: 0 }} /></tr>}
      {shown.map((row) => renderRow({ item: items[row.index], index: row.index, measureRef: virtualizer.measureElement }))}
      {after > 0 && <tr aria-hidden="true"><td colSpan={columns} style={{ height: after, padding: 0 }} /></tr>}
    </tbody>
  );
}
