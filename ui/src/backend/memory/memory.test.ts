import { describe, expect, it } from 'vitest';

import { DEAL_LIFECYCLE, type DealStatus, type ErrorBody } from '../../bindings';
import { addPartner, dealInput, memoryBackend } from '../../test/helpers';
import { ERROR_NAMES, fixtures } from '../fixtures';
import { toErrorBody } from '../index';

async function failure(promise: Promise<unknown>): Promise<ErrorBody> {
  try {
    await promise;
  } catch (e) {
    return e as ErrorBody;
  }
  throw new Error('expected the call to fail');
}

describe('the recorded fixtures', () => {
  it('hold every refusal the tests name, each a whole error body', () => {
    expect(Object.keys(fixtures.errors).sort()).toEqual([...ERROR_NAMES].sort());
    for (const body of Object.values(fixtures.errors)) {
      expect(toErrorBody(body)).toEqual(body);
      expect(body.message).not.toBe('');
    }
    expect(fixtures.errors.partnerNameTaken).toMatchObject({ code: 'conflict', fields: [{ field: 'name' }] });
    expect(fixtures.errors.importBadLines.lines.length).toBeGreaterThan(0);
  });

  it('were made on the core’s tables: the first policy opts in the default countries', () => {
    expect(fixtures.responses.overviewEmpty.policy).toMatchObject({ version: 1, opt_out_available_from: null });
    expect(fixtures.responses.deal.status).toBe('draft');
    expect(DEAL_LIFECYCLE.draft).toContain(fixtures.responses.dealTransitioned.status);
  });
});

describe('MemoryBackend', () => {
  it('keeps what it is given and lists it, copying the shapes the core answers', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    expect(Object.keys(lab).sort()).toEqual(Object.keys(fixtures.responses.partner).sort());
    const deal = await backend.createDeal(dealInput(lab.id, { title: 'Licence' }));
    expect(Object.keys(deal).sort()).toEqual(Object.keys(fixtures.responses.deal).sort());
    expect(deal).toMatchObject({ title: 'Licence', partner_name: 'Example Lab', status: 'draft' });
    await backend.updatePartner(lab.id, { name: 'Renamed Lab', kind: 'ai-lab', country: null, contact: null, notes: null });
    expect((await backend.getDeal(deal.id)).partner_name).toBe('Renamed Lab');
    // Copies: changing what came back changes nothing kept.
    lab.name = 'Mutated';
    expect((await backend.listPartners())[0].name).toBe('Renamed Lab');
  });

  it('refuses the next call when asked, with the recorded body, and writes nothing', async () => {
    const backend = memoryBackend();
    const taken = fixtures.errors.partnerNameTaken;
    backend.refuseNext('createPartner', taken);
    expect(await failure(addPartner(backend, 'Example Lab'))).toEqual(taken);
    expect(await backend.listPartners()).toEqual([]);
    expect(await backend.listAudit({ entity: null, entity_id: null })).toEqual([]);
    // Once only.
    await addPartner(backend, 'Example Lab');
    expect(await backend.listPartners()).toHaveLength(1);
  });

  it('moves deals only along the core’s lifecycle table', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const statuses = Object.keys(DEAL_LIFECYCLE) as DealStatus[];
    for (const from of statuses) {
      for (const to of statuses) {
        const deal = await backend.createDeal(dealInput(lab.id));
        const path: DealStatus[] = [];
        // Walk to `from` along the table (every status is reachable from draft).
        for (let at: DealStatus = 'draft'; at !== from; ) {
          const next: DealStatus = DEAL_LIFECYCLE[at].find((n) => n === from) ?? DEAL_LIFECYCLE[at][0];
          path.push(next);
          at = next;
        }
        for (const step of path) await backend.transitionDeal(deal.id, step);
        const move = backend.transitionDeal(deal.id, to);
        if (DEAL_LIFECYCLE[from].includes(to)) expect((await move).status).toBe(to);
        else expect(await failure(move)).toEqual(fixtures.errors.transitionNotAllowed);
      }
    }
  });

  it('audits every change with the core’s action names', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example Lab');
    const deal = await backend.createDeal(dealInput(lab.id));
    await backend.transitionDeal(deal.id, 'negotiating');
    await backend.updateDeal(deal.id, dealInput(lab.id, { title: 'New title' }));
    await backend.importRegistry('/d/registry.csv', { skip_invalid: false, format: null });
    await backend.setPolicy({ opt_in: 'none', opt_out_available_from: null, notice_days: null });
    const log = await backend.listAudit({ entity: null, entity_id: null });
    expect(log.map((e) => e.action)).toEqual([
      'partner.created',
      'deal.created',
      'deal.transitioned',
      'deal.updated',
      'registry.imported',
      'policy.changed',
    ]);
    for (const entry of log) expect(fixtures.responses.auditActions).toContain(entry.action);
    expect(log[2]).toMatchObject({ actor: 'alice', before: { status: 'draft' }, after: { status: 'negotiating' } });
    expect(log[2].prev_hash).toBe(log[1].hash);
    expect(await backend.verifyAudit()).toMatchObject({ ok: true, entries: 6, head_hash: log[5].hash });
  });

  it('stops a build when cancelled, with the core’s body, and keeps nothing', async () => {
    const backend = memoryBackend({ buildTicks: 20, buildTickMs: 5 });
    const lab = await addPartner(backend, 'Example Lab');
    const deal = await backend.createDeal(dealInput(lab.id));
    const request = { ...fixtures.responses.snapshot, deal_id: deal.id, shard_bytes: null, out: null, max_rejected_pct: null };
    let seen = 0;
    const running = backend.buildSnapshot(request, () => {
      seen += 1;
      if (seen === 2) void backend.cancelBuild();
    });
    expect(await failure(running)).toEqual(fixtures.errors.buildCancelled);
    expect(seen).toBe(2);
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
    // A cancel does not stick to the next build.
    const sealed = await backend.buildSnapshot(request, () => undefined);
    expect(sealed).toMatchObject({ deal_id: deal.id, records_in: fixtures.responses.snapshot.records_in });
  });
});

describe('the browser preview', () => {
  it('seeds every screen with plausible data', async () => {
    const { seedDemo } = await import('../demo');
    const backend = memoryBackend();
    await seedDemo(backend);
    expect(await backend.listPartners()).toHaveLength(3);
    const deals = await backend.listDeals({ status: null, partner_id: null });
    expect(deals.map((d) => d.status).sort()).toEqual(['active', 'draft', 'expired', 'negotiating', 'terminated']);
    const overview = await backend.consentOverview();
    expect(overview.users).toBeGreaterThan(0);
    expect(overview.gate?.records_held_back).toBeGreaterThan(0);
    const active = deals.find((d) => d.status === 'active');
    expect(await backend.listSnapshots(active?.id as number)).toHaveLength(1);
  });
});
