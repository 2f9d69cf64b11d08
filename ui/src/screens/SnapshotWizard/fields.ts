//! The wizard's fields: one table of the build request's fields (the core's names, in the
//! order the wizard shows them) with their inputs, labels and starting values, and the
//! checks made before the core is asked.

import type { BuildRequest, DealId } from '../../bindings';
import { isInstant, minuteInstant, parseDate } from '../../domain/dates';
import { FieldTable, type FieldErrors, type FieldInfo } from '../../forms';

interface WizardField extends FieldInfo {
  /** The value a new wizard starts with. */
  initial: string;
}

const fields = {
  source: { input: 'wizard-source', label: 'Source file', initial: '' },
  format: { input: 'wizard-format', label: 'Format', initial: '' },
  id_field: { input: 'wizard-id-field', label: 'Record id field', initial: 'id' },
  user_field: { input: 'wizard-user-field', label: 'Author field', initial: 'author' },
  time_field: { input: 'wizard-time-field', label: 'Created-at field', initial: 'created_utc' },
  as_of: { input: 'wizard-as-of', label: 'As of (cut-off)', initial: '' },
  window_from: { input: 'wizard-window-from', label: 'Content from (optional)', initial: '' },
  window_to: { input: 'wizard-window-to', label: 'Content to (optional)', initial: '' },
  /** In MiB on screen, bytes in the request. */
  shard_bytes: { input: 'wizard-shard-mib', label: 'Shard size', initial: '' },
  max_rejected_pct: { input: 'wizard-max-rejected', label: 'Max. rejected lines', initial: '' },
  out: { input: 'wizard-out', label: 'Output folder', initial: '' },
} satisfies Record<string, WizardField>;

export type WizardFieldName = keyof typeof fields;
export const FIELDS = new FieldTable<WizardFieldName>(fields);
export const F: Readonly<Record<WizardFieldName, WizardField>> = fields;

/** What the wizard holds: each field's text as typed. */
export type Values = Record<WizardFieldName, string>;

/** A new wizard's values; the cut-off defaults to the current minute. */
export function initialValues(now: Date): Values {
  const values = Object.fromEntries(FIELDS.names.map((f) => [f, F[f].initial])) as Values;
  values.as_of = minuteInstant(now);
  return values;
}

const MIB = 1024 * 1024;

export const NO_SOURCE = 'Enter the path of the source file, or choose one with Browse…';

export function optional(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : t;
}

/** The mistakes worth catching before the core is asked; it checks everything again. */
export function check(v: Values): FieldErrors {
  const errors: FieldErrors = {};
  if (v.source.trim() === '') errors.source = NO_SOURCE;
  if (v.id_field.trim() === '') errors.id_field = 'Name the field that holds the record id.';
  if (v.user_field.trim() === '') errors.user_field = 'Name the field that holds the author’s user id.';
  if (v.time_field.trim() === '') errors.time_field = 'Name the field that holds the creation time.';
  if (!isInstant(v.as_of)) errors.as_of = 'Use RFC 3339 with a zone, e.g. 2026-11-27T10:00:00Z.';
  const from = optional(v.window_from);
  const to = optional(v.window_to);
  if (from !== null && parseDate(from) === null) errors.window_from = 'Use the form YYYY-MM-DD.';
  if (to !== null && parseDate(to) === null) errors.window_to = 'Use the form YYYY-MM-DD.';
  else if (from !== null && to !== null && parseDate(from) !== null && to < from)
    errors.window_to = 'The window ends before it starts.';
  const shard = optional(v.shard_bytes);
  if (shard !== null && !(Number(shard) > 0)) errors.shard_bytes = 'Enter a size in MiB, e.g. 256.';
  const pct = optional(v.max_rejected_pct);
  if (pct !== null && !(Number(pct) >= 0 && Number(pct) <= 100)) errors.max_rejected_pct = 'Enter a percentage from 0 to 100.';
  return errors;
}

export function toRequest(dealId: DealId, v: Values): BuildRequest {
  const shard = optional(v.shard_bytes);
  const pct = optional(v.max_rejected_pct);
  return {
    deal_id: dealId,
    source: v.source.trim(),
    format: optional(v.format),
    id_field: v.id_field.trim(),
    user_field: v.user_field.trim(),
    time_field: v.time_field.trim(),
    as_of: v.as_of.trim(),
    window_from: optional(v.window_from),
    window_to: optional(v.window_to),
    shard_bytes: shard === null ? null : Math.round(Number(shard) * MIB),
    out: optional(v.out),
    max_rejected_pct: pct === null ? null : Number(pct),
  };
}
