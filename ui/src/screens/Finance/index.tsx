//! The Finance screen (PRODUCT.md §5): what the licensing business earned, billed and
//! collected. Cards for deferred revenue and receivables today, the revenue chart of a
//! year by month, every invoice with filters and payment entry, and the aging of what is
//! open. Each report exports as CSV through a save dialog. Every figure is the core's:
//! the cards and the aging table are the totals of the deferred and aging reports
//! (`finance_summary`), the chart the revenue report summed per partner
//! (`revenue_summary`), the invoices `invoice_page`; the full reports, a row per deal or
//! open invoice (tens of MB at 100,000 invoices), only go to the CSV exports.

import { useCallback, useMemo, useState } from 'react';

import type { DealId, FinanceSummary, ReportRequest } from '../../bindings';
import { useApp } from '../../context';
import { displayDate, todayText } from '../../domain/dates';
import { formatMoney } from '../../domain/money';
import { formatNumber } from '../../domain/units';
import { useDeals } from '../../queries/deals';
import { useExportCsv, useFinanceSummary, useInvoicePages, useRevenueSummary } from '../../queries/finance';
import { INVOICE_STATUSES, InvoiceTable, invoiceStatusLabel } from './Invoices';
import { MEASURES, RevenueChart, type Measure } from './RevenueChart';
import { startTiming } from '../../timings';

interface FinanceProps {
  /** Open with the invoices filtered to one deal or one status (a dashboard card's link). */
  dealId?: DealId;
  status?: string;
}

/** Currencies present in a per-currency map, the one with most money first. */
function currenciesOf(totals: Record<string, number>): string[] {
  return Object.entries(totals)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c]) => c);
}

