import { describe, expect, it } from 'vitest';

import type { AuditEntry } from '../bindings';
import { changesOf, summarize } from './auditDiff';
import { addMonths, isInstant, minuteInstant, nextTerm, parseDate, termLength } from './dates';
import { canRenew, nextStatuses } from './lifecycle';
import { canonicalPurposes, purposeDepth, vocabularyTokens } from './purpose';
import { reasonCounts, reasonLabel, REASONS } from './reasons';
import { formatBytes, formatCount, formatDuration, formatMegabytesPerSecond, formatShare, perSecond } from './units';
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
    expect(vocabularyTokens('genai-training')).toEqual(['cawg.ai_generative_training', 'train-genai']);
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

describe('cut-off instants', () => {
  it('accepts RFC 3339 instants with a zone only', () => {
    expect(isInstant('2026-11-27T10:00:00Z')).toBe(true);
    expect(isInstant('2026-11-27T10:00:00.123+01:00')).toBe(true);
    expect(isInstant(' 2026-11-27t10:00:00z ')).toBe(true);
    expect(isInstant('2026-11-27T10:00:00')).toBe(false);
    expect(isInstant('2026-11-27 10:00')).toBe(false);
    expect(isInstant('2026-02-30T10:00:00Z')).toBe(false);
    expect(isInstant('2026-11-27T24:00:00Z')).toBe(false);
    expect(isInstant('yesterday')).toBe(false);
  });

  it('defaults the cut-off to the current minute in UTC', () => {
    expect(minuteInstant(new Date(Date.UTC(2026, 10, 27, 10, 0, 59, 999)))).toBe('2026-11-27T10:00:00Z');
    expect(minuteInstant(new Date('2026-11-27T23:59:30+02:00'))).toBe('2026-11-27T21:59:00Z');
  });
});

describe('exclusion reasons and units', () => {
  it('labels every reason the core counts, in check order, and keeps unknown ones', () => {
    expect(REASONS.map((r) => r.token)).toEqual([
      'rejected',
      'duplicate_id',
      'after_cutoff',
      'outside_window',
      'unknown_user',
      'account_status',
      'age_unknown',
      'minor',
      'no_consent',
    ]);
    expect(reasonLabel('no_consent')).toBe('No consent');
    expect(reasonLabel('minor')).toBe('Minor at cut-off');
    expect(reasonLabel('geo_blocked')).toBe('geo_blocked');
    const counts = reasonCounts({ no_consent: 5, geo_blocked: 2 });
    expect(counts).toHaveLength(10);
    expect(counts[0]).toEqual({ token: 'rejected', count: 0 });
    expect(counts[8]).toEqual({ token: 'no_consent', count: 5 });
    expect(counts[9]).toEqual({ token: 'geo_blocked', count: 2 });
  });

  it('formats counts, sizes, rates and durations', () => {
    expect(formatCount(61440)).toBe('61\u202f440');
    expect(formatCount(1234567)).toBe('1\u202f234\u202f567');
    expect(formatCount(999)).toBe('999');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(256 * 1024 * 1024)).toBe('256 MiB');
    expect(formatMegabytesPerSecond(50_000_000, 2000)).toBe('25.0 MB/s');
    expect(formatMegabytesPerSecond(1, 0)).toBe('— MB/s');
    expect(perSecond(30_000, 1500)).toBe(20_000);
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatShare(1, 2000)).toBe('<0.1%');
    expect(formatShare(1, 8)).toBe('13%');
    expect(formatShare(0, 8)).toBe('0%');
  });
});

describe('routes and error placement', () => {
  it('reads preview routes from the hash', () => {
    expect(routeFromHash('#deal/3')).toEqual({ screen: 'deal', id: 3 });
    expect(routeFromHash('#deal/3/edit')).toEqual({ screen: 'deal-edit', id: 3 });
    expect(routeFromHash('#partners')).toEqual({ screen: 'partners' });
    expect(routeFromHash('#deal/x')).toEqual({ screen: 'deals' });
    expect(routeFromHash('#consent')).toEqual({ screen: 'consent' });
    expect(routeFromHash('#deal/2/snapshot-new')).toEqual({ screen: 'snapshot-new', dealId: 2 });
    expect(routeFromHash('#snapshot/4')).toEqual({ screen: 'snapshot', id: 4 });
    expect(routeFromHash('#snapshot/0')).toEqual({ screen: 'deals' });
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
