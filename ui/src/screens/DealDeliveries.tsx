//! A deal's deliveries (PRODUCT.md §4): the list, making one from a sealed snapshot, and
//! for the one opened: its package (folder, manifest digest, key), verification, a push
//! to the partner's bucket with progress per object and part, and the receipts. The
//! store's signing key is shown beside them: partners verify every package with it.

import { useState, type FormEvent } from 'react';

import type { Deal, Delivery, PackageReport, PushProgress, PushReport, Receipt } from '../bindings';
import { Copyable } from '../components/Copyable';
import { Count } from '../components/Count';
import { Dialog } from '../components/Dialog';
import { Field, TextField, describedBy } from '../components/Field';
import { ProgressFill } from '../components/ProgressFill';
import { VirtualTable } from '../components/VirtualTable';
import { useApp } from '../context';
import { displayInstant } from '../domain/dates';
import { formatBytes, formatCount } from '../domain/units';
import { FieldTable, type FieldErrors } from '../forms';
import {
  useCreateDelivery,
  useDeliveries,
  useOpenDeliveryFolder,
  usePushDelivery,
  useReceipts,
  useSigningKey,
  useVerifyDelivery,
} from '../queries/deliveries';
import { useDealSnapshots } from '../queries/snapshots';
import { canSnapshot } from './DealSnapshots';
import { useBrowse } from '../components/useBrowse';
import { useJobs, type Job } from '../jobs';
import { toErrorBody } from '../backend';

/** The first and last characters of a digest, for a table cell (the full one in its title). */
export function shortHash(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 8)}…${hex.slice(-6)}` : hex;
}

export function DealDeliveries({ deal }: { deal: Deal }) {
  const deliveries = useDeliveries(deal.id);
  const snapshots = useDealSnapshots(deal.id);
  const jobs = useJobs();
  const list = deliveries.data;
  // Coming back to a deal whose push runs (or ended while away) opens that delivery.
  const [selected, setSelected] = useState<number | null>(null);
  const pushed = [...(list ?? [])].reverse().find((d) => jobs.find(pushKey(d.delivery_id)) !== undefined)?.delivery_id ?? null;
  const [creating, setCreating] = useState(false);
  const sealed = (snapshots.data ?? []).filter((s) => s.sealed);
  const allowed = canSnapshot(deal) && sealed.length > 0;
  const shown = selected ?? pushed;
  const open = list?.find((d) => d.delivery_id === shown) ?? null;

  return (
    <section className="card card-table" data-testid="deal-deliveries" aria-labelledby="deliveries-title">
      <div className="card-header">
        <h2 id="deliveries-title" className="card-title">
          Deliveries
        </h2>
        <div className="card-header-actions">
          {!allowed && (
            <span className="hint-inline" data-testid="delivery-new-hint">
              {canSnapshot(deal) ? 'Build a snapshot first' : `Only a signed or active deal delivers; this one is ${deal.status}`}
            </span>
          )}
          <button
            type="button"
            className="button button-primary"
            data-testid="delivery-new"
            disabled={!allowed}
            onClick={() => setCreating(true)}
          >
            New delivery…
          </button>
        </div>
      </div>
      {deliveries.error && <p className="muted">The deliveries could not be loaded: {deliveries.error.message}</p>}
      {!list && !deliveries.error && <p className="muted">Loading…</p>}
      {list && list.length === 0 && (
        <p className="muted" data-testid="deliveries-empty">
          No deliveries yet. A delivery packages a sealed snapshot with a signed Croissant manifest for the partner.
        </p>
      )}
      {list && list.length > 0 && (
        <div className="table-wrap">
          <VirtualTable
            testId="deliveries-table"
            columns={7}
            rows={list}
            rowKey={(d) => String(d.delivery_id)}
            rowTestId={(d) => `delivery-row-${d.delivery_id}`}
            onOpen={(d) => setSelected(shown === d.delivery_id ? null : d.delivery_id)}
            isSelected={(d) => d.delivery_id === shown}
            head={
              <tr>
                <th scope="col">Sequence</th>
                <th scope="col">Snapshot</th>
                <th scope="col" className="numeric">
                  Records
                </th>
                <th scope="col">Created</th>
                <th scope="col">Folder</th>
                <th scope="col">Manifest SHA-256</th>
                <th scope="col">Key id</th>
              </tr>
            }
            cells={(d) => (
              <>
                <td className="cell-strong">#{d.sequence}</td>
                <td>#{d.snapshot_id}</td>
                <td className="numeric">
                  <Count value={d.records} />
                </td>
                <td className="nowrap">
                  <time dateTime={d.created_at} title={d.created_at}>
                    {displayInstant(d.created_at)}
                  </time>
                </td>
                <td className="cell-truncate" title={d.out_dir}>
                  <code className="path-text">{d.out_dir}</code>
                </td>
                <td title={d.manifest_sha256}>
                  <code>{shortHash(d.manifest_sha256)}</code>
                </td>
                <td>
                  <code>{d.key_id}</code>
                </td>
              </>
            )}
          />
        </div>
      )}
      {list && list.length > 0 && !open && (
        <p className="hint" data-testid="delivery-open-hint">
          Open a delivery to verify it, push it to the partner, or see its receipts.
        </p>
      )}
      {open && <DeliveryPanel key={open.delivery_id} delivery={open} deal={deal} />}
      <SigningKeyCard />
      {creating && (
        <CreateDeliveryDialog
          deal={deal}
          snapshots={sealed.map((s) => ({ id: s.snapshot_id, label: `#${s.snapshot_id} · as of ${s.as_of} · ${formatCount(s.records_included)} records` }))}
          onClose={() => setCreating(false)}
          onCreated={(d) => {
            setCreating(false);
            setSelected(d.delivery_id);
          }}
        />
      )}
    </section>
  );
}

