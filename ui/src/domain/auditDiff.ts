//! Turns an audit entry's before/after snapshots into a few lines people can read:
//! "status: draft → negotiating". Bookkeeping fields (ids, timestamps) are left out.

import type { AuditEntry, JsonValue } from '../bindings';

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
};

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

export function summarize(entry: AuditEntry): EntrySummary {
  const title = TITLES[entry.action] ?? entry.action;
  if (entry.before === null) {
    const renewedFrom = asObject(entry.after)?.renewed_from;
    const note =
      typeof renewedFrom === 'number' ? `created as the renewal of deal #${renewedFrom}` : 'created';
    return { title, note, changes: [] };
  }
  return { title, note: null, changes: changesOf(entry.before, entry.after) };
}
