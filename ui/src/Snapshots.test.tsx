import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { MemoryBackend } from './backend/memory';
import { addPartner, buildRequest, dealIn, memoryBackend, renderApp } from './test/helpers';

async function signedDeal(backend: MemoryBackend = memoryBackend()) {
  const lab = await addPartner(backend, 'Northwind AI');
  const deal = await dealIn(backend, lab.id, 'signed', { title: 'Training licence' });
  return { backend, deal };
}

const request = buildRequest;

async function openWizard(backend: MemoryBackend, dealId: number) {
  const rendered = renderApp(backend, { screen: 'deal', id: dealId });
  const button = await screen.findByTestId('snapshot-new');
  await waitFor(() => expect(button).toBeEnabled());
  await rendered.user.click(button);
  await screen.findByTestId('snapshot-wizard');
  return rendered;
}

describe('snapshots on a deal', () => {
  it('cannot start a snapshot of a draft deal', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const draft = await dealIn(backend, lab.id, 'draft');
    renderApp(backend, { screen: 'deal', id: draft.id });
    const section = await screen.findByTestId('deal-snapshots');
    expect(within(section).getByTestId('snapshot-new')).toBeDisabled();
    expect(section).toHaveTextContent('Sign the deal first');
    expect(await within(section).findByTestId('snapshots-empty')).toBeInTheDocument();
  });

  it('lists sealed snapshots newest first and opens one', async () => {
    const { backend, deal } = await signedDeal();
    await backend.buildSnapshot(request(deal.id, { as_of: '2026-10-01T00:00:00Z' }), () => undefined);
    await backend.buildSnapshot(request(deal.id, { as_of: '2026-11-01T00:00:00Z' }), () => undefined);
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });

    const rows = await screen.findAllByTestId(/^snapshot-row-/);
    expect(rows.map((r) => r.dataset.testid)).toEqual(['snapshot-row-2', 'snapshot-row-1']);
    expect(rows[1]).toHaveTextContent('2026-10-01T00:00:00Z');
    expect(screen.getByTestId('snapshot-new')).toBeEnabled();
    expect(screen.queryByTestId('snapshot-new-hint')).not.toBeInTheDocument();

    await user.click(rows[1]);
    const result = await screen.findByTestId('snapshot-result');
    expect(result).toHaveTextContent('Snapshot #1');
    expect(screen.getByTestId('snapshot-as-of')).toHaveTextContent('2026-10-01T00:00:00Z');
    await user.click(screen.getByTestId('snapshot-back'));
    expect(await screen.findByTestId('deal-detail')).toBeInTheDocument();
  });
});

