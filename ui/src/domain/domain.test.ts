import { describe, expect, it } from 'vitest';

import type { AuditEntry } from '../bindings';
import { changesOf, summarize } from './auditDiff';
import { addMonths, nextTerm, parseDate, termLength } from './dates';
import { canRenew, nextStatuses } from './lifecycle';
import { canonicalPurposes, purposeDepth, vocabularyTokens } from './purpose';
import { routeFromHash } from '../route';
import { placeErrors } from '../forms';

describe('dates', () => {
  it('accepts only real YYYY-MM-DD dates', () => {
    expect(parseDate('2028-02-29')).not.toBeNull();
    expect(parseDate('2027-02-29')).toBeNull();
    expect(parseDate('2027-1-01')).toBeNull();
    expect(parseDate('01/01/2027')).toBeNull();
  });

  it('computes the next term as the core does', () => {
    expect(nextTerm('2026-01-01', '2028-12-31')).toEqual(['2029-01-01', '2031-12-31']);
    expect(nextTerm('2027-03-01', '2028-02-29')).toEqual(['2028-03-01', '2029-02-28']);
    expect(nextTerm('2026-01-10', '2026-01-19')).toEqual(['2026-01-20', '2026-01-29']);
    expect(addMonths(parseDate('2027-01-31') as number, 1)).toBe(parseDate('2027-02-28'));
  });

  it('describes term lengths', () => {
    expect(termLength('2027-01-01', '2028-12-31')).toBe('2 years');
    expect(termLength('2027-01-01', '2027-06-30')).toBe('6 months');
    expect(termLength('2027-01-01', '2027-01-10')).toBe('10 days');
    expect(termLength('2027-01-10', '2027-01-01')).toBeNull();
  });
});

describe('lifecycle and purposes', () => {
  it('mirrors the core’s moves', () => {
    expect(nextStatuses('draft')).toEqual(['negotiating', 'terminated']);
    expect(nextStatuses('expired')).toEqual([]);
    expect(canRenew({ status: 'active', renewed_by: null })).toBe(true);
    expect(canRenew({ status: 'active', renewed_by: 4 })).toBe(false);
    expect(canRenew({ status: 'negotiating', renewed_by: null })).toBe(false);
  });

  it('knows the hierarchy and vocabularies', () => {
    expect(purposeDepth('genai-training')).toBe(2);
    expect(purposeDepth('search')).toBe(1);
    expect(canonicalPurposes(['search', 'partner-sharing', 'search'])).toEqual(['partner-sharing', 'search']);
    expect(vocabularyTokens('genai-training')).toEqual(['cawg.ai_generative_training', 'train-ai']);
    expect(vocabularyTokens('partner-sharing')).toEqual([]);
  });
});

describe('audit summaries', () => {
  const entry = (over: Partial<AuditEntry>): AuditEntry => ({
    seq: 1,
    at: '2026-01-01T00:00:00Z',
    actor: 'alice',
    action: 'deal.updated',
    entity: 'deal',
    entity_id: 1,
    before: null,
    after: null,
    prev_hash: '',
    hash: '',
    ...over,
  });

  it('lists only the fields that changed, leaving out bookkeeping', () => {
    const changes = changesOf(
      { id: 1, status: 'draft', updated_at: 'a', purposes: ['search'], retention_days: null, exclusive: false },
      { id: 1, status: 'draft', updated_at: 'b', purposes: ['search', 'data-mining'], retention_days: 30, exclusive: true },
    );
    expect(changes.map((c) => `${c.label}: ${c.before} → ${c.after}`)).toEqual([
      'purposes: search → search, data-mining',
      'retention (days): — → 30',
      'exclusive: no → yes',
    ]);
  });

  it('says what created an entity', () => {
    expect(summarize(entry({ action: 'deal.created', after: { renewed_from: null } })).note).toBe('created');
    expect(summarize(entry({ action: 'deal.renewed', after: { renewed_from: 3 } })).note).toBe(
      'created as the renewal of deal #3',
    );
    expect(summarize(entry({ action: 'deal.transitioned', before: { status: 'draft' }, after: { status: 'signed' } }))).toMatchObject({
      title: 'Status changed',
      changes: [{ label: 'status', before: 'draft', after: 'signed' }],
    });
  });
});

describe('routes and error placement', () => {
  it('reads preview routes from the hash', () => {
    expect(routeFromHash('#deal/3')).toEqual({ screen: 'deal', id: 3 });
    expect(routeFromHash('#deal/3/edit')).toEqual({ screen: 'deal-edit', id: 3 });
    expect(routeFromHash('#partners')).toEqual({ screen: 'partners' });
    expect(routeFromHash('#deal/x')).toEqual({ screen: 'deals' });
    expect(routeFromHash('')).toEqual({ screen: 'deals' });
  });

  it('puts known fields inline and the rest in the banner', () => {
    const known = placeErrors(
      { code: 'invalid', message: 'm', fields: [{ field: 'title', message: 'required' }] },
      ['title'],
    );
    expect(known).toEqual({ inline: { title: 'required' }, banner: null });
    const unknown = placeErrors(
      { code: 'invalid', message: 'm', fields: [{ field: 'title', message: 'required' }, { field: 'status', message: 'bad' }] },
      ['title'],
    );
    expect(unknown.inline).toEqual({ title: 'required' });
    expect(unknown.banner).toMatchObject({ code: 'invalid', message: 'status: bad' });
    expect(placeErrors({ code: 'conflict', message: 'frozen', fields: [] }, ['title']).banner?.message).toBe('frozen');
  });
});
