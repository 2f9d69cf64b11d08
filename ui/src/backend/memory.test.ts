import { describe, expect, it } from 'vitest';

import type { ErrorBody } from '../bindings';
import { addPartner, dealIn, dealInput, memoryBackend } from '../test/helpers';

async function failure(promise: Promise<unknown>): Promise<ErrorBody> {
  try {
    await promise;
  } catch (e) {
    return e as ErrorBody;
  }
  throw new Error('expected the call to fail');
}

describe('MemoryBackend', () => {
  it('names every bad partner field and refuses duplicate names ignoring case', async () => {
    const backend = memoryBackend();
    const bad = await failure(backend.createPartner({ name: ' ', kind: 'broker', country: 'XX', contact: null, notes: null }));
    expect(bad.code).toBe('invalid');
    expect(bad.fields.map((f) => f.field)).toEqual(['name', 'kind', 'country']);

    const lab = await addPartner(backend, 'Example Lab');
    const dup = await failure(addPartner(backend, 'EXAMPLE lab'));
    expect(dup.code).toBe('conflict');
    expect(dup.fields.map((f) => f.field)).toEqual(['name']);
    // Renaming a partner to its own name in another case is fine.
    const renamed = await backend.updatePartner(lab.id, { name: 'example LAB', kind: 'research', country: 'de', contact: ' ', notes: null });
    expect(renamed).toMatchObject({ name: 'example LAB', country: 'DE', contact: null, kind: 'research' });
  });

  it('validates deals like the core', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const bad = await failure(
      backend.createDeal(
        dealInput(lab.id, {
          title: ' ',
          purposes: [],
          start_date: '2027-01-01',
          end_date: '2026-12-31',
          territory: 'US,ZZ',
          retention_days: 0,
        }),
      ),
    );
    expect(bad.fields.map((f) => f.field)).toEqual(['title', 'purposes', 'end_date', 'territory', 'retention_days']);
    const noPartner = await failure(backend.createDeal(dealInput(99)));
    expect(noPartner.fields.map((f) => f.field)).toEqual(['partner_id']);

    const deal = await backend.createDeal(
      dealInput(lab.id, { purposes: ['search', 'genai-training', 'search'], territory: 'us, ca,US' }),
    );
    expect(deal).toMatchObject({ purposes: ['genai-training', 'search'], territory: 'CA,US', status: 'draft', partner_name: 'Example Lab' });
  });

  it('moves deals only forward and freezes terms once signed', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const deal = await backend.createDeal(dealInput(lab.id));
    expect((await failure(backend.transitionDeal(deal.id, 'signed'))).code).toBe('illegal_transition');
    await backend.transitionDeal(deal.id, 'negotiating');
    await backend.updateDeal(deal.id, dealInput(lab.id, { title: 'Still open' }));
    await backend.transitionDeal(deal.id, 'signed');
    const frozen = await failure(backend.updateDeal(deal.id, dealInput(lab.id, { title: 'Too late' })));
    expect(frozen).toMatchObject({ code: 'conflict', fields: [] });
    await backend.transitionDeal(deal.id, 'terminated');
    expect((await failure(backend.transitionDeal(deal.id, 'active'))).code).toBe('illegal_transition');
    expect((await failure(backend.getDeal(42))).code).toBe('not_found');
  });

  it('renews signed deals once, for the next term of the same length by default', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const draft = await backend.createDeal(dealInput(lab.id));
    expect((await failure(backend.renewDeal(draft.id, { start_date: null, end_date: null }))).code).toBe('conflict');

    const old = await dealIn(backend, lab.id, 'active', { start_date: '2027-03-01', end_date: '2028-02-29' });
    const renewal = await backend.renewDeal(old.id, { start_date: null, end_date: '' });
    expect(renewal).toMatchObject({ status: 'draft', renewed_from: old.id, start_date: '2028-03-01', end_date: '2029-02-28' });
    expect((await backend.getDeal(old.id)).renewed_by).toBe(renewal.id);
    expect((await failure(backend.renewDeal(old.id, { start_date: null, end_date: null }))).code).toBe('conflict');

    const other = await dealIn(backend, lab.id, 'expired');
    const badDates = await failure(backend.renewDeal(other.id, { start_date: '2030-01-01', end_date: 'soon' }));
    expect(badDates.fields.map((f) => f.field)).toEqual(['end_date']);
  });

  it('audits every mutation in one chain', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const deal = await backend.createDeal(dealInput(lab.id));
    await backend.transitionDeal(deal.id, 'negotiating');
    await failure(backend.transitionDeal(deal.id, 'expired'));

    const all = await backend.listAudit({ entity: null, entity_id: null });
    expect(all.map((e) => e.action)).toEqual(['partner.created', 'deal.created', 'deal.transitioned']);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(all[2].prev_hash).toBe(all[1].hash);
    expect(all[2]).toMatchObject({ actor: 'alice', before: { status: 'draft' }, after: { status: 'negotiating' } });
    const forDeal = await backend.listAudit({ entity: 'deal', entity_id: deal.id });
    expect(forDeal).toHaveLength(2);
    expect(await backend.verifyAudit()).toMatchObject({ ok: true, entries: 3, head_hash: all[2].hash });
  });

  it('hands out copies, so callers cannot change the store', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    lab.name = 'Mutated';
    expect((await backend.listPartners())[0].name).toBe('Example Lab');
  });
});
