import { describe, expect, it } from 'vitest';

import type { ErrorBody } from '../bindings';
import { addPartner, buildRequest, dealIn, dealInput, memoryBackend } from '../test/helpers';

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

  it('imports the sample registry and ledger, refusing bad files unless told to skip', async () => {
    const backend = memoryBackend();
    const refused = await failure(backend.importRegistry('/d/registry-bad.csv', { skip_invalid: false, format: null }));
    expect(refused).toMatchObject({ code: 'invalid', fields: [] });
    expect(refused.lines.map((l) => l.line)).toEqual([4, 9, 17]);
    expect((await backend.consentOverview()).imports).toEqual([]);
    expect((await failure(backend.importLedger('/d/missing.jsonl', { skip_invalid: false, format: null }))).code).toBe('io');
    const noFormat = await failure(backend.importLedger('/d/ledger.txt', { skip_invalid: false, format: null }));
    expect(noFormat.fields.map((f) => f.field)).toEqual(['format']);

    const first = await backend.importRegistry('/d/registry-bad.csv', { skip_invalid: true, format: null });
    expect(first).toMatchObject({ rows_read: 1253, added: 1250, changed: 0, unchanged: 0, skipped: 3 });
    const other = await backend.importRegistry('/d/registry-2.csv', { skip_invalid: false, format: null });
    expect(other).toMatchObject({ added: 0, changed: 14, unchanged: 1236, skipped: 0 });
    await backend.importLedger('/d/ledger.txt', { skip_invalid: false, format: 'jsonl' });
    const overview = await backend.consentOverview();
    expect(overview).toMatchObject({ users: 1250, events: 4812, opt_in_regime: 460, opt_out_regime: 790 });
    expect(overview.by_status).toEqual({ active: 1188, deleted: 39, suspended: 23 });
    expect(overview.imports.map((i) => i.kind)).toEqual(['ledger', 'registry', 'registry']);
    expect(overview.denied['genai-training']).toBe(318);
  });

  it('versions the policy and validates it like the core', async () => {
    const backend = memoryBackend();
    const first = (await backend.consentOverview()).policy;
    expect(first).toMatchObject({ version: 1, opt_out_available_from: null, notice_days: 30 });
    expect(first.opt_in_countries).toHaveLength(32);
    const keep = { opt_in: null, opt_out_available_from: null, notice_days: null };

    const bad = await failure(backend.setPolicy({ ...keep, opt_in: 'DE, XX' }));
    expect(bad.fields).toEqual([{ field: 'opt_in', message: "'XX' is not an ISO 3166-1 alpha-2 country code" }]);
    // A blank list would silently make every country opt-out: refused, 'none' is the way to say it.
    for (const blank of ['', ' , ']) {
      const empty = await failure(backend.setPolicy({ ...keep, opt_in: blank }));
      expect(empty.fields.map((f) => f.field)).toEqual(['opt_in']);
      expect(empty.fields[0].message).toContain("or 'none'");
    }
    expect((await failure(backend.setPolicy(keep))).fields.map((f) => f.field)).toEqual(['opt_in']);
    const noDate = await failure(backend.setPolicy({ ...keep, notice_days: 10 }));
    expect(noDate.fields).toEqual([
      { field: 'notice_days', message: 'a notice period applies only from an opt-out date: give that date too' },
    ]);
    const badGate = await failure(backend.setPolicy({ ...keep, opt_out_available_from: '2026-13-01', notice_days: 3651 }));
    expect(badGate.fields.map((f) => f.field)).toEqual(['opt_out_available_from', 'notice_days']);
    expect((await backend.consentOverview()).policy.version).toBe(1);

    expect(await backend.setPolicy({ ...keep, opt_in: ' us,de,US,' })).toEqual({
      version: 2,
      opt_in_countries: ['DE', 'US'],
      opt_out_available_from: null,
      notice_days: 30,
    });
    expect(await backend.setPolicy({ ...keep, opt_in: ' None ' })).toMatchObject({ version: 3, opt_in_countries: [] });
    expect(await backend.setPolicy({ ...keep, opt_out_available_from: '2026-05-01', notice_days: 0 })).toEqual({
      version: 4,
      opt_in_countries: [],
      opt_out_available_from: '2026-05-01',
      notice_days: 0,
    });
    expect(await backend.setPolicy({ ...keep, opt_out_available_from: 'none' })).toMatchObject({
      version: 5,
      opt_out_available_from: null,
      notice_days: 0,
    });
    const audit = await backend.listAudit({ entity: 'policy', entity_id: null });
    expect(audit.map((e) => e.action)).toEqual(Array(4).fill('policy.changed'));
  });

  it('refuses control characters in typed text, allowing line breaks in notes', async () => {
    const backend = memoryBackend();
    const bad = await failure(
      backend.createPartner({ name: 'Lab\u001b[31m', kind: 'ai-lab', country: null, contact: 'a\tb', notes: 'ok\nstill ok\u0007' }),
    );
    expect(bad.fields.map((f) => f.field)).toEqual(['name', 'contact', 'notes']);
    expect(bad.fields[0].message).toBe(
      'contains the control character \\u{1b} at position 4: remove it (only printable text is accepted)',
    );
    const lab = await backend.createPartner({ name: 'Lab', kind: 'ai-lab', country: null, contact: null, notes: 'line 1\n\tline 2' });
    const deal = await failure(backend.createDeal(dealInput(lab.id, { title: 'Deal\u0085', notes: '\u0000' })));
    expect(deal.fields.map((f) => f.field)).toEqual(['title', 'notes']);
  });

  it('shows the opt-out gate in the overview and holds back records in builds under it', async () => {
    const backend = memoryBackend();
    const options = { skip_invalid: false, format: null };
    await backend.importRegistry('/d/registry.csv', options);
    expect((await backend.consentOverview()).gate).toBeNull();
    const lab = await addPartner(backend, 'Example Lab');
    const deal = await dealIn(backend, lab.id, 'signed');
    const request = buildRequest(deal.id, { source: '/d/posts.jsonl' });
    const ungated = await backend.buildSnapshot(request, () => undefined);
    expect(ungated.held_back_by_gate).toBe(0);
    expect(ungated.out_dir).toMatch(
      /^\/home\/alice\/\.local\/share\/consentry\/consentry\.db\.snapshots\/deal-1\/snapshot-1-\d{8}T\d{6}Z$/,
    );

    await backend.setPolicy({ opt_in: null, opt_out_available_from: '2026-11-01', notice_days: null });
    // Before the ledger, every active user of an opt-out country (US, IN, BR, CA, JP) is undecided.
    let gate = (await backend.consentOverview()).gate;
    expect(gate).toMatchObject({ opt_out_available_from: '2026-11-01', notice_days: 30, default_applies_from: '2026-12-01' });
    expect(gate?.users_held_back['genai-training']).toBe(750);
    await backend.importLedger('/d/ledger.jsonl', options);
    gate = (await backend.consentOverview()).gate;
    expect(gate?.users_held_back).toEqual({
      'partner-sharing': 472,
      'ai-training': 451,
      'genai-training': 386,
      'ai-inference': 472,
      search: 419,
      'data-mining': 472,
    });
    expect(gate?.records_held_back).toBe(0);

    // The notice period still runs at this cut-off: everything only the default included is held back.
    const running = await backend.buildSnapshot(request, () => undefined);
    expect(running.held_back_by_gate).toBe(6144);
    expect(running.excluded.no_consent).toBe(ungated.excluded.no_consent + 6144);
    expect(running.records_included).toBe(ungated.records_included - 6144);
    const over = await backend.buildSnapshot({ ...request, as_of: '2026-12-01T00:00:00Z' }, () => undefined);
    expect(over.held_back_by_gate).toBe(2048);
    expect((await backend.consentOverview()).gate?.records_held_back).toBe(6144 + 2048);
  });

  it('refuses an output folder that is not empty or holds another snapshot', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const deal = await dealIn(backend, lab.id, 'signed');
    const request = buildRequest(deal.id, { source: '/d/posts.jsonl', out: '/srv/not-empty' });
    const full = await failure(backend.buildSnapshot(request, () => undefined));
    expect(full).toMatchObject({ code: 'invalid', fields: [{ field: 'out' }] });
    expect(full.fields[0].message).toContain('new or empty folder');
    await backend.buildSnapshot({ ...request, out: '/srv/out-1' }, () => undefined);
    const taken = await failure(backend.buildSnapshot({ ...request, out: '/srv/out-1' }, () => undefined));
    expect(taken).toMatchObject({ code: 'conflict', fields: [{ field: 'out' }] });
    expect(await backend.listSnapshots(deal.id)).toHaveLength(1);
  });

  it('checks build requests like the core and builds only for signed or active deals', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const draft = await backend.createDeal(dealInput(lab.id));
    const req = {
      deal_id: draft.id,
      source: ' ',
      format: 'xml',
      id_field: 'id',
      user_field: '',
      time_field: 'created_utc',
      as_of: '2026-11-27',
      window_from: '2026-05-01',
      window_to: '2026-04-30',
      shard_bytes: 100,
      out: null,
      max_rejected_pct: 101,
    };
    const bad = await failure(backend.buildSnapshot(req, () => undefined));
    expect(bad.fields.map((f) => f.field)).toEqual([
      'source',
      'format',
      'user_field',
      'as_of',
      'window_to',
      'shard_bytes',
      'max_rejected_pct',
    ]);
    const good = { ...req, source: '/d/posts.csv', format: null, user_field: 'author', as_of: '2026-11-27T10:00:00Z', window_from: null, window_to: null, shard_bytes: null, max_rejected_pct: null };
    const conflict = await failure(backend.buildSnapshot(good, () => undefined));
    expect(conflict).toMatchObject({ code: 'conflict', fields: [{ field: 'deal_id' }] });

    const active = await dealIn(backend, lab.id, 'active');
    const ticks: number[] = [];
    const snapshot = await backend.buildSnapshot({ ...good, deal_id: active.id }, (p) => ticks.push(p.bytes_read));
    expect(ticks).toHaveLength(4);
    expect(ticks[3]).toBe(snapshot.source_bytes);
    expect(snapshot).toMatchObject({ sealed: true, format: 'csv', policy_version: 1, records_in: 61440 });
    const excluded = Object.values(snapshot.excluded).reduce((a, b) => a + b, 0);
    expect(snapshot.records_included + excluded).toBe(snapshot.records_in);
    expect(snapshot.shards.reduce((a, s) => a + s.records, 0)).toBe(snapshot.records_included);
    expect(await backend.getSnapshot(snapshot.snapshot_id)).toEqual(snapshot);
    expect((await failure(backend.getSnapshot(99))).code).toBe('not_found');
    expect(await backend.verifySnapshot(snapshot.snapshot_id)).toMatchObject({ ok: true, problems: [] });
  });

  it('stops a build when cancelled and keeps nothing', async () => {
    const backend = memoryBackend({ buildTicks: 20, buildTickMs: 5 });
    const lab = await addPartner(backend, 'Example Lab');
    const deal = await dealIn(backend, lab.id, 'signed');
    const request = buildRequest(deal.id, { source: '/d/posts.jsonl' });
    let seen = 0;
    const running = backend.buildSnapshot(request, () => {
      seen += 1;
      if (seen === 2) void backend.cancelBuild();
    });
    expect(await failure(running)).toMatchObject({ code: 'cancelled' });
    expect(seen).toBe(2);
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
    // A cancel does not stick to the next build.
    expect((await backend.buildSnapshot(request, () => undefined)).sealed).toBe(true);
  });
});