export function Finance({ dealId, status }: FinanceProps) {
  const today = todayText();
  const [year, setYear] = useState(() => Number(today.slice(0, 4)));
  const [measure, setMeasure] = useState<Measure>('recognized');
  const [chosenCurrency, setCurrency] = useState<string | null>(null);
  const [dealFilter, setDealFilter] = useState<DealId | null>(dealId ?? null);
  const [statusFilter, setStatusFilter] = useState<string | null>(status ?? null);

  const deals = useDeals().data ?? [];
  const dealLabel = useMemo(() => {
    const names = new Map(deals.map((d) => [d.id, `${d.partner_name} · ${d.title}`]));
    return (id: DealId) => names.get(id) ?? `Deal #${id}`;
  }, [deals]);

  // The invoices asked for first: the store answers one request at a time (one
  // connection), and a page of invoices costs milliseconds where a summary reads all the
  // books; asked first, the table need not wait behind the cards.
  const invoices = useInvoicePages({ dealId: dealFilter, status: statusFilter, at: null });
  const revenue = useRevenueSummary({ from: `${year}-01-01`, to: `${year}-12-31`, group: 'month' });
  const summary = useFinanceSummary(today);
  const invoiceRows = useMemo(() => invoices.data?.pages.flatMap((p) => p.invoices), [invoices.data]);
  const invoiceTotal = invoices.data?.pages[invoices.data.pages.length - 1]?.total ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = invoices;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  // Thousands of deals: the options are made once per list, not on every render.
  const dealOptions = useMemo(
    () =>
      deals.map((d) => (
        <option key={d.id} value={d.id}>
          {dealLabel(d.id)}
        </option>
      )),
    [deals, dealLabel],
  );

  const recognizedTotals = Object.fromEntries(
    Object.entries(revenue.data?.sums ?? {}).map(([c, s]) => [c, s.recognized_minor]),
  );
  const currencies = currenciesOf(recognizedTotals);
  const currency = chosenCurrency && currencies.includes(chosenCurrency) ? chosenCurrency : (currencies[0] ?? null);
  const hasBooks = (summary.data?.deals ?? 0) > 0 || invoiceTotal > 0 || currencies.length > 0;

  return (
    <section className="screen" data-testid="finance" aria-labelledby="finance-title">
      <header className="screen-header">
        <div>
          <h1 id="finance-title">Finance</h1>
          <p className="screen-subtitle">
            Fees recognized, billed and collected across deals, in each deal’s currency. Figures as of{' '}
            {displayDate(today)}.
          </p>
        </div>
      </header>

      {!hasBooks && !revenue.isPending && (
        <div className="empty-state" data-testid="finance-empty">
          <p className="empty-title">No fees or invoices yet</p>
          <p>
            Open a deal, set its fee schedule under <strong>Fees &amp; invoices</strong>, sign it and issue its invoices:
            they show up here with the revenue they recognize.
          </p>
        </div>
      )}

      <div className="section-bar">
        <h2 className="section-bar-title">Today</h2>
        <ExportButton
          testId="deferred-export"
          name={`deferred-${today}.csv`}
          request={{ report: 'deferred', at: today, deal_id: null, base: null }}
        />
      </div>
      <SummaryCards summary={summary.data} error={summary.error} />

      <section className="card" aria-labelledby="revenue-title" data-testid="revenue-card">
        <div className="card-header">
          <h2 id="revenue-title" className="card-title">
            Revenue by month
          </h2>
          <div className="card-header-actions">
            <div className="year-nav" role="group" aria-label="Year">
              <button
                type="button"
                className="button button-small"
                aria-label="Previous year"
                data-testid="year-prev"
                onClick={() => setYear(year - 1)}
              >
                ‹
              </button>
              <span className="year-nav-label" data-testid="finance-year">
                {year}
              </span>
              <button
                type="button"
                className="button button-small"
                aria-label="Next year"
                data-testid="year-next"
                onClick={() => setYear(year + 1)}
              >
                ›
              </button>
            </div>
            <ExportButton
              testId="revenue-export"
              name={`revenue-${year}.csv`}
              request={{ report: 'revenue', from: `${year}-01-01`, to: `${year}-12-31`, group: 'month', deal_id: null, base: null }}
            />
          </div>
        </div>
        <div className="chart-controls">
          <div className="segmented" role="radiogroup" aria-label="Measure">
            {MEASURES.map((m) => (
              <button
                key={m.measure}
                type="button"
                role="radio"
                aria-checked={measure === m.measure}
                className="segmented-item"
                data-testid={`measure-${m.measure}`}
                onClick={() => setMeasure(m.measure)}
              >
                {m.label}
              </button>
            ))}
          </div>
          {currencies.length > 1 && (
            <select
              className="select-auto"
              aria-label="Currency"
              data-testid="revenue-currency"
              value={currency ?? ''}
              onChange={(e) => setCurrency(e.target.value)}
            >
              {currencies.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          )}
          <span className="hint-inline">By partner, stacked.</span>
        </div>
        {revenue.error && <p className="muted">The revenue report could not be made: {revenue.error.message}</p>}
        {revenue.data && currency && <RevenueChart summary={revenue.data} measure={measure} currency={currency} />}
        {revenue.data && !currency && (
          <p className="muted" data-testid="revenue-empty">
            No fees recognized in {year}.
          </p>
        )}
        {revenue.data && currencies.length > 0 && (
          <dl className="stats revenue-sums" aria-label={`Totals for ${year}`}>
            {currencies.map((c) => {
              const sums = revenue.data.sums[c];
              return (
                <div key={c} className="stat-group">
                  {MEASURES.map((m) => (
                    <div key={m.measure} className="stat">
                      <dt>
                        {m.label} {currencies.length > 1 ? c : ''}
                      </dt>
                      <dd data-testid={`revenue-sum-${m.measure}-${c}`}>
                        {formatMoney(sums ? sums[`${m.measure}_minor`] : 0, c)}
                      </dd>
                    </div>
                  ))}
                </div>
              );
            })}
          </dl>
        )}
      </section>

      <section className="card card-table" aria-labelledby="invoices-title" data-testid="invoices-card">
        <div className="card-header">
          <h2 id="invoices-title" className="card-title">
            Invoices
          </h2>
          <div className="card-header-actions toolbar">
            <select
              aria-label="Deal"
              data-testid="invoice-filter-deal"
              value={dealFilter ?? ''}
              onChange={(e) => {
                startTiming('invoices', 'filter');
                setDealFilter(e.target.value === '' ? null : Number(e.target.value));
              }}
            >
              <option value="">All deals</option>
              {dealOptions}
            </select>
            <select
              aria-label="Status"
              data-testid="invoice-filter-status"
              value={statusFilter ?? ''}
              onChange={(e) => {
                startTiming('invoices', 'filter');
                setStatusFilter(e.target.value === '' ? null : e.target.value);
              }}
            >
              <option value="">Any status</option>
              {INVOICE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {invoiceStatusLabel(s)}
                </option>
              ))}
            </select>
            {invoices.data && (
              <span className="toolbar-count" data-testid="invoice-count">
                {formatNumber(invoiceTotal)} {invoiceTotal === 1 ? 'invoice' : 'invoices'}
              </span>
            )}
          </div>
        </div>
        {invoices.error && <p className="muted">The invoices could not be read: {invoices.error.message}</p>}
        {invoiceRows && invoiceRows.length === 0 && (
          <p className="muted" data-testid="invoices-empty">
            {dealFilter !== null || statusFilter !== null
              ? 'No invoice matches these filters.'
              : 'No invoices yet. A signed deal with a fee schedule issues them from its page.'}
          </p>
        )}
        {invoiceRows && invoiceRows.length > 0 && (
          <InvoiceTable invoices={invoiceRows} newestFirst onEndReached={loadMore} dealLabel={dealLabel} />
        )}
      </section>

      <AgingCard
        summary={summary.data}
        error={summary.error?.message}
        at={today}
        onShowOverdue={() => {
          setDealFilter(null);
          setStatusFilter('overdue');
          document.getElementById('invoices-title')?.scrollIntoView({ block: 'start' });
        }}
      />

    </section>
  );
}

