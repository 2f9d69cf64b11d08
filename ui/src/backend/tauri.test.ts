import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const open = vi.fn();
const save = vi.fn();

/** Stands in for Tauri's `Channel`: the backend sets `onmessage`, the shell calls it. */
class FakeChannel<T> {
  onmessage: (message: T) => void = () => undefined;
}

vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: FakeChannel,
}));
vi.mock('@tauri-apps/plugin-dialog', () => ({
  open: (...args: unknown[]) => open(...args),
  save: (...args: unknown[]) => save(...args),
}));

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

  it('calls the consent and snapshot commands with camelCase argument names', async () => {
    const b = new TauriBackend();
    const options = { skip_invalid: true, format: null };
    const request = {
      deal_id: 3,
      source: '/data/posts.jsonl',
      format: null,
      id_field: 'id',
      user_field: 'author',
      time_field: 'created_utc',
      as_of: '2026-11-27T10:00:00Z',
      window_from: '2026-01-01',
      window_to: null,
      shard_bytes: 1048576,
      out: null,
      max_rejected_pct: 2,
    };
    await b.importRegistry('/data/registry.csv', options, () => undefined);
    await b.importLedger('/data/ledger.jsonl', options);
    invoke.mockResolvedValueOnce(null);
    await expect(b.cancelImport('ledger')).resolves.toBeUndefined();
    await b.consentOverview();
    const policy = { opt_in: 'DE,FR', opt_out_available_from: '2026-05-01', notice_days: null };
    await b.setPolicy(policy);
    await b.previewSource('/data/posts.csv', 'csv');
    await b.previewSource('/data/posts.jsonl', null);
    invoke.mockResolvedValueOnce(null);
    await expect(b.cancelBuild()).resolves.toBeUndefined();
    await b.listSnapshots(3);
    await b.getSnapshot(7);
    await b.verifySnapshot(7);
    expect(invoke.mock.calls).toEqual([
      ['import_registry', { path: '/data/registry.csv', options, onProgress: expect.any(FakeChannel) }],
      ['import_ledger', { path: '/data/ledger.jsonl', options, onProgress: expect.any(FakeChannel) }],
      ['cancel_import', { kind: 'ledger' }],
      ['consent_overview', undefined],
      ['set_policy', { input: policy }],
      ['preview_source', { path: '/data/posts.csv', format: 'csv' }],
      ['preview_source', { path: '/data/posts.jsonl', format: null }],
      ['cancel_build', undefined],
      ['list_snapshots', { dealId: 3 }],
      ['get_snapshot', { id: 7 }],
      ['verify_snapshot', { id: 7 }],
    ]);

    invoke.mockReset();
    const snapshot = { snapshot_id: 9 };
    invoke.mockResolvedValueOnce(snapshot);
    const seen: unknown[] = [];
    await expect(b.buildSnapshot(request, (p) => seen.push(p))).resolves.toBe(snapshot);
    expect(invoke).toHaveBeenCalledTimes(1);
    const [command, args] = invoke.mock.calls[0] as [string, { request: unknown; onProgress: FakeChannel<unknown> }];
    expect(command).toBe('build_snapshot');
    expect(Object.keys(args).sort()).toEqual(['onProgress', 'request']);
    expect(args.request).toEqual(request);
    expect(args.onProgress).toBeInstanceOf(FakeChannel);
    const progress = { bytes_read: 10, bytes_total: 100, records: 2, included: 1, elapsed_ms: 200 };
    args.onProgress.onmessage(progress);
    expect(seen).toEqual([progress]);
  });

  it('calls the delivery and withdrawal commands, and pushes through a channel', async () => {
    const b = new TauriBackend();
    const request = { deal_id: 3, snapshot_id: 7, out: '/data/pkg', platform: null };
    const notice = { deal_id: 3, as_of: null, out: '/data/notice.json' };
    const ack = { notice_id: 2, date: '2026-12-01', attestation_file: null, reference: 'T-1' };
    await b.signingKey();
    await b.listDeliveries(3);
    await b.createDelivery(request);
    await b.verifyDelivery(4);
    await b.deliveryReceipts(4);
    invoke.mockResolvedValueOnce(null);
    await expect(b.openDeliveryFolder(4)).resolves.toBeUndefined();
    await b.pendingWithdrawals(3);
    await b.listNotices(3);
    await b.createNotice(notice);
    await b.acknowledgeNotice(ack);
    await b.exposure('u0042');
    expect(invoke.mock.calls).toEqual([
      ['signing_key', undefined],
      ['list_deliveries', { dealId: 3 }],
      ['create_delivery', { request }],
      ['verify_delivery', { id: 4 }],
      ['delivery_receipts', { id: 4 }],
      ['open_delivery_folder', { id: 4 }],
      ['pending_withdrawals', { dealId: 3 }],
      ['list_notices', { dealId: 3 }],
      ['create_notice', { request: notice }],
      ['acknowledge_notice', { request: ack }],
      ['exposure', { userId: 'u0042' }],
    ]);

    invoke.mockReset();
    const report = { delivery_id: 4 };
    invoke.mockResolvedValueOnce(report);
    const seen: unknown[] = [];
    await expect(b.pushDelivery(4, 's3://bucket/x', (p) => seen.push(p))).resolves.toBe(report);
    const [command, args] = invoke.mock.calls[0] as [string, { id: number; to: string; onProgress: FakeChannel<unknown> }];
    expect(command).toBe('push_delivery');
    expect(args.id).toBe(4);
    expect(args.to).toBe('s3://bucket/x');
    const part = { kind: 'part', key: 'x/part-00000.jsonl', sent: 5, bytes: 10 };
    args.onProgress.onmessage(part);
    expect(seen).toEqual([part]);
  });

  it('asks where to save a notice', async () => {
    const b = new TauriBackend();
    save.mockReset();
    save.mockResolvedValueOnce('/data/notice.json');
    await expect(b.pickSaveFile('notice')).resolves.toBe('/data/notice.json');
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ filters: [{ name: 'JSON', extensions: ['json'] }] }));
    save.mockResolvedValueOnce(null);
    await expect(b.pickSaveFile('notice')).resolves.toBeNull();
  });

  it('rejects a cancelled build with code cancelled', async () => {
    const b = new TauriBackend();
    invoke.mockRejectedValueOnce({ code: 'cancelled', message: 'cancelled', fields: [], lines: [] });
    await expect(b.buildSnapshot({} as never, () => undefined)).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('passes an import progress from its channel to the screen', async () => {
    const b = new TauriBackend();
    const seen: unknown[] = [];
    await b.importLedger('/data/ledger.jsonl', { skip_invalid: false, format: null }, (p) => seen.push(p));
    const [, args] = invoke.mock.calls[0] as [string, { onProgress: FakeChannel<unknown> }];
    const progress = { phase: 'reading', bytes_read: 10, bytes_total: 20, rows_read: 1, bad_rows: 0, rows_written: 0 };
    args.onProgress.onmessage(progress);
    expect(seen).toEqual([progress]);
  });

  it('keeps the bad lines of a refused import, with their count and the rows read', async () => {
    const b = new TauriBackend();
    const body = {
      code: 'invalid',
      message: 'bad',
      fields: [],
      lines: [{ line: 4, message: 'status: empty' }],
      lines_total: 1,
      rows_read: 9,
    };
    invoke.mockRejectedValueOnce(body);
    await expect(b.importRegistry('/x.csv', { skip_invalid: false, format: null })).rejects.toEqual(body);
  });

  it('opens a single-file dialog with data filters, or a folder dialog', async () => {
    const b = new TauriBackend();
    open.mockReset();
    open.mockResolvedValueOnce('/data/registry.csv');
    await expect(b.pickFile('registry')).resolves.toBe('/data/registry.csv');
    expect(open).toHaveBeenLastCalledWith(
      expect.objectContaining({
        multiple: false,
        directory: false,
        filters: [{ name: 'CSV or JSON Lines, plain or compressed', extensions: ['csv', 'jsonl', 'gz', 'zst'] }],
      }),
    );
    open.mockResolvedValueOnce(null);
    await expect(b.pickFile('source')).resolves.toBeNull();
    open.mockResolvedValueOnce('/srv/out');
    await expect(b.pickFile('folder')).resolves.toBe('/srv/out');
    expect(open).toHaveBeenLastCalledWith(expect.objectContaining({ multiple: false, directory: true }));
    open.mockRejectedValueOnce('dialog.open not allowed');
    await expect(b.pickFile('ledger')).rejects.toMatchObject({ code: 'store', message: 'dialog.open not allowed' });
    expect(invoke).not.toHaveBeenCalled();
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
