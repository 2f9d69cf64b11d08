import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { fixtures } from './backend/fixtures';
import type { MemoryBackend } from './backend/memory';
import { applyProgress } from './screens/DealDeliveries';
import { addPartner, buildRequest, dealIn, memoryBackend, renderApp } from './test/helpers';

const recorded = fixtures.responses;
const errors = fixtures.errors;

/** A signed deal with one sealed snapshot; `delivered` also delivers it to /data/pkg. */
async function dealWithSnapshot(delivered = false, backend: MemoryBackend = memoryBackend({ pushTickMs: 0 })) {
  const lab = await addPartner(backend, 'Northwind AI');
  const deal = await dealIn(backend, lab.id, 'signed', { title: 'Training licence' });
  const snapshot = await backend.buildSnapshot(buildRequest(deal.id), () => undefined);
  const delivery = delivered
    ? await backend.createDelivery({ deal_id: deal.id, snapshot_id: snapshot.snapshot_id, out: '/data/pkg', platform: null })
    : null;
  return { backend, deal, snapshot, delivery };
}

describe('deliveries on a deal', () => {
  it('cannot deliver from a draft deal, and says why', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const draft = await dealIn(backend, lab.id, 'draft');
    renderApp(backend, { screen: 'deal', id: draft.id });
    const section = await screen.findByTestId('deal-deliveries');
    expect(within(section).getByTestId('delivery-new')).toBeDisabled();
    expect(section).toHaveTextContent('Only a signed or active deal delivers');
    expect(await within(section).findByTestId('deliveries-empty')).toBeInTheDocument();
    expect(await within(section).findByTestId('signing-key-none')).toBeInTheDocument();
  });

  it('creates a delivery in a folder chosen with the picker and lists it with its digest and key', async () => {
    const { backend, deal, snapshot } = await dealWithSnapshot();
    const pick = vi.spyOn(backend, 'pickFile').mockResolvedValue('/data/package-1');
    const create = vi.spyOn(backend, 'createDelivery');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    const button = await screen.findByTestId('delivery-new');
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    await screen.findByTestId('delivery-dialog');
    await user.click(screen.getByTestId('delivery-out-browse'));
    expect(pick).toHaveBeenCalledWith('delivery-folder');
    expect(screen.getByTestId('delivery-out')).toHaveValue('/data/package-1');
    await user.click(screen.getByTestId('delivery-create'));

    expect(create).toHaveBeenCalledWith({
      deal_id: deal.id,
      snapshot_id: snapshot.snapshot_id,
      out: '/data/package-1',
      platform: null,
    });
    const row = await screen.findByTestId('delivery-row-1');
    expect(row).toHaveTextContent('#1');
    expect(row).toHaveTextContent('/data/package-1');
    expect(row).toHaveTextContent(recorded.delivery.key_id);
    expect(row).toHaveTextContent(recorded.delivery.manifest_sha256.slice(0, 8));
    // The new delivery opens, and the key its signing made is shown.
    expect(await screen.findByTestId('delivery-panel')).toHaveTextContent('Delivery #1');
    expect(await screen.findByTestId('signing-key-minisign')).toHaveTextContent(recorded.signingKey.current.minisign);
    expect(screen.getByTestId('signing-key-pem')).toHaveTextContent('BEGIN PUBLIC KEY');
    expect(screen.getByTestId('signing-key-secret')).toHaveTextContent(recorded.signingKey.secret_location);
  });

  it('shows a folder refusal under the folder field, and a deal refusal in the banner', async () => {
    const { backend, deal } = await dealWithSnapshot();
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    const button = await screen.findByTestId('delivery-new');
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    await user.type(screen.getByTestId('delivery-out'), '/data/full');
    backend.refuseNext('createDelivery', errors.deliveryOutNotEmpty);
    await user.click(screen.getByTestId('delivery-create'));
    const message = errors.deliveryOutNotEmpty.fields.find((f) => f.field === 'out')?.message ?? '';
    expect(await screen.findByTestId('error-out')).toHaveTextContent(message);
    expect(screen.getByTestId('delivery-out')).toHaveFocus();
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();

    backend.refuseNext('createDelivery', errors.deliveryNotSigned);
    await user.click(screen.getByTestId('delivery-create'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent('only a signed or active deal may deliver');
    expect(screen.queryByTestId('delivery-dialog')).not.toBeInTheDocument();
  });

  it('verifies a delivery: intact, or every problem named', async () => {
    const { backend, deal } = await dealWithSnapshot(true);
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('delivery-row-1'));
    await user.click(screen.getByTestId('delivery-verify'));
    expect(await screen.findByTestId('delivery-verify-result')).toHaveTextContent('Intact');

    vi.spyOn(backend, 'verifyDelivery').mockResolvedValueOnce(recorded.deliveryTampered);
    await user.click(screen.getByTestId('delivery-verify'));
    const bad = await screen.findByRole('alert');
    expect(bad).toHaveTextContent('Problems found');
    for (const problem of recorded.deliveryTampered.problems) expect(bad).toHaveTextContent(problem);
  });

  it('opens the folder by the delivery id', async () => {
    const { backend, deal, delivery } = await dealWithSnapshot(true);
    const open = vi.spyOn(backend, 'openDeliveryFolder');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('delivery-row-1'));
    await user.click(screen.getByTestId('delivery-open-folder'));
    expect(open).toHaveBeenCalledWith(delivery?.delivery_id);
  });

  it('pushes with progress per object and part, then lists the receipts', async () => {
    const { backend, deal } = await dealWithSnapshot(true);
    const real = backend.pushDelivery.bind(backend);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    vi.spyOn(backend, 'pushDelivery').mockImplementationOnce(async (id, to, onProgress) => {
      onProgress({ kind: 'started', key: 'big/part-00000.jsonl', bytes: 100 * 1024 * 1024 });
      onProgress({ kind: 'part', key: 'big/part-00000.jsonl', sent: 32 * 1024 * 1024, bytes: 100 * 1024 * 1024 });
      onProgress({ kind: 'retrying', key: 'big/part-00000.jsonl', failures: 1, reason: 'HTTP 503' });
      await gate;
      return real(id, to, onProgress);
    });
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('delivery-row-1'));
    expect(await screen.findByTestId('receipts-empty')).toBeInTheDocument();
    await user.type(screen.getByTestId('push-to'), 'file:///data/bucket');
    await user.click(screen.getByTestId('delivery-push'));

    const part = await screen.findByTestId('push-object-part-00000.jsonl');
    expect(part).toHaveTextContent('32.0 MiB of 100 MiB');
    expect(part).toHaveTextContent('1 retry');
    expect(screen.getByTestId('delivery-push')).toBeDisabled();
    release();

    const objects = recorded.pushReport.receipts.length;
    expect(await screen.findByTestId('push-summary')).toHaveTextContent(`${objects} sent, 0 already there`);
    expect(screen.getByTestId('push-object-manifest.json')).toHaveTextContent('sent');
    const receipts = await screen.findByTestId('receipts-table');
    expect(within(receipts).getAllByTestId(/^receipt-/)).toHaveLength(objects);
    expect(within(receipts).getByTestId('receipt-manifest.json')).toHaveTextContent('file:///data/bucket');
  });

  it('shows a destination refusal under the destination field', async () => {
    const { backend, deal } = await dealWithSnapshot(true);
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('delivery-row-1'));
    await user.type(screen.getByTestId('push-to'), 'ftp://partner.example/inbox');
    backend.refuseNext('pushDelivery', errors.pushBadDestination);
    await user.click(screen.getByTestId('delivery-push'));
    expect(await screen.findByTestId('error-to')).toHaveTextContent('use s3://, gs://, az:// or file://');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });
});