/** Lines of "amount" per currency, largest first; a dash when there are none. */
function MoneyLines({ amounts, testId }: { amounts: Record<string, number>; testId: string }) {
  const shown = currenciesOf(amounts).filter((c) => amounts[c] !== 0);
  if (shown.length === 0) {
    return (
      <span className="metric-value" data-testid={`${testId}-none`}>
        —
      </span>
    );
  }
  return (
    <>
      {shown.map((c) => (
        <span key={c} className="metric-value" data-testid={`${testId}-${c}`} data-minor={amounts[c]}>
          {formatMoney(amounts[c], c)}
        </span>
      ))}
    </>
  );
}

function SummaryCards({ summary, error }: { summary?: FinanceSummary; error?: { message: string } | null }) {
  if (error) return <p className="muted">The finance summary could not be made: {error.message}</p>;
  if (!summary) return null;
  const pick = (field: 'deferred_minor' | 'receivable_minor' | 'owed_back_minor') =>
    Object.fromEntries(Object.entries(summary.deferred).map(([c, t]) => [c, t[field]]));
  const overdue = Object.fromEntries(Object.entries(summary.aging).map(([c, t]) => [c, t.total - t.current]));
  const owedBack = pick('owed_back_minor');
  const overdueCount = summary.overdue_invoices;
  return (
    <div className="metrics finance-metrics" data-testid="finance-cards">
      <div className="metric" data-testid="card-deferred">
        <span className="metric-label">Deferred revenue</span>
        <MoneyLines amounts={pick('deferred_minor')} testId="deferred" />
        <span className="metric-note">Billed, not yet earned</span>
      </div>
      <div className="metric" data-testid="card-receivables">
        <span className="metric-label">Receivables</span>
        <MoneyLines amounts={pick('receivable_minor')} testId="receivable" />
        <span className="metric-note">Billed, not yet paid</span>
      </div>
      <div className={overdueCount > 0 ? 'metric metric-bad' : 'metric'} data-testid="card-overdue">
        <span className="metric-label">Overdue</span>
        <MoneyLines amounts={overdue} testId="overdue" />
        <span className="metric-note">
          {overdueCount} {overdueCount === 1 ? 'invoice' : 'invoices'} past due
        </span>
      </div>
      <div className="metric" data-testid="card-owed-back">
        <span className="metric-label">Owed back</span>
        <MoneyLines amounts={owedBack} testId="owed-back" />
        <span className="metric-note">Billed past a termination, not credited</span>
      </div>
    </div>
  );
}

