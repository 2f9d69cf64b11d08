//! Bar charts, drawn with visx (scales and shapes from a maintained library, rendered as
//! SVG by React). The numbers are never only in the drawing: every bar has its count as
//! HTML text beside it, the element a test or a screen reader reads, and the SVG is
//! hidden from assistive tools.
//!
//! Rows are `ROW` pixels apart in a CSS grid; each chart column is one SVG spanning its
//! rows, laid out by a band scale whose step is exactly `ROW`, so bars and the HTML
//! labels and counts beside them line up.

import { Group } from '@visx/group';
import { useParentSize } from '@visx/responsive';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar } from '@visx/shape';
import type { CSSProperties, ReactNode } from 'react';

import { Count } from './Count';

export type Tone = 'accent' | 'good' | 'bad' | 'warn' | 'neutral';

/** Pixels from one row to the next, and the height of a bar. */
export const ROW = 26;
const BAR = 10;
/** The shortest bar a non-zero value gets, as a share of the width: it must not vanish. */
const SLIVER = 0.006;

export interface BarDatum {
  key: string;
  value: number;
  tone: Tone;
  /** What hovering the bar says, e.g. "No consent: 11 920". */
  title?: string;
}

/** The length of `value`'s bar, out of `width` for `max`; a sliver for any non-zero value. */
export function barLength(value: number, max: number, width: number): number {
  if (max <= 0 || value <= 0 || width <= 0) return 0;
  const x = scaleLinear<number>({ domain: [0, max], range: [0, width], clamp: true });
  return Math.max(width * SLIVER, x(value));
}

interface BarColumnProps {
  bars: BarDatum[];
  /** The value that fills the whole width; shared by the columns of one chart. */
  max: number;
  /** Where the column sits in its grid (`gridColumn`, `gridRow`). */
  style?: CSSProperties;
  className?: string;
  testId?: string;
}

/** One SVG of horizontal bars on light tracks, one bar per `ROW`. */
export function BarColumn({ bars, max, style, className, testId }: BarColumnProps) {
  const { parentRef, width } = useParentSize({ debounceTime: 50 });
  const height = bars.length * ROW;
  const rows = scaleBand<string>({
    domain: bars.map((b) => b.key),
    range: [0, height],
    // Inner padding p and outer p/2 make the step exactly ROW and the bar BAR high.
    paddingInner: 1 - BAR / ROW,
    paddingOuter: (1 - BAR / ROW) / 2,
  });
  return (
    <div ref={parentRef} className={`chart-column ${className ?? ''}`} style={{ ...style, height }} data-testid={testId}>
      <svg width={width} height={height} aria-hidden="true" className="chart">
        {width > 0 &&
          bars.map((b) => (
            <Group key={b.key} top={rows(b.key) ?? 0} data-key={b.key}>
              <Bar className="chart-track" x={0} y={0} width={width} height={BAR} rx={BAR / 2} />
              {b.value > 0 && (
                <Bar
                  className={`chart-bar tone-${b.tone}`}
                  x={0}
                  y={0}
                  width={barLength(b.value, max, width)}
                  height={BAR}
                  rx={BAR / 2}
                  data-testid={`bar-${b.key}`}
                />
              )}
              {b.title && <title>{b.title}</title>}
            </Group>
          ))}
      </svg>
    </div>
  );
}

export interface BarRowData extends BarDatum {
  label: ReactNode;
  /** The test id of the element holding the number (its text is exactly the number). */
  testId?: string;
  /** Shown after the number, e.g. a share of the whole. */
  note?: ReactNode;
  /** What hovering the label says. */
  labelTitle?: string;
}

interface BarChartProps {
  /** Rows in groups; a dashed line separates the groups. All share one scale. */
  groups: BarRowData[][];
  /** The value that fills the track; the largest value when not given. */
  max?: number;
  /** Wider label and number columns (long labels, counts with a share). */
  wide?: boolean;
  testId?: string;
}

/** Label, bar, number: a horizontal bar chart whose numbers are text. */
export function BarChart({ groups, max, wide, testId }: BarChartProps) {
  const scaleMax = max ?? Math.max(1, ...groups.flat().map((r) => r.value));
  const cells: ReactNode[] = [];
  const tracks: string[] = [];
  let line = 1;
  groups.forEach((group, g) => {
    if (g > 0) {
      cells.push(<div key={`divider-${g}`} className="bar-divider" role="separator" style={{ gridRow: line }} />);
      tracks.push('9px');
      line += 1;
    }
    cells.push(
      <BarColumn
        key={`bars-${g}`}
        bars={group}
        max={scaleMax}
        style={{ gridColumn: 2, gridRow: `${line} / span ${group.length}` }}
      />,
    );
    group.forEach((r, i) => {
      const gridRow = line + i;
      cells.push(
        <span key={`label-${r.key}`} className="bar-label" title={r.labelTitle} style={{ gridColumn: 1, gridRow }}>
          {r.label}
        </span>,
        <span key={`value-${r.key}`} className="bar-value" style={{ gridColumn: 3, gridRow }}>
          <Count value={r.value} testId={r.testId} />
          {r.note && <span className="bar-note"> {r.note}</span>}
        </span>,
      );
      tracks.push(`${ROW}px`);
    });
    line += group.length;
  });
  return (
    <div
      className={`bar-chart ${wide ? 'bar-chart-wide' : ''}`}
      data-testid={testId}
      style={{ gridTemplateRows: tracks.join(' ') }}
    >
      {cells}
    </div>
  );
}

export interface Segment {
  key: string;
  label: string;
  value: number;
  tone: Tone;
}

/** One bar split into parts of a whole, with a legend that carries the numbers. */
export function StackedBar({
  segments,
  label,
  testIdPrefix,
}: {
  segments: Segment[];
  label: string;
  /** Each legend number gets the test id `<prefix><key>`. */
  testIdPrefix?: string;
}) {
  const { parentRef, width } = useParentSize({ debounceTime: 50 });
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  const shown = segments.filter((s) => s.value > 0);
  const GAP = 2;
  // The parts share what the gaps between them leave of the width.
  const x = scaleLinear<number>({ domain: [0, Math.max(total, 1)], range: [0, Math.max(0, width - GAP * (shown.length - 1))] });
  let start = 0;
  return (
    <div className="stacked">
      <div ref={parentRef} className="stacked-track" role="img" aria-label={label}>
        <svg width={width} height={14} aria-hidden="true" className="chart">
          {width > 0 &&
            shown.map((s) => {
              const left = start;
              const length = Math.max(width * SLIVER, x(s.value));
              start += length + GAP;
              return (
                <Bar
                  key={s.key}
                  className={`chart-bar tone-${s.tone}`}
                  x={left}
                  y={0}
                  width={length}
                  height={14}
                  data-testid={`segment-${s.key}`}
                />
              );
            })}
        </svg>
      </div>
      <ul className="legend">
        {segments.map((s) => (
          <li key={s.key}>
            <span className={`legend-swatch bar-${s.tone}`} aria-hidden="true" />
            {s.label}{' '}
            <strong className="tabular">
              <Count value={s.value} testId={testIdPrefix && `${testIdPrefix}${s.key}`} />
            </strong>
          </li>
        ))}
      </ul>
    </div>
  );
}
