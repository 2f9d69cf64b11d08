//! The revenue chart: one measure (recognized, billed or collected) of one currency by
//! month, each month's bar stacked by partner; drawn with visx like the other charts.
//! It draws the core's revenue summary (per partner and currency, by month), not the
//! report's row per deal. The figures are never only in the drawing: each month's total
//! is text under its bar and each partner's total is text in the legend, exact to the
//! minor unit.

import { Group } from '@visx/group';
import { useParentSize } from '@visx/responsive';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar, Line } from '@visx/shape';

import type { PartnerRevenue, RevenueSummary } from '../../bindings';
import { formatMoney, formatMoneyCompact } from '../../domain/money';

export type Measure = 'recognized' | 'billed' | 'collected';

export const MEASURES: { measure: Measure; label: string }[] = [
  { measure: 'recognized', label: 'Recognized' },
  { measure: 'billed', label: 'Billed' },
  { measure: 'collected', label: 'Collected' },
];

/** How many partners get their own colour; the rest are stacked together as "Other". */
const SERIES = 6;
const HEIGHT = 220;
const OTHER = 'Other partners';

/** A partner's amounts of one measure, by period (index into the summary's `periods`). */
export function amountsOf(partner: PartnerRevenue, measure: Measure): number[] {
  if (measure === 'recognized') return partner.recognized_minor;
  if (measure === 'billed') return partner.billed_minor;
  return partner.collected_minor;
}

export interface Stacks {
  months: string[];
  /** Partners in stacking order (largest first), "Other partners" last if any. */
  partners: string[];
  /** amount[month][partner], minor units. */
  amount: Map<string, Map<string, number>>;
  monthTotal: Map<string, number>;
  partnerTotal: Map<string, number>;
}

/**
 * The core's per-partner sums of `currency` stacked by month; the smallest partners go
 * into "Other". The summary has every period of the year, empty ones too.
 */
export function stacksOf(summary: RevenueSummary, measure: Measure, currency: string): Stacks {
  const rows = summary.partners.filter((p) => p.currency === currency);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const byPartner = new Map(rows.map((p) => [p.partner_name, sum(amountsOf(p, measure))]));
  // Partners with nothing in this measure get no colour and no legend line.
  const ranked = [...byPartner.entries()]
    .filter(([, total]) => total !== 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([p]) => p);
  const own = new Set(ranked.length > SERIES ? ranked.slice(0, SERIES - 1) : ranked);
  const seriesOf = (partner: string) => (own.has(partner) ? partner : OTHER);
  const partners = ranked.filter((p) => own.has(p));
  if (ranked.length > partners.length) partners.push(OTHER);

  const months = summary.periods;
  const amount = new Map(months.map((m) => [m, new Map<string, number>()]));
  const monthTotal = new Map(months.map((m) => [m, 0]));
  const partnerTotal = new Map(partners.map((p) => [p, 0]));
  for (const p of rows) {
    if (!byPartner.get(p.partner_name)) continue;
    const series = seriesOf(p.partner_name);
    amountsOf(p, measure).forEach((value, i) => {
      if (value === 0) return;
      const month = months[i];
      const cell = amount.get(month);
      if (!cell) return;
      cell.set(series, (cell.get(series) ?? 0) + value);
      monthTotal.set(month, (monthTotal.get(month) ?? 0) + value);
      partnerTotal.set(series, (partnerTotal.get(series) ?? 0) + value);
    });
  }
  return { months, partners, amount, monthTotal, partnerTotal };
}

function monthLabel(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

interface RevenueChartProps {
  summary: RevenueSummary;
  measure: Measure;
  currency: string;
}

export function RevenueChart({ summary, measure, currency }: RevenueChartProps) {
  const { parentRef, width } = useParentSize({ debounceTime: 50 });
  const stacks = stacksOf(summary, measure, currency);
  const max = Math.max(0, ...stacks.monthTotal.values());
  const y = scaleLinear<number>({ domain: [0, max > 0 ? max : 1], range: [HEIGHT, 0], nice: 4 });
  // An empty chart has one line, at zero, not a ladder of "$0.0" labels.
  const ticks = max > 0 ? y.ticks(4) : [0];
  const x = scaleBand<string>({ domain: stacks.months, range: [0, width], paddingInner: 0.35, paddingOuter: 0.175 });
  const seriesClass = (partner: string) =>
    partner === OTHER ? 'series-other' : `series-${stacks.partners.indexOf(partner) % SERIES}`;
  const label = MEASURES.find((m) => m.measure === measure)?.label ?? measure;

  return (
    <div className="revenue" data-testid="revenue-chart" data-measure={measure} data-currency={currency}>
      <div className="revenue-grid">
        <div className="revenue-axis" aria-hidden="true" style={{ height: HEIGHT }}>
          {ticks.map((t) => (
            <span key={t} style={{ top: y(t) }}>
              {formatMoneyCompact(t, currency)}
            </span>
          ))}
        </div>
        <div ref={parentRef} className="revenue-plot" style={{ height: HEIGHT }}>
          <svg width={width} height={HEIGHT} aria-hidden="true" className="chart">
            {ticks.map((t) => (
              <Line key={t} className="chart-grid" from={{ x: 0, y: y(t) }} to={{ x: width, y: y(t) }} />
            ))}
            {width > 0 &&
              stacks.months.map((month) => {
                let top = HEIGHT;
                const cell = stacks.amount.get(month);
                return (
                  <Group key={month} left={x(month) ?? 0}>
                    {stacks.partners.map((partner) => {
                      const value = cell?.get(partner) ?? 0;
                      if (value <= 0) return null;
                      const h = Math.max(1, HEIGHT - y(value));
                      top -= h;
                      return (
                        <Bar
                          key={partner}
                          className={`chart-bar ${seriesClass(partner)}`}
                          x={0}
                          y={top}
                          width={x.bandwidth()}
                          height={h}
                          data-testid={`revenue-bar-${month}-${stacks.partners.indexOf(partner)}`}
                        >
                          <title>{`${partner}, ${month}: ${formatMoney(value, currency)}`}</title>
                        </Bar>
                      );
                    })}
                  </Group>
                );
              })}
          </svg>
        </div>
        <div className="revenue-months" style={{ gridTemplateColumns: `repeat(${stacks.months.length}, minmax(0, 1fr))` }}>
          {stacks.months.map((month) => {
            const total = stacks.monthTotal.get(month) ?? 0;
            return (
              <div key={month} className="revenue-month">
                <span className="revenue-month-label">{monthLabel(month)}</span>
                <span
                  className={total === 0 ? 'revenue-month-total muted' : 'revenue-month-total'}
                  title={`${label} in ${month}: ${formatMoney(total, currency)}`}
                  data-testid={`revenue-total-${month}`}
                  data-minor={total}
                >
                  {total === 0 ? '—' : formatMoneyCompact(total, currency)}
                </span>
              </div>
            );
          })}
        </div>
      </div>
      {stacks.partners.length === 0 ? (
        <p className="muted revenue-empty" data-testid="revenue-empty">
          Nothing {measure} in {currency} in this period.
        </p>
      ) : (
        <ul className="legend revenue-legend" aria-label={`${label} by partner`}>
          {stacks.partners.map((partner, i) => (
            <li key={partner}>
              <span className={`legend-swatch ${seriesClass(partner)}`} aria-hidden="true" />
              {partner}{' '}
              <strong className="tabular" data-testid={`revenue-partner-${i}`}>
                {formatMoney(stacks.partnerTotal.get(partner) ?? 0, currency)}
              </strong>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
