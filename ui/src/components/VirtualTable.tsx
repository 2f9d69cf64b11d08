//! The body of a long table, virtualized with TanStack Virtual: only the rows in view of
//! the window's scrolling area (and a few around them) are in the DOM, so thousands of
//! deals scroll like ten. The table stays in the page's flow (it scrolls with the screen,
//! as before); spacer rows above and below the rendered ones keep the scroll height, and
//! the native table layout keeps the columns.
//!
//! The screen owns the rows (a TanStack Table row model, already filtered and sorted) and
//! draws each row's cells; this component decides which rows are drawn. New rows end a
//! sort or filter the screen started timing (`timings.ts`, read by the scale benchmark).

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

import { useApp } from '../context';
import { finishTiming } from '../timings';

interface VirtualTableProps<T> {
  testId: string;
  /** The header row(s): `<tr>`s of `<th>`s. */
  head: ReactNode;
  /** The rows to show, in order. */
  rows: readonly T[];
  /** How many columns a row has (for the spacer rows). */
  columns: number;
  rowKey: (row: T) => string;
  /** Each row's test id, e.g. `deal-row-3`. */
  rowTestId: (row: T) => string;
  /** The row's `<td>`s. */
  cells: (row: T) => ReactNode;
  /** Opens a row (click, Enter or Space); without it rows are plain, not focusable. */
  onOpen?: (row: T) => void;
  /** The row shown as open (`aria-current`). */
  isSelected?: (row: T) => boolean;
  /** A guess of a row's height in pixels, until the row is measured. */
  estimateRowHeight?: number;
  /** Called when the last rows come into view: a table that loads a page at a time asks for the next. */
  onEndReached?: () => void;
}

/** Rows drawn beyond each edge of the view. */
const OVERSCAN = 8;

export function VirtualTable<T>({
  testId,
  head,
  rows,
  columns,
  rowKey,
  rowTestId,
  cells,
  onOpen,
  isSelected,
  estimateRowHeight = 45,
  onEndReached,
}: VirtualTableProps<T>) {
  const { scrollElement } = useApp();
  const body = useRef<HTMLTableSectionElement>(null);

  // Where the rows start inside the scrolling area. What is above them (the header, the
  // toolbar, a banner) can change it, so it is read after every render; an unchanged
  // value does not render again.
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    const scroller = scrollElement();
    if (!scroller || !body.current) return;
    const top = body.current.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
    setScrollMargin(Math.round(top));
  });

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: scrollElement,
    estimateSize: () => estimateRowHeight,
    getItemKey: (index) => rowKey(rows[index]),
    overscan: OVERSCAN,
    scrollMargin,
    // A table that appears below the fold (a panel opened further down) must not scroll
    // the screen back to the top: start from where the screen is.
    initialOffset: () => scrollElement()?.scrollTop ?? 0,
  });
  useEffect(() => finishTiming(), [rows]);

  const items = virtualizer.getVirtualItems();
  const lastShown = items.length > 0 ? items[items.length - 1].index : -1;
  const nearEnd = rows.length > 0 && lastShown >= rows.length - 1 - OVERSCAN;
  useEffect(() => {
    if (nearEnd) onEndReached?.();
  }, [nearEnd, rows.length, onEndReached]);
  const padTop = items.length > 0 ? items[0].start - scrollMargin : 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1].end - scrollMargin) : 0;

  const onKey = (e: KeyboardEvent, row: T) => {
    if (onOpen && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      onOpen(row);
    }
  };

  return (
    <table className="table" data-testid={testId} aria-rowcount={rows.length + 1}>
      <thead>{head}</thead>
      <tbody ref={body}>
        {padTop > 0 && <Spacer height={padTop} columns={columns} />}
        {items.map((item) => {
          const row = rows[item.index];
          return (
            <tr
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              aria-rowindex={item.index + 2}
              data-testid={rowTestId(row)}
              className={onOpen ? (isSelected?.(row) ? 'clickable selected' : 'clickable') : undefined}
              aria-current={isSelected?.(row) ? true : undefined}
              tabIndex={onOpen ? 0 : undefined}
              onClick={onOpen ? () => onOpen(row) : undefined}
              onKeyDown={onOpen ? (e) => onKey(e, row) : undefined}
            >
              {cells(row)}
            </tr>
          );
        })}
        {padBottom > 0 && <Spacer height={padBottom} columns={columns} />}
      </tbody>
    </table>
  );
}

/** Stands in for the rows out of view, so that the scroll height stays right. */
function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <tr aria-hidden="true" className="virtual-spacer">
      <td colSpan={columns} style={{ height }} />
    </tr>
  );
}
