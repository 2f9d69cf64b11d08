//! The home screen: how the licensing business is doing, and whether consent is being
//! honoured. Every card opens the screen behind it, filtered to what the card counts.
//! Its figures are the core's: the dashboard command (contracted value, renewals,
//! notices, pending withdrawals, consent health) and the finance summaries (the totals
//! of the deferred and aging reports, the revenue summed per partner).

import { Group } from '@visx/group';
import { useParentSize } from '@visx/responsive';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar, LinePath } from '@visx/shape';
import type { ReactNode } from 'react';

import type { ConsentHealth, Dashboard as DashboardData, RevenueSummary } from '../bindings';
import { StatusBadge } from '../components/StatusBadge';
import { useApp } from '../context';
import { displayDate, todayText } from '../domain/dates';
import { formatMoney, formatMoneyCompact } from '../domain/money';
import { purposeInfo } from '../domain/purpose';
import { formatCount, formatNumber, formatShare } from '../domain/units';
import { useConsentHealth, useDashboard } from '../queries/dashboard';
import { useDeals } from '../queries/deals';
import { useFinanceSummary, useRevenueSummary } from '../queries/finance';
import type { Route } from '../route';

export function Dashboard() {
  const today = todayText();
  const year = Number(today.slice(0, 4));
  const dashboard = useDashboard();
  const health = useConsentHealth();
  const thisYear = useRevenueSummary({ from: `${year}-01-01`, to: `${year}-12-31`, group: 'month' });
  const lastYear = useRevenueSummary({ from: `${year - 1}-01-01`, to: `${year - 1}-12-31`, group: 'month' });
  const summary = useFinanceSummary(today);
  const d = dashboard.data;

  const deferredTotals = Object.fromEntries(
    Object.entries(summary.data?.deferred ?? {}).map(([c, t]) => [c, t.deferred_minor]),
  );
  const receivable = Object.fromEntries(
    Object.entries(summary.data?.deferred ?? {}).map(([c, t]) => [c, t.receivable_minor]),
  );
  const overdue = Object.fromEntries(Object.entries(summary.data?.aging ?? {}).map(([c, t]) => [c, t.total - t.current]));
  const overdueInvoices = summary.data?.overdue_invoices ?? 0;

  return (
    <section className="screen" data-testid="dashboard" aria-labelledby="dashboard-title">
      <header className="screen-header">
        <div>
          <h1 id="dashboard-title">Dashboard</h1>
          <p className="screen-subtitle">How the licensing business is doing, and whether consent is honoured, as of {displayDate(today)}.</p>
        </div>
      </header>
      {dashboard.error && <p className="muted">The dashboard could not be made: {dashboard.error.message}</p>}

      <div className="dashboard-grid">
        <Card title="Contracted annual value" testId="card-contracted" to={{ screen: 'deals' }} wide loading={!d && !dashboard.error}>
          {d && d.contracted.length === 0 && (
            <p className="muted">No deal has a fee schedule yet. Set one on a deal’s page.</p>
          )}
          {d && d.contracted.length > 0 && <ContractedTable data={d} />}
        </Card>

        <Card title="Deferred revenue" testId="card-dashboard-deferred" to={{ screen: 'finance' }} loading={summary.isPending}>
          <Amounts amounts={deferredTotals} testId="dashboard-deferred" />
          <p className="metric-note">Billed, not yet earned</p>
        </Card>

        <Card
          title="Receivables"
          testId="card-dashboard-receivables"
          to={{ screen: 'finance', status: 'overdue' }}
          loading={summary.isPending}
        >
          <Amounts amounts={receivable} testId="dashboard-receivable" />
          <p className={overdueInvoices > 0 ? 'metric-note cell-overdue' : 'metric-note'} data-testid="dashboard-overdue">
            {overdueInvoices === 0
              ? 'Nothing overdue'
              : `${overdueInvoices} overdue: ${Object.entries(overdue)
                  .filter(([, v]) => v > 0)
                  .map(([c, v]) => formatMoney(v, c))
                  .join(' · ')}`}
          </p>
        </Card>

        <Card title={`Recognized revenue, ${year} against ${year - 1}`} testId="card-revenue-compare"
          to={{ screen: 'finance' }}
          wide
          loading={thisYear.isPending || lastYear.isPending}
        >
          {thisYear.data && lastYear.data && <RevenueCompare current={thisYear.data} previous={lastYear.data} />}
        </Card>

        <Card title="Renewals due in 90 days" testId="card-renewals" to={{ screen: 'deals', status: 'active' }} loading={!d && !dashboard.error}>
          {d && d.renewals_due.length === 0 && <p className="muted">None: no signed or active deal ends in the next 90 days.</p>}
          {d && d.renewals_due.length > 0 && (
            <ul className="plain-list dashboard-list">
              {d.renewals_due.map((r) => (
                <li key={r.deal_id} data-testid={`renewal-${r.deal_id}`}>
                  <DealLink id={r.deal_id}>{r.title}</DealLink>
                  <span className="muted">
                    {' '}
                    · {r.partner_name} · ends {displayDate(r.end_date)} ({r.days_left === 0 ? 'today' : `in ${r.days_left} days`})
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card title="Withdrawals" testId="card-withdrawals" to={{ screen: 'deals' }} loading={!d && !dashboard.error}>
          {d && <Withdrawals data={d} />}
        </Card>

        <Card title="Consent health, last 12 months" testId="card-consent-health" to={{ screen: 'consent' }} wide loading={health.isPending}>
          {health.error && <p className="muted">The consent history could not be read: {health.error.message}</p>}
          {health.data && !hasRegistry(health.data) && (
            <p className="muted" data-testid="consent-health-empty">
              No registry yet: import one on the Consent screen.
            </p>
          )}
          {health.data && hasRegistry(health.data) && <HealthChart health={health.data} />}
        </Card>
      </div>
    </section>
  );
}

function hasRegistry(health: ConsentHealth): boolean {
  return health.points.some((p) => p.users > 0);
}

/** A card whose title opens the screen behind it. */
function Card({
  title,
  testId,
  to,
  wide = false,
  loading = false,
  children,
}: {
  title: string;
  testId: string;
  to: Route;
  wide?: boolean;
  /** While its figures are being read: says so instead of an empty card. */
  loading?: boolean;
  children: ReactNode;
}) {
  const { navigate } = useApp();
  return (
    <section
      className={wide ? 'card dashboard-card dashboard-wide' : 'card dashboard-card'}
      data-testid={testId}
      aria-busy={loading}
    >
      <h2 className="card-title">
        <button type="button" className="card-link" data-testid={`${testId}-open`} onClick={() => navigate(to)}>
          {title} <span aria-hidden="true">→</span>
        </button>
      </h2>
      {loading ? <p className="muted">Reading the store…</p> : children}
    </section>
  );
}

function DealLink({ id, children }: { id: number; children?: ReactNode }) {
  const { navigate } = useApp();
  const deal = useDeals().data?.find((d) => d.id === id);
  return (
    <button type="button" className="link-button" onClick={() => navigate({ screen: 'deal', id })}>
      {children ?? deal?.title ?? `Deal #${id}`}
    </button>
  );
}

function Amounts({ amounts, testId }: { amounts: Record<string, number>; testId: string }) {
  const shown = Object.entries(amounts).filter(([, v]) => v !== 0);
  if (shown.length === 0) return <p className="metric-value">—</p>;
  return (
    <>
      {shown.map(([c, v]) => (
        <p key={c} className="metric-value" data-testid={`${testId}-${c}`} data-minor={v}>
          {formatMoney(v, c)}
        </p>
      ))}
    </>
  );
}

function ContractedTable({ data }: { data: DashboardData }) {
  const { navigate } = useApp();
  return (
    <table className="table table-compact" data-testid="contracted-table">
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col" className="numeric">
            Deals
          </th>
          <th scope="col" className="numeric">
            A year
          </th>
        </tr>
      </thead>
      <tbody>
        {data.contracted.map((c) => (
          <tr
            key={`${c.status}-${c.currency}`}
            className="clickable"
            tabIndex={0}
            data-testid={`contracted-${c.status}-${c.currency}`}
            onClick={() => navigate({ screen: 'deals', status: c.status })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') navigate({ screen: 'deals', status: c.status });
            }}
          >
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td className="numeric">{c.deals}</td>
            <td className="numeric cell-strong" data-minor={c.annual_minor}>
              {formatMoney(c.annual_minor, c.currency)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Withdrawals({ data }: { data: DashboardData }) {
  const overdue = data.notices.filter((n) => n.status === 'overdue');
  const waiting = data.notices.filter((n) => n.status !== 'overdue');
  const users = data.pending_withdrawals.reduce((n, p) => n + p.users, 0);
  if (overdue.length === 0 && waiting.length === 0 && users === 0) {
    return <p className="muted">Nothing waiting: every delivered author is still eligible or already listed in a notice.</p>;
  }
  return (
    <ul className="plain-list dashboard-list" data-testid="withdrawals-summary">
      {data.pending_withdrawals.map((p) => (
        <li key={`p-${p.deal_id}`} data-testid={`pending-deal-${p.deal_id}`}>
          <DealLink id={p.deal_id} />
          {`: ${formatCount(p.users)} ${p.users === 1 ? 'user' : 'users'} to withdraw (${formatCount(p.records)} records), no notice yet`}
        </li>
      ))}
      {overdue.map((n) => (
        <li key={`n-${n.notice_id}`} className="cell-overdue" data-testid={`notice-overdue-${n.notice_id}`}>
          <DealLink id={n.deal_id} />: notice #{n.sequence} overdue since{' '}
          {displayDate(n.due_date)}
        </li>
      ))}
      {waiting.map((n) => (
        <li key={`n-${n.notice_id}`}>
          <DealLink id={n.deal_id} />: notice #{n.sequence} due {displayDate(n.due_date)}
        </li>
      ))}
    </ul>
  );
}

const HEIGHT = 160;

/** Recognized revenue by month: this year's bars beside last year's, one currency. */
function RevenueCompare({ current, previous }: { current: RevenueSummary; previous: RevenueSummary }) {
  const { parentRef, width } = useParentSize({ debounceTime: 50 });
  const recognized = (summary: RevenueSummary) =>
    Object.entries(summary.sums).map(([c, s]) => [c, s.recognized_minor] as const);
  const currencies = recognized(current)
    .concat(recognized(previous))
    .sort((a, b) => b[1] - a[1])
    .map(([c]) => c);
  const currency = currencies[0];
  if (!currency) return <p className="muted">No revenue recognized in either year.</p>;
  // Each partner's recognized revenue of the currency, by month of the year.
  const byMonth = (summary: RevenueSummary) => {
    const months = Array.from({ length: 12 }, () => 0);
    for (const p of summary.partners) {
      if (p.currency !== currency) continue;
      p.recognized_minor.forEach((v, i) => {
        months[Number(summary.periods[i].slice(5, 7)) - 1] += v;
      });
    }
    return months;
  };
  const now = byMonth(current);
  const before = byMonth(previous);
  const max = Math.max(1, ...now, ...before);
  const x = scaleBand<number>({ domain: now.map((_, i) => i), range: [0, width], paddingInner: 0.3, paddingOuter: 0.15 });
  const inner = scaleBand<number>({ domain: [0, 1], range: [0, x.bandwidth()], padding: 0.1 });
  const y = scaleLinear<number>({ domain: [0, max], range: [HEIGHT, 0] });
  const months = Array.from({ length: 12 }, (_, i) =>
    new Intl.DateTimeFormat(undefined, { month: 'narrow', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, i, 1))),
  );
  const sum = (m: number[]) => m.reduce((a, b) => a + b, 0);
  return (
    <div data-testid="revenue-compare" data-currency={currency}>
      <div ref={parentRef} style={{ height: HEIGHT }}>
        <svg width={width} height={HEIGHT} aria-hidden="true" className="chart">
          {width > 0 &&
            now.map((v, i) => (
              <Group key={i} left={x(i) ?? 0}>
                <Bar className="chart-bar series-other" x={inner(0) ?? 0} y={y(before[i])} width={inner.bandwidth()} height={HEIGHT - y(before[i])} />
                <Bar className="chart-bar series-0" x={inner(1) ?? 0} y={y(v)} width={inner.bandwidth()} height={HEIGHT - y(v)} />
              </Group>
            ))}
        </svg>
      </div>
      <div className="revenue-months" style={{ gridTemplateColumns: 'repeat(12, minmax(0, 1fr))', gridColumn: 'auto' }}>
        {months.map((m, i) => (
          <span key={i} className="revenue-month-label revenue-month" title={`${formatMoney(now[i], currency)} against ${formatMoney(before[i], currency)}`}>
            {m}
          </span>
        ))}
      </div>
      <ul className="legend">
        <li>
          <span className="legend-swatch series-0" aria-hidden="true" />
          {current.from.slice(0, 4)}{' '}
          <strong className="tabular" data-testid="revenue-this-year" data-minor={sum(now)}>
            {formatMoney(sum(now), currency)}
          </strong>
        </li>
        <li>
          <span className="legend-swatch series-other" aria-hidden="true" />
          {previous.from.slice(0, 4)}{' '}
          <strong className="tabular" data-testid="revenue-last-year" data-minor={sum(before)}>
            {formatMoney(sum(before), currency)}
          </strong>
        </li>
        <li className="muted">{formatMoneyCompact(max, currency)} at the top</li>
      </ul>
    </div>
  );
}

/** The share of registry users eligible per purpose at each point, one line per purpose. */
function HealthChart({ health }: { health: ConsentHealth }) {
  const { parentRef, width } = useParentSize({ debounceTime: 50 });
  const purposes = Object.keys(health.points[0].eligible);
  const share = (i: number, p: string) => {
    const point = health.points[i];
    return point.users > 0 ? (point.eligible[p] ?? 0) / point.users : 0;
  };
  const x = scaleLinear<number>({ domain: [0, health.points.length - 1], range: [44, Math.max(44, width - 8)] });
  // The lines' own range, to the nearest 10%: shares move by points, not by halves.
  const shares = health.points.flatMap((_, i) => purposes.map((p) => share(i, p)));
  const low = Math.max(0, Math.floor(Math.min(...shares) * 10) / 10);
  const high = Math.min(1, Math.max(low + 0.1, Math.ceil(Math.max(...shares) * 10) / 10));
  // Room above and below the lines for the tick labels, which are centred on their line.
  const y = scaleLinear<number>({ domain: [low, high], range: [HEIGHT - 10, 10] });
  const ticks = [low, (low + high) / 2, high];
  const last = health.points.length - 1;
  return (
    <div data-testid="consent-health">
      <div ref={parentRef} style={{ height: HEIGHT }}>
        <svg width={width} height={HEIGHT} aria-hidden="true" className="chart">
          {ticks.map((t) => (
            <g key={t}>
              <line className="chart-grid" x1={44} x2={width} y1={y(t)} y2={y(t)} />
              <text className="chart-axis" x={38} y={y(t) + 4} textAnchor="end">
                {Math.round(t * 100)}%
              </text>
            </g>
          ))}
          {width > 0 &&
            purposes.map((p, k) => (
              <LinePath
                key={p}
                className={`chart-line series-stroke-${k % 6}`}
                data={health.points.map((_, i) => i)}
                x={(i) => x(i)}
                y={(i) => y(share(i, p))}
              />
            ))}
        </svg>
      </div>
      <p className="hint">
        Share of the {formatNumber(health.points[last].users)} registry users eligible per purpose, at each month’s
        end from {displayDate(health.points[0].on)} to {displayDate(health.points[last].on)}
      </p>
      <ul className="legend">
        {purposes.map((p, k) => (
          <li key={p}>
            <span className={`legend-swatch series-${k % 6}`} aria-hidden="true" />
            {purposeInfo(p as never).label}{' '}
            <strong className="tabular" data-testid={`health-${p}`}>
              {formatShare(health.points[last].eligible[p] ?? 0, health.points[last].users)}
            </strong>
          </li>
        ))}
      </ul>
    </div>
  );
}