describe('a push is a job of the app', () => {
  it('goes on when the user leaves the deal, shows in the jobs indicator, and is found again', async () => {
    const { backend, deal } = await dealWithSnapshot(true, memoryBackend({ pushTickMs: 40 }));
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('delivery-row-1'));
    await user.type(screen.getByTestId('push-to'), 'file:///data/bucket');
    await user.click(screen.getByTestId('delivery-push'));
    await screen.findByTestId('push-progress');

    await user.click(screen.getByTestId('nav-partners'));
    const job = await screen.findByTestId('job-push:1');
    expect(job).toHaveAttribute('data-status', 'running');
    expect(job).toHaveTextContent('Push of delivery #1 (Training licence)');
    await waitFor(() => expect(job).toHaveAttribute('data-status', 'done'), { timeout: 5000 });
    const objects = recorded.pushReport.receipts.length;
    expect(screen.getByTestId('job-outcome-push:1')).toHaveTextContent(`${objects} sent, 0 already there`);

    await user.click(screen.getByTestId('job-open-push:1'));
    // The deal opens with the pushed delivery open, its summary and receipts on screen.
    expect(await screen.findByTestId('push-summary')).toHaveTextContent(`${objects} sent, 0 already there`);
    expect(screen.getByTestId('push-to')).toHaveValue('file:///data/bucket');
    const receipts = await screen.findByTestId('receipts-table');
    expect(within(receipts).getAllByTestId(/^receipt-/)).toHaveLength(objects);
  });

  it('stops on Stop, keeping the receipts of what was sent, and pushing again resumes', async () => {
    const { backend, deal } = await dealWithSnapshot(true, memoryBackend({ pushTickMs: 40 }));
    const cancel = vi.spyOn(backend, 'cancelPush');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('delivery-row-1'));
    await user.type(screen.getByTestId('push-to'), 'file:///data/bucket');
    await user.click(screen.getByTestId('delivery-push'));
    await user.click(await screen.findByTestId('push-cancel'));
    expect(cancel).toHaveBeenCalledWith(1);

    const stopped = await screen.findByTestId('push-stopped');
    expect(stopped).toHaveTextContent(`Stopped: ${errors.pushStopped.message}`);
    expect(screen.getByTestId('job-push:1')).toHaveAttribute('data-status', 'cancelled');
    const kept = (await backend.deliveryReceipts(1)).length;
    const objects = recorded.pushReport.receipts.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(objects);
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('delivery-push'));
    expect(await screen.findByTestId('push-summary', {}, { timeout: 5000 })).toHaveTextContent(
      `${objects - kept} sent, ${kept} already there`,
    );
  });
});

