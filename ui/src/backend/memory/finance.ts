//! Finance in memory. Nothing is computed: a fee schedule set is the recorded one for the
//! deal asked for; generating a deal's invoices the first time adds the recorded
//! invoices for that deal, and nothing after; a payment, void or credit note is recorded
//! as asked (an invoice lists its payments and credit notes) and answered in the recorded
//! shape, but an invoice's paid amount and status stay as recorded (they are the core's
//! arithmetic; the end-to-end test checks them).
//! The reports and their summaries are the recorded ones once any deal has invoices,
//! empty before. Refusals (frozen fees, an overpayment, a void invoice, ...) are the
//! recorded ones, asked for with `refuseNext`.

import type {
  AgingReport,
  DeferredReport,
  FeeTerms,
  FinanceSummary,
  Invoice,
  RevenueReport,
  RevenueSummary,
} from '../../bindings';
import type { FinanceApi, InvoiceFilter } from '../index';
import { fixtures, recorded } from '../fixtures';
import { dealRow } from './deals';
import { type MemoryState, nextId } from './state';

function invoiceRow(state: MemoryState, id: number): Invoice {
  const invoice = state.invoices.find((i) => i.id === id);
  if (!invoice) throw recorded(fixtures.errors.invoiceNotFound);
  return invoice;
}

function emptyRevenue(from: string, to: string, r: RevenueReport): RevenueReport {
  return { ...r, from, to, rows: [], totals: {}, sums: {}, in_base: null };
}

export function financeApi(state: MemoryState): FinanceApi {
  const listed = ({ dealId, status }: InvoiceFilter) => {
    if (dealId !== null) dealRow(state, dealId);
    return state.invoices.filter((i) => (dealId === null || i.deal_id === dealId) && (status === null || i.status === status));
  };
  const r = fixtures.responses;
  return {
    async dealFees(dealId) {
      dealRow(state, dealId);
      return recorded(state.fees.get(dealId) ?? null);
    },

    async setFees(dealId, input) {
      dealRow(state, dealId);
      const before = state.fees.get(dealId) ?? null;
      const fees: FeeTerms = { ...recorded(r.fees), deal_id: dealId, currency: input.currency, updated_at: state.stamp() };
      state.fees.set(dealId, fees);
      state.record('fees.set', 'fee_schedule', dealId, before, fees);
      return recorded(fees);
    },

    async generateInvoices(dealId) {
      dealRow(state, dealId);
      if (state.invoices.some((i) => i.deal_id === dealId)) return [];
      const issued = recorded(r.invoicesGenerated);
      for (const invoice of issued) {
        Object.assign(invoice, { id: nextId(state.invoices, (i) => i.id), deal_id: dealId, created_at: state.stamp() });
        state.invoices.push(invoice);
        state.record('invoice.issued', 'invoice', invoice.id, null, invoice);
      }
      return recorded(issued);
    },

    async listInvoices(filter) {
      return recorded(listed(filter));
    },

    async invoicePage(filter, offset, limit) {
      const all = recorded(listed(filter)).reverse();
      return { invoices: all.slice(offset, offset + Math.min(limit, 1000)), total: all.length };
    },

    async invoicePayments(id) {
      invoiceRow(state, id);
      return recorded(state.payments.filter((p) => p.invoice_id === id));
    },

    async addPayment(input) {
      invoiceRow(state, input.invoice_id);
      const payment = {
        ...recorded(r.payment),
        id: nextId(state.payments, (p) => p.id),
        invoice_id: input.invoice_id,
        paid_on: input.date,
        reference: input.reference ?? '',
        created_at: state.stamp(),
      };
      state.payments.push(payment);
      state.record('payment.recorded', 'payment', payment.id, null, payment);
      return recorded(payment);
    },

    async voidInvoice(id, reason) {
      const invoice = invoiceRow(state, id);
      const before = recorded(invoice);
      Object.assign(invoice, { status: 'void', voided_at: state.stamp(), void_reason: reason, balance_minor: 0 });
      state.record('invoice.voided', 'invoice', id, before, invoice);
      return recorded(invoice);
    },

    async invoiceCredits(id) {
      invoiceRow(state, id);
      return recorded(state.credits.filter((c) => c.invoice_id === id));
    },

    async creditInvoice(id, _amount, reason, date) {
      invoiceRow(state, id);
      const note = {
        ...recorded(r.creditNote),
        id: nextId(state.credits, (c) => c.id),
        invoice_id: id,
        reason,
        created_at: state.stamp(),
      };
      if (date !== null) note.issued_on = date;
      state.credits.push(note);
      state.record('credit.issued', 'credit_note', note.id, null, note);
      return note;
    },

    async revenueReport(from, to) {
      return state.invoices.length > 0 ? recorded(r.revenue) : emptyRevenue(from, to, recorded(r.revenue));
    },

    async deferredReport(at) {
      const report: DeferredReport = recorded(r.deferred);
      return state.invoices.length > 0 ? { ...report, at } : { ...report, at, rows: [], totals: {} };
    },

    async agingReport(at) {
      const report: AgingReport = recorded(r.aging);
      return state.invoices.length > 0 ? { ...report, at } : { ...report, at, invoices: [], totals: {} };
    },

    async revenueSummary(from, to, group) {
      const summary: RevenueSummary = recorded(r.revenueSummary);
      return state.invoices.length > 0 ? summary : { ...summary, from, to, group, periods: [], partners: [], sums: {} };
    },

    async financeSummary(at) {
      const summary: FinanceSummary = recorded(r.financeSummary);
      return state.invoices.length > 0
        ? { ...summary, at }
        : { ...summary, at, deferred: {}, deals: 0, aging: {}, open_invoices: 0, overdue_invoices: 0 };
    },

    async exportReportCsv(_request, path) {
      return { ...recorded(r.csvExport), path };
    },

    async fxRates() {
      return recorded(state.fxRates);
    },

    async setFxRate(input) {
      const rate = {
        ...recorded(r.fxRate),
        id: nextId(state.fxRates, (f) => f.id),
        on_date: input.date,
        from_currency: input.from,
        to_currency: input.to,
        rate: input.rate,
        created_at: state.stamp(),
      };
      state.fxRates.push(rate);
      state.record('fx.set', 'fx_rate', rate.id, null, rate);
      return recorded(rate);
    },
  };
}
