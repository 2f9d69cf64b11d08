import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { TauriBackend } = await import('./tauri');
const { dealInput } = await import('../test/helpers');

describe('TauriBackend', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockResolvedValue('ok');
  });

  it('calls each command with camelCase argument names', async () => {
    const b = new TauriBackend();
    const input = { name: 'Lab', kind: 'ai-lab', country: null, contact: null, notes: null };
    const filter = { status: null, partner_id: null };
    const deal = dealInput(1);
    await b.storeInfo();
    await b.listPartners();
    await b.createPartner(input);
    await b.updatePartner(2, input);
    await b.listDeals(filter);
    await b.getDeal(3);
    await b.createDeal(deal);
    await b.updateDeal(3, deal);
    await b.transitionDeal(3, 'signed');
    await b.renewDeal(3, { start_date: null, end_date: null });
    await b.listAudit({ entity: 'deal', entity_id: 3 });
    await b.verifyAudit();
    expect(invoke.mock.calls).toEqual([
      ['store_info', undefined],
      ['list_partners', undefined],
      ['create_partner', { input }],
      ['update_partner', { id: 2, input }],
      ['list_deals', { filter }],
      ['get_deal', { id: 3 }],
      ['create_deal', { input: deal }],
      ['update_deal', { id: 3, input: deal }],
      ['transition_deal', { id: 3, to: 'signed' }],
      ['renew_deal', { id: 3, input: { start_date: null, end_date: null } }],
      ['list_audit', { filter: { entity: 'deal', entity_id: 3 } }],
      ['verify_audit', undefined],
    ]);
  });

  it('rejects with an ErrorBody whatever the shell rejected with', async () => {
    const b = new TauriBackend();
    const body = {
      code: 'conflict',
      message: 'name: taken',
      fields: [{ field: 'name', message: 'taken' }],
      lines: [],
    };
    invoke.mockRejectedValueOnce(body);
    await expect(b.listPartners()).rejects.toEqual(body);
    invoke.mockRejectedValueOnce('Command list_partners not found');
    await expect(b.listPartners()).rejects.toEqual({
      code: 'store',
      message: 'Command list_partners not found',
      fields: [],
      lines: [],
    });
  });
});