describe('snapshot wizard', () => {
  it('previews the source with its fields and the mapped ones highlighted', async () => {
    const { backend, deal } = await signedDeal();
    const preview = vi.spyOn(backend, 'previewSource');
    const { user } = await openWizard(backend, deal.id);
    expect(screen.getByTestId('wizard-id-field')).toHaveValue('id');
    expect(screen.getByTestId('wizard-user-field')).toHaveValue('author');
    expect(screen.getByTestId('wizard-time-field')).toHaveValue('created_utc');
    expect((screen.getByTestId('wizard-as-of') as HTMLInputElement).value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);

    await user.type(screen.getByTestId('wizard-source'), '/data/posts-bad.csv');
    await user.selectOptions(screen.getByTestId('wizard-format'), 'csv');
    await user.click(screen.getByTestId('wizard-preview'));

    const table = await screen.findByTestId('wizard-preview-table');
    expect(preview).toHaveBeenCalledWith('/data/posts-bad.csv', 'csv');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.dataset.testid);
    expect(headers).toEqual([
      undefined,
      'preview-field-id',
      'preview-field-author',
      'preview-field-created_utc',
      'preview-field-subreddit',
      'preview-field-title',
      'preview-field-body',
      'preview-field-score',
    ]);
    expect(within(table).getByTestId('preview-field-author')).toHaveClass('col-mapped');
    expect(within(table).getByTestId('preview-field-subreddit')).not.toHaveClass('col-mapped');
    expect(table).toHaveTextContent('maple_leaf');
    expect(table).toHaveTextContent('found record with 4 fields');

    // Mapping the author to another field moves the highlight.
    await user.clear(screen.getByTestId('wizard-user-field'));
    await user.type(screen.getByTestId('wizard-user-field'), 'subreddit');
    expect(within(table).getByTestId('preview-field-subreddit')).toHaveClass('col-mapped');
    expect(within(table).getByTestId('preview-field-author')).not.toHaveClass('col-mapped');
  });

  it('shows an unreadable source under its field', async () => {
    const { backend, deal } = await signedDeal();
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/missing.jsonl');
    await user.click(screen.getByTestId('wizard-preview'));
    expect(await screen.findByTestId('error-source')).toHaveTextContent('cannot read /data/missing.jsonl');
    expect(screen.queryByTestId('wizard-preview-table')).not.toBeInTheDocument();
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('shows a bad cut-off inline without building', async () => {
    const { backend, deal } = await signedDeal();
    const build = vi.spyOn(backend, 'buildSnapshot');
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.clear(screen.getByTestId('wizard-as-of'));
    await user.type(screen.getByTestId('wizard-as-of'), '2026-11-27 10:00');
    await user.type(screen.getByTestId('wizard-window-from'), '2026-13-01');
    await user.click(screen.getByTestId('wizard-build'));

    expect(screen.getByTestId('error-as_of')).toHaveTextContent('RFC 3339');
    expect(screen.getByTestId('error-window_from')).toHaveTextContent('YYYY-MM-DD');
    expect(screen.getByTestId('wizard-as-of')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('wizard-as-of')).toHaveFocus();
    expect(build).not.toHaveBeenCalled();
  });

  it('says where the output goes by default, and shows a folder that is not empty under its field', async () => {
    const { backend, deal } = await signedDeal();
    const build = vi.spyOn(backend, 'buildSnapshot');
    const { user } = await openWizard(backend, deal.id);
    expect(screen.getByTestId('snapshot-wizard')).toHaveTextContent(
      'Default: <store file>.snapshots/deal-N/snapshot-N-<time> beside the store. A folder you choose must be new or empty.',
    );
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.type(screen.getByTestId('wizard-out'), '/srv/not-empty');
    await user.click(screen.getByTestId('wizard-build'));
    expect(await screen.findByTestId('error-out')).toHaveTextContent('is a folder that is not empty');
    expect(build.mock.calls[0][0].out).toBe('/srv/not-empty');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
  });

  it('shows the core’s field errors inline', async () => {
    const { backend, deal } = await signedDeal();
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/missing.jsonl');
    await user.type(screen.getByTestId('wizard-shard-mib'), '0.0001');
    await user.click(screen.getByTestId('wizard-build'));
    expect(await screen.findByTestId('error-source')).toHaveTextContent('is not a readable file');
    expect(screen.getByTestId('error-shard_bytes')).toHaveTextContent('at least 1024 bytes');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('builds with live progress, then shows the counts by reason', async () => {
    const backend = memoryBackend({ buildTicks: 5, buildTickMs: 40 });
    const { deal } = await signedDeal(backend);
    const build = vi.spyOn(backend, 'buildSnapshot');
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.clear(screen.getByTestId('wizard-as-of'));
    await user.type(screen.getByTestId('wizard-as-of'), '2026-11-27T10:00:00Z');
    await user.type(screen.getByTestId('wizard-window-to'), '2026-10-31');
    await user.type(screen.getByTestId('wizard-shard-mib'), '8');
    await user.click(screen.getByTestId('wizard-build'));

    const progress = await screen.findByTestId('wizard-progress');
    await waitFor(() => expect(within(progress).getByTestId('progress-records').textContent).not.toBe('0'));
    expect(within(progress).getByRole('progressbar')).toHaveAttribute('aria-valuenow', expect.stringMatching(/^[1-9]/));
    expect(within(progress).getByTestId('progress-mbps')).toHaveTextContent('MB/s');
    expect(screen.getByTestId('wizard-source')).toBeDisabled();

    const result = await screen.findByTestId('snapshot-result', {}, { timeout: 3000 });
    expect(build.mock.calls[0][0]).toEqual(
      request(deal.id, { window_to: '2026-10-31', shard_bytes: 8 * 1024 * 1024 }),
    );
    const counts = within(result).getByTestId('snapshot-counts');
    expect(within(counts).getByTestId('count-no_consent').textContent).toBe('11920');
    expect(within(counts).getByTestId('count-outside_window').textContent).toBe('9870');
    expect(within(counts).getByTestId('count-duplicate_id').textContent).toBe('12');
    expect(within(counts).getByText('No consent')).toBeInTheDocument();
    expect(within(counts).getByText('Minor at cut-off')).toBeInTheDocument();
    for (const reason of [
      'rejected',
      'duplicate_id',
      'after_cutoff',
      'outside_window',
      'unknown_user',
      'account_status',
      'age_unknown',
      'minor',
      'no_consent',
    ]) {
      expect(within(counts).getByTestId(`count-${reason}`)).toBeInTheDocument();
    }
    expect(screen.getByTestId('count-records_in').textContent).toBe('61440');
    expect(screen.getByTestId('count-included').textContent).toBe('31485');
    expect(screen.getByTestId('snapshot-policy')).toHaveTextContent('version 1');
    expect(within(screen.getByTestId('snapshot-shards')).getAllByRole('row')).toHaveLength(1 + 4);
    expect(screen.getByTestId('snapshot-out').textContent).toMatch(
      /^\/home\/alice\/\.local\/share\/consentry\/consentry\.db\.snapshots\/deal-1\/snapshot-1-\d{8}T\d{6}Z$/,
    );
    expect(screen.queryByTestId('snapshot-held-back')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('snapshot-verify'));
    expect(await screen.findByTestId('snapshot-verify-result')).toHaveTextContent('Intact: 4 files match');
  });

  it('reports a tampered snapshot when verified', async () => {
    const { backend, deal } = await signedDeal();
    const s = await backend.buildSnapshot(request(deal.id, { out: '/tmp/tampered' }), () => undefined);
    const { user } = renderApp(backend, { screen: 'snapshot', id: s.snapshot_id });
    await user.click(await screen.findByTestId('snapshot-verify'));
    const report = await screen.findByTestId('snapshot-verify-result');
    expect(report).toHaveTextContent('Problems found');
    expect(report).toHaveTextContent('part-00000.jsonl: SHA-256 differs');
  });

  it('cancels a running build and keeps nothing', async () => {
    const backend = memoryBackend({ buildTicks: 50, buildTickMs: 40 });
    const { deal } = await signedDeal(backend);
    const cancel = vi.spyOn(backend, 'cancelBuild');
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    const progress = await screen.findByTestId('wizard-progress');
    await waitFor(() => expect(within(progress).getByTestId('progress-records').textContent).not.toBe('0'));

    await user.click(screen.getByTestId('wizard-cancel'));
    expect(cancel).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId('wizard-cancelled')).toHaveTextContent('Cancelled; nothing was kept');
    expect(screen.queryByTestId('wizard-progress')).not.toBeInTheDocument();
    expect(screen.getByTestId('wizard-build')).toBeEnabled();
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
  });

  it('cancels the build when the user leaves the wizard', async () => {
    const backend = memoryBackend({ buildTicks: 50, buildTickMs: 40 });
    const { deal } = await signedDeal(backend);
    const cancel = vi.spyOn(backend, 'cancelBuild');
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    await screen.findByTestId('wizard-progress');
    await user.click(screen.getByTestId('nav-partners'));
    expect(cancel).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(backend.listSnapshots(deal.id)).resolves.toEqual([]));
  });

  it('lists the rejected lines when too many lines are malformed', async () => {
    const { backend, deal } = await signedDeal();
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts-bad.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    const lines = await screen.findByTestId('wizard-errors');
    expect(within(lines).getAllByRole('listitem')[0]).toHaveTextContent('line 1207: created_utc: is empty');
    expect(screen.getByTestId('wizard-refused')).toHaveTextContent('above the 1% limit');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
  });

  it('sends a refusal that names no wizard field to the banner', async () => {
    const { backend, deal } = await signedDeal();
    const { user } = await openWizard(backend, deal.id);
    // The deal was terminated elsewhere while the wizard was open.
    await backend.transitionDeal(deal.id, 'terminated');
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('only for signed or active deals');
    expect(screen.getByTestId('snapshot-wizard')).toBeInTheDocument();
  });

  it('explains why a deal that is not signed cannot be snapshotted', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await dealIn(backend, lab.id, 'negotiating');
    renderApp(backend, { screen: 'snapshot-new', dealId: deal.id });
    expect(await screen.findByTestId('wizard-not-allowed')).toHaveTextContent('sign the deal first');
    expect(screen.getByTestId('wizard-build')).toBeDisabled();
  });
});

describe('snapshot result', () => {
  it('shows how many no_consent records the opt-out gate held back', async () => {
    const { backend, deal } = await signedDeal();
    await backend.setPolicy({ opt_in: null, opt_out_available_from: '2026-11-01', notice_days: null });
    // The cut-off falls inside the 30 days' notice: the gate holds back all that only the default included.
    const s = await backend.buildSnapshot(request(deal.id), () => undefined);
    renderApp(backend, { screen: 'snapshot', id: s.snapshot_id });
    const counts = await screen.findByTestId('snapshot-counts');
    expect(within(counts).getByTestId('count-no_consent').textContent).toBe('18064');
    expect(within(counts).getByTestId('snapshot-held-back')).toHaveTextContent('Of the records without consent, 6144 are held back by the policy’s opt-out gate');
    expect(within(counts).getByTestId('count-held_back_by_gate').textContent).toBe('6144');
  });
});