describe('push progress', () => {
  it('follows each object from start through its parts to done or skipped', () => {
    let objects = applyProgress([], { kind: 'started', key: 'a', bytes: 10 });
    objects = applyProgress(objects, { kind: 'started', key: 'b', bytes: 4 });
    objects = applyProgress(objects, { kind: 'part', key: 'a', sent: 5, bytes: 10 });
    objects = applyProgress(objects, { kind: 'done', key: 'b', bytes: 4, skipped: true });
    expect(objects).toEqual([
      { key: 'a', bytes: 10, sent: 5, state: 'sending', retries: 0 },
      { key: 'b', bytes: 4, sent: 4, state: 'skipped', retries: 0 },
    ]);
  });
});

describe('withdrawals on a deal', () => {
  it('lists the pending users and creates a notice in the file chosen with the save dialog', async () => {
    const { backend, deal } = await dealWithSnapshot(true);
    const save = vi.spyOn(backend, 'pickSaveFile').mockResolvedValue('/data/notice-1.json');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    const section = await screen.findByTestId('deal-withdrawals');
    const pending = recorded.pendingUsers;
    expect(await within(section).findAllByTestId(/^pending-u/)).toHaveLength(pending.length);
    expect(within(section).getByTestId(`pending-${pending[0].user_id}`)).toHaveTextContent(String(pending[0].records));
    expect(within(section).getByTestId('pending-summary')).toHaveTextContent(`${pending.length} users`);

    await user.click(within(section).getByTestId('notice-new'));
    await user.click(screen.getByTestId('notice-out-browse'));
    expect(save).toHaveBeenCalledWith('notice');
    await user.click(screen.getByTestId('notice-create'));
    expect(await screen.findByTestId('notice-issued')).toHaveTextContent('/data/notice-1.json');
    const row = await within(section).findByTestId('notice-row-1');
    expect(row).toHaveTextContent('#1');
    expect(within(row).getByTestId('notice-status-1')).toHaveTextContent('pending');
    expect(await within(section).findByTestId('pending-empty')).toBeInTheDocument();
    expect(within(section).getByTestId('notice-new')).toBeDisabled();
  });

  it('shows "nothing to withdraw" as a clear message', async () => {
    const { backend, deal } = await dealWithSnapshot(true);
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    const button = await screen.findByTestId('notice-new');
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    await user.type(screen.getByTestId('notice-out'), '/data/notice.json');
    backend.refuseNext('createNotice', errors.nothingToWithdraw);
    await user.click(screen.getByTestId('notice-create'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('nothing to withdraw');
  });

  it('marks an overdue notice and acknowledges it with a reference; a date refusal goes under the date', async () => {
    const { backend, deal } = await dealWithSnapshot(true);
    await backend.createNotice({ deal_id: deal.id, as_of: null, out: '/data/notice-1.json' });
    const overdue = { ...recorded.notices[0], notice_id: 1, deal_id: deal.id, status: 'overdue' };
    vi.spyOn(backend, 'listNotices').mockResolvedValueOnce([overdue]);
    const ack = vi.spyOn(backend, 'acknowledgeNotice');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    const section = await screen.findByTestId('deal-withdrawals');
    expect(await within(section).findByTestId('notice-status-1')).toHaveTextContent('overdue');
    expect(within(section).getByTestId('withdrawals-overdue')).toHaveTextContent('1 overdue');

    await user.click(within(section).getByTestId('notice-ack-1'));
    const date = screen.getByTestId('ack-date');
    await user.clear(date);
    await user.type(date, '2020-01-01');
    await user.type(screen.getByTestId('ack-reference'), 'TICKET-7');
    backend.refuseNext('acknowledgeNotice', errors.ackDateBeforeIssue);
    await user.click(screen.getByTestId('ack-confirm'));
    const message = errors.ackDateBeforeIssue.fields[0].message;
    expect(await screen.findByTestId('error-date')).toHaveTextContent(message);

    await user.clear(date);
    await user.type(date, '2026-01-20');
    await user.click(screen.getByTestId('ack-confirm'));
    expect(ack).toHaveBeenLastCalledWith({ notice_id: 1, date: '2026-01-20', attestation_file: null, reference: 'TICKET-7' });
    await waitFor(() => expect(screen.queryByTestId('ack-dialog')).not.toBeInTheDocument());
    expect(await within(section).findByTestId('notice-status-1')).toHaveTextContent('acknowledged');
    expect(within(section).getByTestId('notice-row-1')).toHaveTextContent('TICKET-7');
    expect(within(section).queryByTestId('notice-ack-1')).not.toBeInTheDocument();
  });
});

describe('user lookup', () => {
  it('shows where a user’s records went and the notices that covered them', async () => {
    const { backend } = await dealWithSnapshot(true);
    const { user } = renderApp(backend, { screen: 'deals' });
    await user.click(await screen.findByTestId('nav-exposure'));
    const id = recorded.exposure.user_id;
    await user.type(screen.getByTestId('exposure-user'), `${id}{Enter}`);
    const report = await screen.findByTestId('exposure-report');
    expect(screen.getByTestId('exposure-summary')).toHaveTextContent(`${id} is in the registry.`);
    const d = recorded.exposure.deliveries[0];
    const row = within(report).getByTestId(`exposure-delivery-${d.delivery_id}`);
    expect(row).toHaveTextContent(d.partner_name);
    expect(row).toHaveTextContent(String(d.records));
    for (const n of d.notices) {
      expect(within(row).getByTestId(`exposure-notice-${n.notice_id}`)).toHaveTextContent(n.status);
    }
    const s = recorded.exposure.snapshots[0];
    expect(within(report).getByTestId(`exposure-snapshot-${s.snapshot_id}`)).toHaveTextContent(String(s.records));
  });

  it('says when a user is unknown, and puts a refusal under the field', async () => {
    const { backend } = await dealWithSnapshot();
    const { user } = renderApp(backend, { screen: 'exposure' });
    await user.type(await screen.findByTestId('exposure-user'), 'nobody{Enter}');
    expect(await screen.findByTestId('exposure-summary')).toHaveTextContent('nobody is not in the registry.');
    expect(screen.getByTestId('exposure-summary')).toHaveTextContent('No sealed snapshot included their records.');

    backend.refuseNext('exposure', errors.exposureBlank);
    await user.clear(screen.getByTestId('exposure-user'));
    await user.type(screen.getByTestId('exposure-user'), ' {Enter}');
    expect(await screen.findByTestId('error-user_id')).toHaveTextContent(errors.exposureBlank.fields[0].message);
  });

  it('opens from a pending user', async () => {
    const { backend, deal } = await dealWithSnapshot(true);
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    const first = recorded.pendingUsers[0].user_id;
    await user.click(await screen.findByTestId(`pending-${first}`));
    expect(await screen.findByTestId('exposure-user')).toHaveValue(first);
    expect(await screen.findByTestId('exposure-report')).toBeInTheDocument();
  });
});