const BUCKETS = [
  { key: 'current', label: 'Current' },
  { key: '1-30', label: '1–30 days' },
  { key: '31-60', label: '31–60 days' },
  { key: '61-90', label: '61–90 days' },
  { key: 'over_90', label: 'Over 90 days' },
] as const;

interface AgingCardProps {
  summary?: FinanceSummary;
  error?: string;
  at: string;
  onShowOverdue: () => void;
}

function AgingCard({ summary, error, at, onShowOverdue }: AgingCardProps) {
  const currencies = summary ? Object.keys(summary.aging).sort() : [];
  const overdue = summary?.overdue_invoices ?? 0;
  return (
    <section className="card card-table" aria-labelledby="aging-title" data-testid="aging-card">
      <div className="card-header">
        <h2 id="aging-title" className="card-title">
          Receivables aging
        </h2>
        <div className="card-header-actions">
          {overdue > 0 && (
            <button type="button" className="button" data-testid="aging-show-overdue" onClick={onShowOverdue}>
              Show the {overdue} overdue {overdue === 1 ? 'invoice' : 'invoices'}
            </button>
          )}
          <ExportButton
            testId="aging-export"
            name={`aging-${at}.csv`}
            request={{ report: 'aging', at, deal_id: null, base: null }}
          />
        </div>
      </div>
      {error && <p className="muted">The aging report could not be made: {error}</p>}
      {summary && currencies.length === 0 && (
        <p className="muted" data-testid="aging-empty">
          Nothing is open: every issued invoice is paid, credited or void.
        </p>
      )}
      {summary && currencies.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="aging-table">
            <thead>
              <tr>
                <th scope="col">Currency</th>
                {BUCKETS.map((b) => (
                  <th key={b.key} scope="col" className="numeric">
                    {b.label}
                  </th>
                ))}
                <th scope="col" className="numeric">
                  Total open
                </th>
              </tr>
            </thead>
            <tbody>
              {currencies.map((c) => {
                const t = summary.aging[c];
                return (
                  <tr key={c} data-testid={`aging-row-${c}`}>
                    <th scope="row">{c}</th>
                    {BUCKETS.map((b) => (
                      <td key={b.key} className={t[b.key] > 0 && b.key !== 'current' ? 'numeric cell-overdue' : 'numeric'} data-testid={`aging-${c}-${b.key}`}>
                        {t[b.key] === 0 ? <span className="muted">—</span> : formatMoney(t[b.key], c)}
                      </td>
                    ))}
                    <td className="numeric cell-strong" data-testid={`aging-${c}-total`}>
                      {formatMoney(t.total, c)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Asks where to save, then writes the report's CSV there and says where it went. */
function ExportButton({ request, name, testId }: { request: ReportRequest; name: string; testId: string }) {
  const { backend, reportError, clearError } = useApp();
  const exportCsv = useExportCsv();
  const [done, setDone] = useState<string | null>(null);
  const run = async () => {
    try {
      const path = await backend.pickSaveFile('csv', name);
      if (path === null) return;
      const written = await exportCsv.mutateAsync({ request, path });
      clearError();
      setDone(`${written.rows} ${written.rows === 1 ? 'row' : 'rows'} written to ${written.path}`);
    } catch (error) {
      reportError(error);
    }
  };
  return (
    <>
      {done && (
        <span className="hint-inline" role="status" data-testid={`${testId}-done`} title={done}>
          {done}
        </span>
      )}
      <button type="button" className="button" data-testid={testId} disabled={exportCsv.isPending} onClick={run}>
        Export CSV…
      </button>
    </>
  );
}
