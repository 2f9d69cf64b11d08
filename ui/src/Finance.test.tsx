import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { fixtures } from './backend/fixtures';
import type { MemoryBackend } from './backend/memory';
import type { FeeInput, Invoice } from './bindings';
import { formatMoney, formatMoneyCompact, rateToMajorText, toMajorText } from './domain/money';
import { stacksOf } from './screens/Finance/RevenueChart';
import { addPartner, dealIn, memoryBackend, renderApp } from './test/helpers';

const recorded = fixtures.responses;
const errors = fixtures.errors;

const FEES: FeeInput = {
  currency: 'USD',
  annual_fee: '1200000.00',
  escalator_pct: '3',
  billing: 'quarterly',
  terms_days: 30,
  recognition: 'ratable',
  per_delivery: null,
  per_1k_records: '0.50',
  minimum: null,
};

/** A signed deal with the recorded fee schedule and, when `invoiced`, its invoices. */
async function dealWithFees(invoiced: boolean, backend: MemoryBackend = memoryBackend()) {
  const lab = await addPartner(backend, 'Northwind Labs');
  const draft = await dealIn(backend, lab.id, 'negotiating', { title: 'Search licence' });
  await backend.setFees(draft.id, FEES);
  const deal = await backend.transitionDeal(draft.id, 'signed');
  if (invoiced) await backend.generateInvoices(deal.id, null);
  return { backend, deal };
}

describe('money for people', () => {
  it('keeps minor units exact as major-unit text, whatever the currency', () => {
    expect(toMajorText(150000000, 'USD')).toBe('1500000.00');
    expect(toMajorText(5, 'USD')).toBe('0.05');
    expect(toMajorText(-500000, 'USD')).toBe('-5000.00');
    expect(toMajorText(1500, 'JPY')).toBe('1500');
    expect(toMajorText(1234, 'BHD')).toBe('1.234');
    expect(rateToMajorText('50', 'USD')).toBe('0.50');
    expect(rateToMajorText('12.5', 'USD')).toBe('0.125');
    expect(rateToMajorText('7', 'JPY')).toBe('7');
  });

  it("formats in the user's locale with the currency's own decimals", () => {
    expect(formatMoney(150000000, 'USD', 'en-US')).toBe('$1,500,000.00');
    expect(formatMoney(150000000, 'EUR', 'de-DE')).toBe('1.500.000,00\u00a0€');
    expect(formatMoney(1500, 'JPY', 'en-US')).toBe('¥1,500');
    expect(formatMoney(1234, 'BHD', 'en-US')).toMatch(/1\.234$/);
    expect(formatMoneyCompact(150000000, 'USD', 'en-US')).toBe('$1.5M');
  });

  it('prints every cent of a sum beyond what a float holds', () => {
    // Near 2^53 minor units the nearest float to 90071992547409.87 is ...409.875: through a
    // float this would print .88.
    expect(formatMoney(9007199254740987, 'USD', 'en-US')).toBe('$90,071,992,547,409.87');
  });
});

