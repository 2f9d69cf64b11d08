import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { fixtures } from './backend/fixtures';
import type { MemoryBackend } from './backend/memory';
import { addPartner, buildRequest, dealIn, memoryBackend, renderApp } from './test/helpers';

async function signedDeal(backend: MemoryBackend = memoryBackend()) {
  const lab = await addPartner(backend, 'Northwind AI');
  const deal = await dealIn(backend, lab.id, 'signed', { title: 'Training licence' });
  return { backend, deal };
}

const request = buildRequest;
const recorded = fixtures.responses;

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
    const shown = recorded.sourcePreview;
    expect(headers).toEqual([undefined, ...shown.fields.map((f) => `preview-field-${f}`)]);
    expect(within(table).getByTestId('preview-field-author')).toHaveClass('col-mapped');
    expect(within(table).getByTestId('preview-field-subreddit')).not.toHaveClass('col-mapped');
    expect(table).toHaveTextContent(shown.lines[0].values.author);
    const bad = shown.lines.find((l) => l.error !== null);
    expect(table).toHaveTextContent(bad?.error as string);

    // Mapping the author to another field moves the highlight.
    await user.clear(screen.getByTestId('wizard-user-field'));
    await user.type(screen.getByTestId('wizard-user-field'), 'subreddit');
    expect(within(table).getByTestId('preview-field-subreddit')).toHaveClass('col-mapped');
    expect(within(table).getByTestId('preview-field-author')).not.toHaveClass('col-mapped');
  });

  it('says when the source is compressed', async () => {
    const { backend, deal } = await signedDeal();
    const compressed = recorded.sourcePreviewZstd;
    expect(compressed.compression).toBe('zstd');
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('wizard-preview'));
    await screen.findByTestId('wizard-preview-table');
    expect(screen.queryByTestId('wizard-preview-compression')).not.toBeInTheDocument();

    vi.spyOn(backend, 'previewSource').mockResolvedValueOnce(compressed);
    await user.clear(screen.getByTestId('wizard-source'));
    await user.type(screen.getByTestId('wizard-source'), '/data/RS_2026-01.jsonl.zst');
    await user.click(screen.getByTestId('wizard-preview'));
    expect(await screen.findByTestId('wizard-preview-compression')).toHaveTextContent('zstd-compressed');
    expect(screen.getByTestId('wizard-preview-table')).toHaveTextContent(compressed.lines[0].values.author);
  });

  it('shows an unreadable source under its field', async () => {
    const { backend, deal } = await signedDeal();
    const refused = fixtures.errors.previewUnreadable;
    backend.refuseNext('previewSource', refused);
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/missing.jsonl');
    await user.click(screen.getByTestId('wizard-preview'));
    expect(refused.fields.map((f) => f.field)).toEqual(['source']);
    expect(await screen.findByTestId('error-source')).toHaveTextContent(refused.fields[0].message);
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
    const refused = fixtures.errors.buildOutNotEmpty;
    backend.refuseNext('buildSnapshot', refused);
    const build = vi.spyOn(backend, 'buildSnapshot');
    const { user } = await openWizard(backend, deal.id);
    expect(screen.getByTestId('snapshot-wizard')).toHaveTextContent(
      'Default: <store file>.snapshots/deal-N/snapshot-N-<time> beside the store. A folder you choose must be new or empty.',
    );
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.type(screen.getByTestId('wizard-out'), '/srv/not-empty');
    await user.click(screen.getByTestId('wizard-build'));
    expect(refused.fields.map((f) => f.field)).toEqual(['out']);
    expect(await screen.findByTestId('error-out')).toHaveTextContent(refused.fields[0].message);
    expect(build.mock.calls[0][0].out).toBe('/srv/not-empty');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
  });

  it('shows the core’s field errors inline', async () => {
    const { backend, deal } = await signedDeal();
    const refused = fixtures.errors.buildInvalid;
    backend.refuseNext('buildSnapshot', refused);
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/missing.jsonl');
    await user.type(screen.getByTestId('wizard-shard-mib'), '0.0001');
    await user.click(screen.getByTestId('wizard-build'));
    const [source, shard] = refused.fields;
    expect([source.field, shard.field]).toEqual(['source', 'shard_bytes']);
    expect(await screen.findByTestId('error-source')).toHaveTextContent(source.message);
    expect(screen.getByTestId('error-shard_bytes')).toHaveTextContent(shard.message);
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
    const sealed = recorded.snapshot;
    for (const reason of ['no_consent', 'outside_window', 'duplicate_id']) {
      expect(within(counts).getByTestId(`count-${reason}`).textContent).toBe(String(sealed.excluded[reason]));
    }
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
    expect(screen.getByTestId('count-records_in').textContent).toBe(String(sealed.records_in));
    expect(screen.getByTestId('count-included').textContent).toBe(String(sealed.records_included));
    expect(screen.getByTestId('snapshot-policy')).toHaveTextContent('version 1');
    expect(within(screen.getByTestId('snapshot-shards')).getAllByRole('row')).toHaveLength(1 + sealed.shards.length);
    expect(screen.getByTestId('snapshot-out').textContent).toBe((await backend.getSnapshot(1)).out_dir);
    expect(screen.queryByTestId('snapshot-held-back')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('snapshot-verify'));
    const shards = `${sealed.shards.length} ${sealed.shards.length === 1 ? 'shard' : 'shards'}`;
    expect(await screen.findByTestId('snapshot-verify-result')).toHaveTextContent(
      `Intact: the ${shards} and the records index match the sealed record.`,
    );
    expect(screen.getByTestId('snapshot-verified-at')).toHaveTextContent(/^Verified \S/);

    // Reopened later, the snapshot still shows its last verification.
    await user.click(screen.getByTestId('nav-partners'));
    await user.click(screen.getByTestId('nav-deals'));
    await user.click(await screen.findByTestId('deal-row-1'));
    await user.click(await screen.findByTestId('snapshot-row-1'));
    expect(await screen.findByTestId('snapshot-verify-result')).toHaveTextContent(`Intact: the ${shards}`);
  });

  it('reports a tampered snapshot when verified', async () => {
    const { backend, deal } = await signedDeal();
    const s = await backend.buildSnapshot(request(deal.id), () => undefined);
    const tampered = recorded.snapshotTampered;
    vi.spyOn(backend, 'verifySnapshot').mockResolvedValue({ ...tampered, snapshot_id: s.snapshot_id });
    const { user } = renderApp(backend, { screen: 'snapshot', id: s.snapshot_id });
    await user.click(await screen.findByTestId('snapshot-verify'));
    const report = await screen.findByTestId('snapshot-verify-result');
    expect(report).toHaveTextContent('Problems found');
    for (const problem of tampered.problems) expect(report).toHaveTextContent(problem);
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

  it('keeps building when the user leaves the wizard: the jobs indicator shows it, and the wizard finds it again', async () => {
    const backend = memoryBackend({ buildTicks: 12, buildTickMs: 40 });
    const { deal } = await signedDeal(backend);
    const cancel = vi.spyOn(backend, 'cancelBuild');
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    await screen.findByTestId('wizard-progress');
    await user.click(screen.getByTestId('nav-partners'));
    expect(cancel).not.toHaveBeenCalled();
    const job = await screen.findByTestId(`job-snapshot:${deal.id}`);
    expect(job).toHaveAttribute('data-status', 'running');

    // Back in the wizard: the running build, with the values it was started with.
    await user.click(screen.getByTestId('nav-deals'));
    await user.click(await screen.findByTestId(`deal-row-${deal.id}`));
    await user.click(await screen.findByTestId('snapshot-new'));
    expect(await screen.findByTestId('wizard-progress')).toBeInTheDocument();
    expect(screen.getByTestId('wizard-source')).toHaveValue('/data/posts.jsonl');

    // Leave again; when it ends, the indicator says so and links to the snapshot.
    await user.click(screen.getByTestId('nav-partners'));
    await waitFor(() => expect(job).toHaveAttribute('data-status', 'done'), { timeout: 5000 });
    expect(screen.getByTestId(`job-outcome-snapshot:${deal.id}`)).toHaveTextContent('Sealed');
    expect(screen.getByTestId('nav-partners')).toHaveAttribute('aria-current', 'page');
    await user.click(screen.getByTestId(`job-open-snapshot:${deal.id}`));
    expect(await screen.findByTestId('snapshot-result')).toBeInTheDocument();
    expect(await backend.listSnapshots(deal.id)).toHaveLength(1);
  });

  it('cancels a build from the jobs indicator, keeping nothing', async () => {
    const backend = memoryBackend({ buildTicks: 50, buildTickMs: 40 });
    const { deal } = await signedDeal(backend);
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    await screen.findByTestId('wizard-progress');
    await user.click(screen.getByTestId('nav-partners'));
    await user.click(await screen.findByTestId(`job-cancel-snapshot:${deal.id}`));
    const job = screen.getByTestId(`job-snapshot:${deal.id}`);
    await waitFor(() => expect(job).toHaveAttribute('data-status', 'cancelled'));
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
  });

  it('lists the rejected lines when too many lines are malformed', async () => {
    const { backend, deal } = await signedDeal();
    const refused = fixtures.errors.buildTooManyRejected;
    backend.refuseNext('buildSnapshot', refused);
    const { user } = await openWizard(backend, deal.id);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts-bad.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    const lines = await screen.findByTestId('wizard-errors');
    const items = within(lines).getAllByRole('listitem');
    expect(items).toHaveLength(refused.lines.length);
    expect(items[0]).toHaveTextContent(`line ${refused.lines[0].line}: ${refused.lines[0].message}`);
    expect(screen.getByTestId('wizard-refused')).toHaveTextContent(refused.message);
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(await backend.listSnapshots(deal.id)).toEqual([]);
  });

  it('sends a refusal that names no wizard field to the banner', async () => {
    const { backend, deal } = await signedDeal();
    const { user } = await openWizard(backend, deal.id);
    // The deal was moved elsewhere while the wizard was open: the core names `deal_id`.
    const refused = fixtures.errors.buildNotSigned;
    expect(refused.fields.map((f) => f.field)).toEqual(['deal_id']);
    backend.refuseNext('buildSnapshot', refused);
    await user.type(screen.getByTestId('wizard-source'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('wizard-build'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent(refused.message);
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
    await backend.setPolicy({ opt_in: null, opt_out_available_from: '2026-05-01', notice_days: null });
    const s = await backend.buildSnapshot(request(deal.id), () => undefined);
    const { excluded, held_back_by_gate: held } = recorded.snapshotGated;
    expect(held).toBeGreaterThan(0);
    renderApp(backend, { screen: 'snapshot', id: s.snapshot_id });
    const counts = await screen.findByTestId('snapshot-counts');
    expect(within(counts).getByTestId('count-no_consent').textContent).toBe(String(excluded.no_consent));
    expect(within(counts).getByTestId('snapshot-held-back')).toHaveTextContent(
      `Of the records without consent, ${held} are held back by the policy’s opt-out gate`,
    );
    expect(within(counts).getByTestId('count-held_back_by_gate').textContent).toBe(String(held));
  });
});
