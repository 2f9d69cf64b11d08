//! Finance: a deal's fee schedule, invoices, payments and the reports. Every change
//! (fees, invoices issued, a payment, a void, a credit note, an FX rate) invalidates all
//! of finance: a payment changes its invoice's status, the receivables, the aging and
//! the revenue chart's collected bars at once, and the screens must agree.

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';

import type {
  DealId,
  FeeInput,
  FxRateInput,
  Grouping,
  InvoiceId,
  PaymentInput,
  ReportRequest,
} from '../bindings';
import type { InvoiceFilter } from '../backend';
import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function useDealFees(dealId: DealId) {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.finance.fees(dealId), queryFn: () => call(() => backend.dealFees(dealId)) });
}

export function useInvoices(filter: InvoiceFilter) {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.finance.invoices(filter), queryFn: () => call(() => backend.listInvoices(filter)) });
}

/** How many invoices the Finance screen asks the core for at a time. */
export const INVOICE_PAGE = 500;

/**
 * Every deal's invoices newest first, a page at a time (`fetchNextPage` as the table
 * scrolls): 100,000 invoices as one answer would take seconds to cross IPC. A filter
 * change keeps showing the previous rows until its first page arrives.
 */
export function useInvoicePages(filter: InvoiceFilter) {
  const { backend } = useApp();
  return useInfiniteQuery({
    queryKey: keys.finance.invoicePages(filter),
    queryFn: ({ pageParam }) => call(() => backend.invoicePage(filter, pageParam, INVOICE_PAGE)),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.invoices.length, 0);
      return last.invoices.length > 0 && loaded < last.total ? loaded : undefined;
    },
    placeholderData: keepPreviousData,
  });
}

export function useInvoiceCredits(id: InvoiceId | null) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.finance.credits(id ?? 0),
    queryFn: () => call(() => backend.invoiceCredits(id as InvoiceId)),
    enabled: id !== null,
  });
}

export function useInvoicePayments(id: InvoiceId | null) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.finance.payments(id ?? 0),
    queryFn: () => call(() => backend.invoicePayments(id as InvoiceId)),
    enabled: id !== null,
  });
}

/** The revenue of every deal summed per partner and currency, by period: the charts. */
export function useRevenueSummary(args: { from: string; to: string; group: Grouping }) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.finance.report('revenue-summary', args),
    queryFn: () => call(() => backend.revenueSummary(args.from, args.to, args.group)),
  });
}

/** The deferred and aging totals at `at` per currency, with their counts: the cards. */
export function useFinanceSummary(at: string) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.finance.report('summary', { at }),
    queryFn: () => call(() => backend.financeSummary(at)),
  });
}

export function useFxRates() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.finance.fx, queryFn: () => call(() => backend.fxRates()) });
}

/** After any finance change: every finance query, and the audit log that gained entries. */
function changed(client: QueryClient) {
  return Promise.all([
    client.invalidateQueries({ queryKey: keys.finance.all }),
    client.invalidateQueries({ queryKey: keys.audit.all }),
  ]);
}

/** A mutation of finance: calls `run`, then refreshes every finance query. */
function useFinanceMutation<A, R>(run: (args: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: (args: A) => call(() => run(args)), onSuccess: () => changed(client) });
}

export function useSetFees() {
  const { backend } = useApp();
  return useFinanceMutation(({ dealId, input }: { dealId: DealId; input: FeeInput }) => backend.setFees(dealId, input));
}

export function useGenerateInvoices() {
  const { backend } = useApp();
  return useFinanceMutation((dealId: DealId) => backend.generateInvoices(dealId, null));
}

export function useAddPayment() {
  const { backend } = useApp();
  return useFinanceMutation((input: PaymentInput) => backend.addPayment(input));
}

export function useVoidInvoice() {
  const { backend } = useApp();
  return useFinanceMutation(({ id, reason }: { id: InvoiceId; reason: string }) => backend.voidInvoice(id, reason));
}

export function useCreditInvoice() {
  const { backend } = useApp();
  return useFinanceMutation(
    ({ id, amount, reason, date }: { id: InvoiceId; amount: string; reason: string; date: string | null }) =>
      backend.creditInvoice(id, amount, reason, date),
  );
}

export function useSetFxRate() {
  const { backend } = useApp();
  return useFinanceMutation((input: FxRateInput) => backend.setFxRate(input));
}

/** Writes a report's CSV; nothing in the store changes, so nothing is invalidated. */
export function useExportCsv() {
  const { backend } = useApp();
  return useMutation({
    mutationFn: ({ request, path }: { request: ReportRequest; path: string }) =>
      call(() => backend.exportReportCsv(request, path)),
  });
}
