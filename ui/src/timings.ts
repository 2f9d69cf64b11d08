//! Timings the scale benchmark reads from the page (bench/scale.sh, e2e/tests/scale.rs):
//! the first screen (ms from the page's navigation start) and, per table, the time from
//! a sort click or a filter change to the frame that shows the table's new rows. They
//! are User Timing measures (`performance.getEntriesByType('measure')`, named
//! `first-screen` and `<table>:sort` / `<table>:filter`), so the browser's own tools
//! show them too; nothing else reads them, and recording one costs a few microseconds.

let pending: { name: string; start: number } | null = null;
let firstScreen = false;

function measure(name: string, start: number, end: number) {
  try {
    performance.measure(name, { start, end });
  } catch {
    // A WebView without User Timing level 3: the benchmark then reads nothing, and says so.
  }
}

/** A sort or filter of `table` starts now: the next rows `finishTiming` sees end it. */
export function startTiming(table: string, action: 'sort' | 'filter') {
  pending = { name: `${table}:${action}`, start: performance.now() };
}

/**
 * A table rendered new rows: ends the pending sort or filter at the next frame, the
 * one that paints them.
 */
export function finishTiming() {
  const p = pending;
  if (!p) return;
  pending = null;
  requestAnimationFrame(() => measure(p.name, p.start, performance.now()));
}

/** The first screen is on the page: recorded once, from navigation start. */
export function markFirstScreen() {
  if (firstScreen) return;
  firstScreen = true;
  requestAnimationFrame(() => measure('first-screen', 0, performance.now()));
}
