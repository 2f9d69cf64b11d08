//! Turns an audit entry's before/after snapshots into a few lines people can read:
//! "status: draft → negotiating". Bookkeeping fields (ids, timestamps) are left out.

import type { AuditEntry, JsonValue } from '../bindings';
import { formatMoney } from './money';
import { formatCount } from './units';

export interface Change {
  field: string;
  label: string;
  before: string;
  after: string;
}

export interface EntrySummary {
  /** What happened, e.g. "Status changed". */
  title: string;
  /** For entries without a before: "created", "created as the renewal of deal #3". */
  note: string | null;
  changes: Change[];
}

const LABELS: Record<string, string> = {
  status: 'status',
  title: 'title',
  partner_name: 'partner',
  purposes: 'purposes',
  start_date: 'start',
  end_date: 'end',
  territory: 'territory',
  exclusive: 'exclusive',
  retention_days: 'retention (days)',
  withdrawal_days: 'withdrawal notice days',
  attribution_required: 'attribution required',
  sublicensing_allowed: 'sublicensing allowed',
  notes: 'notes',
  renewed_from: 'renews deal',
  renewed_by: 'renewed by deal',
  name: 'name',
  kind: 'kind',
  country: 'country',
  contact: 'contact',
};

/** Never shown: they change with every write or follow from a shown field. */
const HIDDEN = new Set(['id', 'created_at', 'updated_at', 'partner_id']);

const TITLES: Record<string, string> = {
  'deal.created': 'Created',
  'deal.updated': 'Terms edited',
  'deal.transitioned': 'Status changed',
  'deal.renewed': 'Created as a renewal',
  'partner.created': 'Created',
  'partner.updated': 'Edited',
  'fees.set': 'Fee schedule set',
};

type Image = Record<string, JsonValue>;

/** Entries about what belongs to a deal, each said in one line from its after-image. */
const EVENTS: Record<string, (a: Image, currency: string | null) => { title: string; note: string | null }> = {
  'snapshot.sealed': (a) => ({
    title: `Snapshot #${a.snapshot_id} sealed`,
    note: `${count(a.records_included)} records included as of ${a.as_of}, under policy version ${a.policy_version}`,
  }),
  'delivery.created': (a) => ({
    title: `Delivery #${a.sequence} signed`,
    note: `snapshot #${a.snapshot_id}, ${count(a.records)} records, key ${a.key_id}`,
  }),
  'delivery.pushed': (a) => ({ title: `Pushed ${a.key}`, note: `to ${a.destination}` }),
  'withdrawal.issued': (a) => ({
    title: `Withdrawal notice #${a.sequence} issued`,
    note: `${count(a.user_count)} users, ${count(a.record_count)} records; acknowledgement due ${a.due_date}`,
  }),
  'withdrawal.acknowledged': (a) => ({
    title: `Withdrawal notice #${a.sequence} acknowledged`,
    note: a.acknowledged_on ? `on ${a.acknowledged_on}` : null,
  }),
  'invoice.issued': (a) => ({
    title: `Invoice ${a.number} issued`,
    note: `${money(a.amount_minor, a.currency)}, due ${a.due_date}`,
  }),
  'invoice.voided': (a) => ({ title: `Invoice ${a.number} voided`, note: a.void_reason ? String(a.void_reason) : null }),
  'credit.issued': (a, currency) => ({
    title: `Credit note ${a.number}`,
    note: `${money(a.amount_minor, currency)}: ${a.reason}`,
  }),
  'payment.recorded': (a, currency) => ({
    title: 'Payment recorded',
    note: `${money(a.amount_minor, currency)} paid on ${a.paid_on}${a.reference ? `, reference ${a.reference}` : ''}`,
  }),
};

function count(value: JsonValue | undefined): string {
  return typeof value === 'number' ? formatCount(value) : '?';
}

/** An amount in its currency, or in minor units when the currency is not known here. */
function money(minor: JsonValue | undefined, currency: JsonValue | string | null | undefined): string {
  if (typeof minor !== 'number') return '?';
  return typeof currency === 'string' ? formatMoney(minor, currency) : `${formatCount(minor)} minor units`;
}

function asObject(value: JsonValue | null): Record<string, JsonValue> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
}

export function formatValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map((v) => formatValue(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export function changesOf(before: JsonValue | null, after: JsonValue | null): Change[] {
  const b = asObject(before) ?? {};
  const a = asObject(after) ?? {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((f) => !HIDDEN.has(f));
  return fields
    .filter((f) => JSON.stringify(b[f] ?? null) !== JSON.stringify(a[f] ?? null))
    .map((f) => ({
      field: f,
      label: LABELS[f] ?? f.replace(/_/g, ' '),
      before: formatValue(b[f]),
      after: formatValue(a[f]),
    }));
}

/**
 * One entry in words. `currency` is the deal's, for payments and credit notes, whose
 * images carry no currency of their own.
 */
export function summarize(entry: AuditEntry, currency: string | null = null): EntrySummary {
  const event = EVENTS[entry.action];
  const image = asObject(entry.after) ?? asObject(entry.before);
  if (event && image) return { ...event(image, currency), changes: [] };
  const title = TITLES[entry.action] ?? entry.action;
  if (entry.before === null) {
    const renewedFrom = asObject(entry.after)?.renewed_from;
    const note =
      typeof renewedFrom === 'number' ? `created as the renewal of deal #${renewedFrom}` : 'created';
    return { title, note, changes: [] };
  }
  return { title, note: null, changes: changesOf(entry.before, entry.after) };
}