const CREATE_FIELDS = new FieldTable({
  snapshot_id: { input: 'delivery-snapshot', label: 'Snapshot' },
  out: { input: 'delivery-out', label: 'Package folder' },
});

interface CreateDeliveryDialogProps {
  deal: Deal;
  snapshots: { id: number; label: string }[];
  onClose: () => void;
  onCreated: (delivery: Delivery) => void;
}

/** Which sealed snapshot, and the new or empty folder to package it into. */
function CreateDeliveryDialog({ deal, snapshots, onClose, onCreated }: CreateDeliveryDialogProps) {
  const { backend, reportError, clearError } = useApp();
  const create = useCreateDelivery();
  const [snapshot, setSnapshot] = useState(snapshots[0]?.id ?? 0);
  const [out, setOut] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const saving = create.isPending;

  const browseFor = useBrowse();
  const browse = () => browseFor(() => backend.pickFile('delivery-folder'), setOut);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (saving) return;
    const form = e.currentTarget;
    try {
      const delivery = await create.mutateAsync({ deal_id: deal.id, snapshot_id: snapshot, out: out.trim(), platform: null });
      clearError();
      onCreated(delivery);
    } catch (error) {
      CREATE_FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
    }
  };

  const snapshotInfo = CREATE_FIELDS.fields.snapshot_id;
  return (
    <Dialog title="New delivery" testId="delivery-dialog" onClose={onClose} busy={saving}>
      <form className="form" onSubmit={submit} noValidate>
        <p className="dialog-body">
          The snapshot’s shards are copied into the folder with a Croissant manifest signed by the store’s key. The
          delivery gets the deal’s next sequence number.
        </p>
        <Field id={snapshotInfo.input} field="snapshot_id" label={snapshotInfo.label} error={errors.snapshot_id}>
          <select
            {...describedBy(snapshotInfo.input, errors.snapshot_id)}
            value={snapshot}
            onChange={(e) => setSnapshot(Number(e.target.value))}
          >
            {snapshots.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </Field>
        <TextField
          id={CREATE_FIELDS.fields.out.input}
          field="out"
          label={CREATE_FIELDS.fields.out.label}
          value={out}
          onChange={setOut}
          error={errors.out}
          hint="A new or empty folder; Consentry never writes into a folder that has files."
          code
          action={
            <button type="button" className="button" data-testid="delivery-out-browse" onClick={browse}>
              Browse…
            </button>
          }
        />
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="delivery-cancel" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="delivery-create" disabled={saving}>
            {saving ? 'Packaging…' : 'Create delivery'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const PUSH_FIELDS = new FieldTable({ to: { input: 'push-to', label: 'Push to' } });

/** One object of a push as it goes. */
interface ObjectProgress {
  key: string;
  bytes: number;
  sent: number;
  state: 'sending' | 'done' | 'skipped';
  retries: number;
}

/** Folds one progress event into the objects seen so far (in the order they started). */
export function applyProgress(objects: ObjectProgress[], p: PushProgress): ObjectProgress[] {
  const i = objects.findIndex((o) => o.key === p.key);
  const current: ObjectProgress = i >= 0 ? objects[i] : { key: p.key, bytes: 0, sent: 0, state: 'sending', retries: 0 };
  let next: ObjectProgress;
  switch (p.kind) {
    case 'started':
      next = { ...current, bytes: p.bytes, state: 'sending' };
      break;
    case 'part':
      next = { ...current, bytes: p.bytes, sent: p.sent };
      break;
    case 'retrying':
      next = { ...current, retries: p.failures };
      break;
    case 'done':
      next = { ...current, bytes: p.bytes, sent: p.bytes, state: p.skipped ? 'skipped' : 'done' };
      break;
  }
  return i >= 0 ? objects.map((o, k) => (k === i ? next : o)) : [...objects, next];
}

/** The job key of a delivery's push. */
const pushKey = (id: number) => `push:${id}`;

/** What a push's job carries as its progress: its objects so far. */
function pushedObjects(job: Job | undefined): ObjectProgress[] {
  return Array.isArray(job?.progress) ? (job.progress as ObjectProgress[]) : [];
}

/** "3 of 5 objects · 1.2 GiB of 3.4 GiB", and the share of bytes sent. */
function pushStatus(objects: ObjectProgress[], files: number, totalBytes: number): { fraction: number | null; detail: string } {
  const finished = objects.filter((o) => o.state !== 'sending').length;
  const sent = objects.reduce((n, o) => n + o.sent, 0);
  return {
    fraction: totalBytes > 0 ? Math.min(1, sent / totalBytes) : null,
    detail: `${finished} of ${files} objects · ${formatBytes(sent)} of ${formatBytes(totalBytes)}`,
  };
}

function DeliveryPanel({ delivery: d, deal }: { delivery: Delivery; deal: Deal }) {
  const { backend, reportError, clearError } = useApp();
  const verifier = useVerifyDelivery();
  const opener = useOpenDeliveryFolder();
  const pusher = usePushDelivery();
  const receipts = useReceipts(d.delivery_id);
  const jobs = useJobs();
  const job = jobs.find(pushKey(d.delivery_id));
  const [report, setReport] = useState<PackageReport | null>(null);
  const [to, setTo] = useState(() => (typeof job?.input === 'string' ? job.input : ''));
  const [toError, setToError] = useState<string | undefined>(() => (job?.error ? PUSH_FIELDS.place(job.error).inline.to : undefined));
  const pushing = job?.status === 'running';
  const objects = pushedObjects(job);
  const pushed = job?.status === 'done' ? (job.value as PushReport) : null;

  const verify = async () => {
    try {
      setReport(await verifier.mutateAsync(d.delivery_id));
    } catch (error) {
      reportError(error);
    }
  };
  const openFolder = async () => {
    try {
      await opener.mutateAsync(d.delivery_id);
    } catch (error) {
      reportError(error);
    }
  };
  const files = d.files.length + 3;
  const dataBytes = d.files.reduce((n, f) => n + f.bytes, 0);
  const push = async (e: FormEvent) => {
    e.preventDefault();
    if (pushing) return;
    setToError(undefined);
    const destination = to.trim();
    try {
      await jobs.start({
        key: pushKey(d.delivery_id),
        kind: 'push',
        title: `Push of delivery #${d.sequence} (${deal.title})`,
        input: destination,
        cancel: () => backend.cancelPush(d.delivery_id),
        run: (report) => {
          let so_far: ObjectProgress[] = [];
          return pusher.mutateAsync({
            id: d.delivery_id,
            to: destination,
            onProgress: (p) => {
              so_far = applyProgress(so_far, p);
              const { fraction, detail } = pushStatus(so_far, files, dataBytes);
              report(so_far, fraction, detail);
            },
          });
        },
        done: (result: PushReport) => ({
          result: { screen: 'deal', id: deal.id },
          outcome: `${result.uploaded} sent, ${result.skipped} already there.`,
        }),
        cancelled: (error) => `Stopped: ${error.message}.`,
      });
      clearError();
    } catch (error) {
      const body = toErrorBody(error);
      if (body.code === 'cancelled') return;
      const placed = PUSH_FIELDS.place(body);
      setToError(placed.inline.to);
      if (placed.banner) reportError(placed.banner);
    }
  };

  const finished = objects.filter((o) => o.state !== 'sending').length;
  return (
    <div className="delivery-panel" data-testid="delivery-panel" aria-label={`Delivery ${d.sequence}`} role="region">
      <h3 className="block-title">
        Delivery #{d.sequence} <span className="muted">· id {d.delivery_id}</span>
      </h3>
      <dl className="terms terms-compact terms-wide">
        <dt>Folder</dt>
        <dd>
          <Copyable text={d.out_dir} testId="delivery-folder" label="the package folder" />
        </dd>
        <dt>Manifest SHA-256</dt>
        <dd>
          <Copyable text={d.manifest_sha256} testId="delivery-manifest-sha" label="the manifest digest" />
        </dd>
        <dt>Signed with</dt>
        <dd>
          key <code>{d.key_id}</code>
        </dd>
        <dt>Package</dt>
        <dd>
          {d.files.length} data {d.files.length === 1 ? 'file' : 'files'} ({formatBytes(d.files.reduce((n, f) => n + f.bytes, 0))}),{' '}
          <code>manifest.json</code> and its two signatures · <Count value={d.records} /> records
        </dd>
      </dl>
      <div className="actions" role="group" aria-label="Delivery actions">
        <button type="button" className="button" data-testid="delivery-verify" onClick={verify} disabled={verifier.isPending}>
          {verifier.isPending ? 'Verifying…' : 'Verify package'}
        </button>
        <button type="button" className="button" data-testid="delivery-open-folder" onClick={openFolder}>
          Open folder
        </button>
      </div>
      {report && report.ok && (
        <p className="verify-ok" data-testid="delivery-verify-result" role="status">
          Intact: both signatures check with key <code>{report.key_id}</code>, and {report.files_checked}{' '}
          {report.files_checked === 1 ? 'file matches' : 'files match'} the manifest.
        </p>
      )}
      {report && !report.ok && (
        <div className="verify-bad" data-testid="delivery-verify-result" role="alert">
          <p>
            <strong>Problems found</strong> ({report.files_checked} files checked):
          </p>
          <ul>
            {report.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}

      <form className="push-form" onSubmit={push} noValidate aria-label="Push to the partner">
        <TextField
          id="push-to"
          field="to"
          label="Push to"
          value={to}
          onChange={setTo}
          error={toError}
          className="field-grow"
          placeholder="s3://bucket/prefix"
          hint={
            <>
              <code>s3://bucket/prefix</code>, <code>gs://…</code>, <code>az://…</code> or <code>file:///folder</code>.
              Credentials come from the environment the app was started in; objects already there are skipped.
            </>
          }
          code
          action={
            <button type="submit" className="button button-primary" data-testid="delivery-push" disabled={pushing}>
              {pushing ? 'Pushing…' : 'Push'}
            </button>
          }
        />
      </form>
      {objects.length > 0 && (
        <div className="push-progress" data-testid="push-progress" aria-live="polite">
          <p className="progress-head">
            <strong data-testid="push-count">
              {finished} of {files} objects
            </strong>
            {pushed && (
              <span className="muted" data-testid="push-summary">
                {pushed.uploaded} sent, {pushed.skipped} already there
              </span>
            )}
            {job?.status === 'running' && (
              <button
                type="button"
                className="link-button"
                data-testid="push-cancel"
                disabled={job.cancelling}
                onClick={() => jobs.cancel(job.id)}
              >
                {job.cancelling ? 'Stopping…' : 'Stop'}
              </button>
            )}
          </p>
          {job?.status === 'cancelled' && (
            <p className="muted" data-testid="push-stopped" role="status">
              {job.outcome}
            </p>
          )}
          <ul className="push-objects">
            {objects.map((o) => (
              <li key={o.key} data-testid={`push-object-${o.key.split('/').pop()}`}>
                <code className="path-text">{o.key}</code>
                <span className="push-bar" aria-hidden="true">
                  <ProgressFill percent={o.bytes > 0 ? Math.round((100 * o.sent) / o.bytes) : o.state === 'sending' ? 0 : 100} />
                </span>
                <span className="push-state">
                  {o.state === 'done' && 'sent'}
                  {o.state === 'skipped' && 'already there'}
                  {o.state === 'sending' &&
                    (o.sent > 0 ? `${formatBytes(o.sent)} of ${formatBytes(o.bytes)}` : `sending ${formatBytes(o.bytes)}`)}
                  {o.retries > 0 && ` · ${o.retries} ${o.retries === 1 ? 'retry' : 'retries'}`}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Receipts receipts={receipts.data} />
    </div>
  );
}

function Receipts({ receipts }: { receipts: Receipt[] | undefined }) {
  if (!receipts) return null;
  if (receipts.length === 0) {
    return (
      <p className="muted" data-testid="receipts-empty">
        Not pushed yet: each object a push stores gets a receipt here.
      </p>
    );
  }
  return (
    <>
      <h4 className="block-title">Receipts</h4>
      <div className="table-wrap">
        <VirtualTable
          testId="receipts-table"
          columns={5}
          rows={receipts}
          rowKey={(r) => `${r.destination}|${r.key}`}
          rowTestId={(r) => `receipt-${r.key.split('/').pop()}`}
          head={
            <tr>
              <th scope="col">Destination</th>
              <th scope="col">Key</th>
              <th scope="col" className="numeric">
                Bytes
              </th>
              <th scope="col">ETag</th>
              <th scope="col">Stored</th>
            </tr>
          }
          cells={(r) => (
            <>
              <td className="cell-truncate" title={r.destination}>
                <code className="path-text">{r.destination}</code>
              </td>
              <td className="cell-truncate" title={r.key}>
                <code className="path-text">{r.key}</code>
              </td>
              <td className="numeric">{formatCount(r.bytes)}</td>
              <td>{r.etag ? <code>{r.etag}</code> : <span className="muted">—</span>}</td>
              <td className="nowrap">
                <time dateTime={r.uploaded_at} title={r.uploaded_at}>
                  {displayInstant(r.uploaded_at)}
                </time>
              </td>
            </>
          )}
        />
      </div>
    </>
  );
}

/** The store's current signing key, in the forms partners' tools read. */
export function SigningKeyCard() {
  const key = useSigningKey();
  const report = key.data;
  return (
    <details className="key-card" data-testid="signing-key">
      <summary>
        Signing key
        {report ? (
          <>
            {' '}
            <code data-testid="signing-key-id">{report.current.key_id}</code>
          </>
        ) : (
          <span className="muted"> · none yet</span>
        )}
      </summary>
      {key.error && <p className="muted">The key could not be read: {key.error.message}</p>}
      {key.data === null && (
        <p className="muted" data-testid="signing-key-none">
          The first delivery or withdrawal notice makes the store’s Ed25519 key.
        </p>
      )}
      {report && (
        <dl className="terms terms-compact terms-wide">
          <dt>Key id</dt>
          <dd>
            <code>{report.current.key_id}</code> <span className="muted">· made {displayInstant(report.current.created_at)}</span>
          </dd>
          <dt>minisign</dt>
          <dd>
            <Copyable text={report.current.minisign} testId="signing-key-minisign" label="the minisign public key" />
            <p className="field-hint">
              <code>minisign -Vm manifest.json -P {'<key>'}</code>
            </p>
          </dd>
          <dt>PEM</dt>
          <dd>
            <Copyable text={report.current.pem} testId="signing-key-pem" label="the PEM public key" block />
            <p className="field-hint">
              <code>openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in manifest.json -sigfile manifest.json.sig</code>
            </p>
          </dd>
          <dt>Secret kept in</dt>
          <dd data-testid="signing-key-secret">
            {report.current.secret_store === 'keyring' ? 'the OS keyring' : 'a file only you can read'}:{' '}
            <code className="path-text">{report.secret_location}</code>
          </dd>
          {report.retired.length > 0 && (
            <>
              <dt>Retired keys</dt>
              <dd>
                {report.retired.map((k) => (
                  <code key={k.key_id} className="retired-key">
                    {k.key_id}
                  </code>
                ))}
                <span className="muted"> (still verify what they signed)</span>
              </dd>
            </>
          )}
        </dl>
      )}
    </details>
  );
}