describe('the revenue chart', () => {
  it('stacks the recorded summary by month and partner, every month of the year shown', () => {
    const summary = recorded.revenueSummary;
    const stacks = stacksOf(summary, 'recognized', 'USD');
    expect(stacks.months).toHaveLength(12);
    expect(stacks.months[0]).toBe('2026-01');
    expect(stacks.partners).toEqual(['Northwind Labs']);
    const total = [...stacks.monthTotal.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(summary.sums.USD.recognized_minor);
    // Month by month, what the full report's rows give.
    for (const measure of ['recognized', 'billed', 'collected'] as const) {
      const byMonth = stacksOf(summary, measure, 'USD').monthTotal;
      for (const month of stacks.months) {
        const rows = recorded.revenue.rows.filter((r) => r.period === month && r.currency === 'USD');
        expect(byMonth.get(month)).toBe(rows.reduce((a, r) => a + r[`${measure}_minor`], 0));
      }
    }
  });
});

describe('the Finance screen', () => {
  it('says what to do when there are no fees or invoices yet', async () => {
    const backend = memoryBackend();
    await addPartner(backend, 'Northwind Labs');
    renderApp(backend, { screen: 'finance' });
    expect(await screen.findByTestId('finance-empty')).toHaveTextContent('set its fee schedule');
    expect(await screen.findByTestId('invoices-empty')).toHaveTextContent('No invoices yet');
  });

  it('shows the cards, the chart and the aging from the core, in the currency', async () => {
    const { backend } = await dealWithFees(true);
    const { user } = renderApp(backend, { screen: 'finance' });
    const deferred = recorded.deferred.totals.USD;
    expect(await screen.findByTestId('receivable-USD')).toHaveAttribute('data-minor', String(deferred.receivable_minor));
    expect(screen.getByTestId('receivable-USD')).toHaveTextContent(formatMoney(deferred.receivable_minor, 'USD'));
    expect(screen.getByTestId('deferred-USD')).toHaveAttribute('data-minor', String(deferred.deferred_minor));
    const aging = recorded.aging.totals.USD;
    expect(screen.getByTestId('overdue-USD')).toHaveAttribute('data-minor', String(aging.total - aging.current));

    const january = recorded.revenue.rows.find((r) => r.period === '2026-01');
    expect(screen.getByTestId('revenue-chart')).toHaveAttribute('data-measure', 'recognized');
    expect(screen.getByTestId('revenue-total-2026-01')).toHaveAttribute('data-minor', String(january?.recognized_minor));
    await user.click(screen.getByTestId('measure-billed'));
    expect(screen.getByTestId('revenue-total-2026-01')).toHaveAttribute('data-minor', String(january?.billed_minor));
    await user.click(screen.getByTestId('measure-collected'));
    expect(screen.getByTestId('revenue-chart')).toHaveAttribute('data-measure', 'collected');
    expect(screen.getByTestId('revenue-sum-collected-USD')).toHaveTextContent(
      formatMoney(recorded.revenue.sums.USD.collected_minor, 'USD'),
    );

    expect(screen.getByTestId('aging-USD-61-90')).toHaveTextContent(formatMoney(aging['61-90'], 'USD'));
    expect(screen.getByTestId('aging-USD-total')).toHaveTextContent(formatMoney(aging.total, 'USD'));
  });

  it('lists invoices newest first and filters them by status', async () => {
    const { backend } = await dealWithFees(true);
    const page = vi.spyOn(backend, 'invoicePage');
    const { user } = renderApp(backend, { screen: 'finance' });
    const table = await screen.findByTestId('invoices-table');
    const numbers = within(table)
      .getAllByTestId(/^invoice-row-/)
      .map((row) => row.querySelector('.cell-strong')?.textContent);
    expect(numbers).toEqual(recorded.invoicesGenerated.map((i) => i.number).reverse());
    await user.selectOptions(screen.getByTestId('invoice-filter-status'), 'overdue');
    await waitFor(() => expect(page).toHaveBeenLastCalledWith({ dealId: null, status: 'overdue', at: null }, 0, 500));
  });

  it('records a payment, the amount starting at the open balance; an overpayment is shown under the amount', async () => {
    const { backend } = await dealWithFees(true);
    const pay = vi.spyOn(backend, 'addPayment');
    const { user } = renderApp(backend, { screen: 'finance' });
    const open = recorded.invoicesGenerated.find((i) => i.balance_minor > 0 && i.status !== 'void');
    if (!open) throw new Error('the recorded invoices have an open one');
    await user.click(await screen.findByTestId(`invoice-pay-${open.id}`));
    const dialog = await screen.findByTestId('payment-dialog');
    expect(within(dialog).getByTestId('payment-amount')).toHaveValue(toMajorText(open.balance_minor, 'USD'));
    expect(within(dialog).getByTestId('payment-open-balance')).toHaveTextContent(formatMoney(open.balance_minor, 'USD'));

    backend.refuseNext('addPayment', errors.overpayment);
    await user.clear(within(dialog).getByTestId('payment-amount'));
    await user.type(within(dialog).getByTestId('payment-amount'), '250000.00');
    await user.click(within(dialog).getByTestId('payment-save'));
    expect(await screen.findByTestId('error-amount')).toHaveTextContent('more than the open balance');
    expect(within(dialog).getByTestId('payment-amount')).toHaveFocus();
    // Typing again clears the stale message.
    await user.type(within(dialog).getByTestId('payment-amount'), '0');
    expect(screen.queryByTestId('error-amount')).not.toBeInTheDocument();

    await user.clear(within(dialog).getByTestId('payment-amount'));
    await user.type(within(dialog).getByTestId('payment-amount'), '100.00');
    await user.type(within(dialog).getByTestId('payment-reference'), 'WIRE-7');
    await user.click(within(dialog).getByTestId('payment-save'));
    await waitFor(() => expect(screen.queryByTestId('payment-dialog')).not.toBeInTheDocument());
    expect(pay).toHaveBeenLastCalledWith(
      expect.objectContaining({ invoice_id: open.id, amount: '100.00', reference: 'WIRE-7' }),
    );
  });

  it('a payment on an invoice voided meanwhile is refused in the banner', async () => {
    const { backend } = await dealWithFees(true);
    const { user } = renderApp(backend, { screen: 'finance' });
    const open = recorded.invoicesGenerated.find((i) => i.balance_minor > 0 && i.status !== 'void');
    await user.click(await screen.findByTestId(`invoice-pay-${open?.id}`));
    backend.refuseNext('addPayment', errors.paymentOnVoid);
    await user.click(await screen.findByTestId('payment-save'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('is void: it takes no payment');
    expect(screen.queryByTestId('payment-dialog')).not.toBeInTheDocument();
  });

  it('opens an invoice from its row, and voids one with no payment, giving a reason', async () => {
    const { backend } = await dealWithFees(true);
    const voidIt = vi.spyOn(backend, 'voidInvoice');
    const { user } = renderApp(backend, { screen: 'finance' });
    const invoice = recorded.invoicesGenerated[2];
    await user.click(await screen.findByTestId(`invoice-row-${invoice.id}`));
    const dialog = await screen.findByTestId('invoice-dialog');
    expect(dialog).toHaveTextContent(`Invoice ${invoice.number}`);
    expect(within(dialog).getByTestId('invoice-dialog-balance')).toHaveTextContent(formatMoney(invoice.balance_minor, 'USD'));
    // Unpaid: it can be voided, not credited.
    expect(within(dialog).queryByTestId('invoice-credit')).not.toBeInTheDocument();
    await user.click(within(dialog).getByTestId('invoice-void'));
    await user.type(within(dialog).getByTestId('correction-reason'), 'Billed on the wrong entity');
    await user.click(within(dialog).getByTestId('correction-save'));
    expect(await within(dialog).findByTestId('invoice-dialog-done')).toHaveTextContent(`${invoice.number} is void`);
    expect(voidIt).toHaveBeenCalledWith(invoice.id, 'Billed on the wrong entity');
    expect(await within(dialog).findByTestId('invoice-dialog-status')).toHaveAttribute('data-status', 'void');
    expect(within(dialog).queryByTestId('invoice-void')).not.toBeInTheDocument();
  });

  it('credits a paid invoice on the day finance gives; a day before the invoice goes under the date', async () => {
    const { backend } = await dealWithFees(true);
    // The memory backend keeps an invoice's figures as recorded: the page shows one paid.
    const paid = recorded.invoicesGenerated[0];
    const page = backend.invoicePage.bind(backend);
    vi.spyOn(backend, 'invoicePage').mockImplementation(async (...args) => {
      const answer = await page(...args);
      const settle = (i: Invoice) => (i.id === paid.id ? { ...i, paid_minor: i.amount_minor, balance_minor: 0, status: 'paid' } : i);
      return { ...answer, invoices: answer.invoices.map(settle) };
    });
    const credit = vi.spyOn(backend, 'creditInvoice');
    const { user } = renderApp(backend, { screen: 'finance' });
    await user.click(await screen.findByTestId(`invoice-row-${paid.id}`));
    const dialog = await screen.findByTestId('invoice-dialog');
    await user.click(within(dialog).getByTestId('invoice-credit'));
    await user.type(within(dialog).getByTestId('credit-amount'), '5000.00');
    await user.clear(within(dialog).getByTestId('credit-date'));
    await user.type(within(dialog).getByTestId('credit-date'), '2025-12-31');
    await user.type(within(dialog).getByTestId('correction-reason'), 'Late delivery discount');
    backend.refuseNext('creditInvoice', errors.creditBeforeIssue);
    await user.click(within(dialog).getByTestId('correction-save'));
    expect(await within(dialog).findByTestId('error-date')).toHaveTextContent('is before');
    expect(credit).toHaveBeenLastCalledWith(paid.id, '5000.00', 'Late delivery discount', '2025-12-31');

    await user.clear(within(dialog).getByTestId('credit-date'));
    await user.type(within(dialog).getByTestId('credit-date'), '2026-06-30');
    await user.click(within(dialog).getByTestId('correction-save'));
    expect(await within(dialog).findByTestId('invoice-dialog-done')).toHaveTextContent(
      `Credit note ${recorded.creditNote.number} issued`,
    );
    expect(credit).toHaveBeenLastCalledWith(paid.id, '5000.00', 'Late delivery discount', '2026-06-30');
    // The dialog lists the invoice's credit notes, with their dates.
    const notes = await within(dialog).findByTestId('invoice-credits');
    expect(notes).toHaveTextContent(`${recorded.creditNote.number} · Jun 30, 2026`);
    expect(notes).toHaveTextContent('Late delivery discount');
  });

  it('exports a report as CSV where the save dialog says, and says where it went', async () => {
    const { backend } = await dealWithFees(true);
    const pick = vi.spyOn(backend, 'pickSaveFile').mockResolvedValue('/data/aging.csv');
    const write = vi.spyOn(backend, 'exportReportCsv');
    const { user } = renderApp(backend, { screen: 'finance' });
    await user.click(await screen.findByTestId('aging-export'));
    expect(pick).toHaveBeenCalledWith('csv', expect.stringMatching(/^aging-\d{4}-\d{2}-\d{2}\.csv$/));
    expect(write).toHaveBeenCalledWith(expect.objectContaining({ report: 'aging' }), '/data/aging.csv');
    expect(await screen.findByTestId('aging-export-done')).toHaveTextContent('1 row written to /data/aging.csv');
  });
});

describe('fees and invoices on a deal', () => {
  it('sets the fee schedule while negotiating; field refusals go under their fields', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind Labs');
    const deal = await dealIn(backend, lab.id, 'negotiating');
    const set = vi.spyOn(backend, 'setFees');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    expect(await screen.findByTestId('fees-empty')).toHaveTextContent('No fee schedule yet');
    await user.click(screen.getByTestId('fees-edit'));
    const dialog = await screen.findByTestId('fee-dialog');
    await user.clear(within(dialog).getByTestId('fee-currency'));
    await user.type(within(dialog).getByTestId('fee-currency'), 'xyz');
    await user.type(within(dialog).getByTestId('fee-annual'), '-5');
    await user.clear(within(dialog).getByTestId('fee-escalator'));
    await user.type(within(dialog).getByTestId('fee-escalator'), '150');
    backend.refuseNext('setFees', errors.feesInvalid);
    await user.click(within(dialog).getByTestId('fee-save'));
    expect(await screen.findByTestId('error-currency')).toHaveTextContent('not an ISO 4217 currency code');
    expect(screen.getByTestId('error-escalator_pct')).toHaveTextContent('over 100%');
    expect(set).toHaveBeenLastCalledWith(deal.id, expect.objectContaining({ currency: 'XYZ', annual_fee: '-5', escalator_pct: '150' }));

    await user.clear(within(dialog).getByTestId('fee-currency'));
    await user.type(within(dialog).getByTestId('fee-currency'), 'USD');
    await user.clear(within(dialog).getByTestId('fee-annual'));
    await user.type(within(dialog).getByTestId('fee-annual'), '1200000.00');
    await user.clear(within(dialog).getByTestId('fee-escalator'));
    await user.type(within(dialog).getByTestId('fee-escalator'), '3');
    await user.selectOptions(within(dialog).getByTestId('fee-billing'), 'quarterly');
    await user.click(within(dialog).getByTestId('fee-save'));
    await waitFor(() => expect(screen.queryByTestId('fee-dialog')).not.toBeInTheDocument());
    expect(set).toHaveBeenLastCalledWith(deal.id, expect.objectContaining({ billing: 'quarterly', terms_days: 30 }));
    expect(await screen.findByTestId('fees-annual')).toHaveTextContent(formatMoney(recorded.fees.annual_fee_minor, 'USD'));
  });

  it('freezes the fees once signed, and issues the due invoices once', async () => {
    const { backend, deal } = await dealWithFees(false);
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    expect(await screen.findByTestId('fees-frozen')).toBeInTheDocument();
    expect(screen.queryByTestId('fees-edit')).not.toBeInTheDocument();
    expect(await screen.findByTestId('deal-invoices-empty')).toHaveTextContent('issue what is due');
    await user.click(screen.getByTestId('invoices-generate'));
    expect(await screen.findByTestId('invoices-issued')).toHaveTextContent(
      `${recorded.invoicesGenerated.length} invoices issued`,
    );
    const table = await screen.findByTestId('deal-invoices-table');
    expect(within(table).getAllByTestId(/^invoice-row-/)).toHaveLength(recorded.invoicesGenerated.length);
    await user.click(screen.getByTestId('invoices-generate'));
    expect(await screen.findByTestId('invoices-issued')).toHaveTextContent('Nothing new is due');
  });

  it('a draft deal cannot issue invoices: the button only shows once signed', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind Labs');
    const deal = await dealIn(backend, lab.id, 'draft');
    await backend.setFees(deal.id, FEES);
    renderApp(backend, { screen: 'deal', id: deal.id });
    expect(await screen.findByTestId('fees-summary')).toBeInTheDocument();
    expect(screen.queryByTestId('invoices-generate')).not.toBeInTheDocument();
    expect(await screen.findByTestId('deal-invoices-empty')).toHaveTextContent('once the deal is signed');
  });
});
