//! Plain CSS bar charts: no chart library, nothing drawn that a screen reader cannot read
//! as text. Every bar sits beside its number, and the number is the element a test reads.

import type { ReactNode } from 'react';

import { Count } from './Count';

/** A bar's width as a percentage of `max`, with a sliver for any non-zero value. */
export function barWidth(value: number, max: number): string {
  if (max <= 0 || value <= 0) return '0%';
  return `${Math.max(0.6, (value / max) * 100).toFixed(2)}%`;
}

export type Tone = 'accent' | 'good' | 'bad' | 'warn' | 'neutral';

interface BarRowProps {
  label: ReactNode;
  value: number;
  max: number;
  tone?: Tone;
  /** The test id of the element holding the number (its text is exactly the number). */
  testId?: string;
  /** Shown after the number, e.g. a share of the whole. */
  note?: ReactNode;
  title?: string;
}

/** One row of a horizontal bar chart: label, bar, number. Use inside `.bar-chart`. */
export function BarRow({ label, value, max, tone = 'accent', testId, note, title }: BarRowProps) {
  return (
    <div className="bar-row" title={title}>
      <span className="bar-label">{label}</span>
      <span className="bar-track" aria-hidden="true">
        <span className={`bar-fill bar-${tone}`} style={{ width: barWidth(value, max) }} />
      </span>
      <span className="bar-value">
        <Count value={value} testId={testId} />
        {note && <span className="bar-note"> {note}</span>}
      </span>
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
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  return (
    <div className="stacked">
      <div className="stacked-track" role="img" aria-label={label}>
        {segments.map((s) =>
          s.value > 0 ? (
            <span key={s.key} className={`stacked-part bar-${s.tone}`} style={{ width: barWidth(s.value, total) }} />
          ) : null,
        )}
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
