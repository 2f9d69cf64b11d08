//! A deal's withdrawals (PRODUCT.md §4): the delivered users no longer eligible that no
//! notice listed yet, issuing the next signed notice, and the notices with their due
//! dates and acknowledgements. Status (pending, overdue, acknowledged) is the core's.

import { useState, type FormEvent } from 'react';

import type { Deal, Notice, NoticeReport } from '../bindings';
import { Count } from '../components/Count';
import { Dialog } from '../components/Dialog';
import { DateField, TextField } from '../components/Field';
import { VirtualTable } from '../components/VirtualTable';
import { useApp } from '../context';
import { displayDate, displayInstant } from '../domain/dates';
import { reasonLabel } from '../domain/reasons';
import { FieldTable, type FieldErrors } from '../forms';
import { useAcknowledgeNotice, useCreateNotice, useNotices, usePendingWithdrawals } from '../queries/withdrawals';
import { useBrowse } from '../components/useBrowse';
import { formatCount } from '../domain/units';

/** A notice's status as a badge; its text is the core's status token. */
export function NoticeStatus({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge badge-notice-${status}`} data-testid={testId}>
      {status}
    </span>
  );
}

/** A reason as notices give it: the snapshot's exclusion reasons, or an account status. */
function withdrawalReason(token: string): string {
  if (token === 'deleted') return 'Account deleted';
  if (token === 'suspended') return 'Account suspended';
  return reasonLabel(token);
}

export function DealWithdrawals({ deal }: { deal: Deal }) {
  const { navigate } = useApp();
  const pending = usePendingWithdrawals(deal.id);
  const notices = useNotices(deal.id);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<NoticeReport | null>(null);
  const [acking, setAcking] = useState<Notice | null>(null);
  const users = pending.data;
  const list = notices.data;
  const records = (users ?? []).reduce((n, u) => n + u.records, 0);
  const overdue = (list ?? []).filter((n) => n.status === 'overdue').length;

  return (
    <section className="card card-table" data-testid="deal-withdrawals" aria-labelledby="withdrawals-title">
      <div className="card-header">
        <h2 id="withdrawals-title" className="card-title">
          Withdrawals
          {overdue > 0 && (
            <span className="title-alert" data-testid="withdrawals-overdue">
              {overdue} overdue
            </span>
          )}
        </h2>
        <div className="card-header-actions">
          {users && users.length === 0 && (
            <span className="hint-inline" data-testid="notice-new-hint">
              Nothing to withdraw
            </span>
          )}
          <button
            type="button"
            className="button button-primary"
            data-testid="notice-new"
            disabled={!users || users.length === 0}
            onClick={() => setCreating(true)}
          >
            Create notice…
          </button>
        </div>
      </div>

      <h3 className="block-title">Pending</h3>
      {pending.error && <p className="muted">The pending withdrawals could not be read: {pending.error.message}</p>}
      {!users && !pending.error && <p className="muted">Loading…</p>}
      {users && users.length === 0 && (
        <p className="muted" data-testid="pending-empty">
          Every author of this deal’s delivered records is still eligible, or already listed in a notice.
        </p>
      )}
      {users && users.length > 0 && (
        <>
          <p className="card-intro-inline" data-testid="pending-summary">
            <Count value={users.length} /> {users.length === 1 ? 'user' : 'users'} with <Count value={records} />{' '}
            delivered {records === 1 ? 'record' : 'records'} are no longer eligible. The next notice lists them.
          </p>
          <div className="table-wrap">
            <VirtualTable
              testId="pending-table"
              columns={3}
              rows={users}
              rowKey={(u) => u.user_id}
              rowTestId={(u) => `pending-${u.user_id}`}
              onOpen={(u) => navigate({ screen: 'exposure', userId: u.user_id })}
              estimateRowHeight={37}
              head={
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Reason</th>
                  <th scope="col" className="numeric">
                    Records
                  </th>
                </tr>
              }
              cells={(u) => (
                <>
                  <td>
                    <code>{u.user_id}</code>
                  </td>
                  <td title={u.reason}>{withdrawalReason(u.reason)}</td>
                  <td className="numeric">
                    <Count value={u.records} />
                  </td>
                </>
              )}
            />
          </div>
        </>
      )}

      {issued && (
        <p className="verify-ok" role="status" data-testid="notice-issued">
          Notice #{issued.sequence} issued: {formatCount(issued.record_count)} records of {formatCount(issued.user_count)} users, due{' '}
          {displayDate(issued.due_date)}. Written to <code className="path-text">{issued.file}</code>.
        </p>
      )}

      <h3 className="block-title">Notices</h3>
      {notices.error && <p className="muted">The notices could not be read: {notices.error.message}</p>}
      {list && list.length === 0 && (
        <p className="muted" data-testid="notices-empty">
          No notices yet.
        </p>
      )}
      {list && list.length > 0 && (
        <div className="table-wrap">
          <VirtualTable
            testId="notices-table"
            columns={7}
            rows={list}
            rowKey={(n) => String(n.notice_id)}
            rowTestId={(n) => `notice-row-${n.notice_id}`}
            head={
              <tr>
                <th scope="col">Notice</th>
                <th scope="col">Issued</th>
                <th scope="col">Due</th>
                <th scope="col" className="numeric">
                  Records
                </th>
                <th scope="col">Status</th>
                <th scope="col">Acknowledged</th>
                <th scope="col" aria-label="Actions" />
              </tr>
            }
            cells={(n) => (
              <>
                <td className="cell-strong" title={n.file}>
                  #{n.sequence}
                </td>
                <td className="nowrap">
                  <time dateTime={n.issued_at} title={n.issued_at}>
                    {displayInstant(n.issued_at)}
                  </time>
                </td>
                <td className={n.status === 'overdue' ? 'nowrap cell-overdue' : 'nowrap'}>{displayDate(n.due_date)}</td>
                <td className="numeric">
                  <Count value={n.record_count} />
                  <span className="muted"> · {n.user_count} users</span>
                </td>
                <td>
                  <NoticeStatus status={n.status} testId={`notice-status-${n.notice_id}`} />
                </td>
                <td>
                  {n.acknowledged_on ? (
                    <>
                      {displayDate(n.acknowledged_on)}
                      {n.attestation && (
                        <span className="muted cell-truncate-inline" title={n.attestation}>
                          {' '}
                          · {n.attestation}
                        </span>
                      )}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="cell-actions">
                  {n.acknowledged_on === null && (
                    <button
                      type="button"
                      className="button button-small"
                      data-testid={`notice-ack-${n.notice_id}`}
                      aria-label={`Acknowledge notice ${n.sequence}`}
                      onClick={() => setAcking(n)}
                    >
                      Acknowledge…
                    </button>
                  )}
                </td>
              </>
            )}
          />
        </div>
      )}

      {creating && (
        <CreateNoticeDialog
          deal={deal}
          onClose={() => setCreating(false)}
          onIssued={(report) => {
            setCreating(false);
            setIssued(report);
          }}
        />
      )}
      {acking && <AcknowledgeDialog notice={acking} onClose={() => setAcking(null)} />}
    </section>
  );
}

const NOTICE_FIELDS = new FieldTable({ out: { input: 'notice-out', label: 'Notice file' } });

function CreateNoticeDialog({
  deal,
  onClose,
  onIssued,
}: {
  deal: Deal;
  onClose: () => void;
  onIssued: (report: NoticeReport) => void;
}) {
  const { backend, reportError, clearError } = useApp();
  const create = useCreateNotice();
  const [out, setOut] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const saving = create.isPending;

  const browseFor = useBrowse();
  const browse = () => browseFor(() => backend.pickSaveFile('notice'), setOut);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (saving) return;
    const form = e.currentTarget;
    try {
      const report = await create.mutateAsync({ deal_id: deal.id, as_of: null, out: out.trim() });
      clearError();
      onIssued(report);
    } catch (error) {
      NOTICE_FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
    }
  };

  return (
    <Dialog title="Create a withdrawal notice" testId="notice-dialog" onClose={onClose} busy={saving}>
      <form className="form" onSubmit={submit} noValidate>
        <p className="dialog-body">
          The notice lists, per earlier delivery, the records of every user no longer eligible as of now. It is signed
          like a manifest (<code>.minisig</code> and <code>.sig</code> beside it) and due {deal.withdrawal_days} days after
          issue.
        </p>
        <TextField
          id={NOTICE_FIELDS.fields.out.input}
          field="out"
          label={NOTICE_FIELDS.fields.out.label}
          value={out}
          onChange={setOut}
          error={errors.out}
          hint="A new file; Consentry never replaces one."
          code
          action={
            <button type="button" className="button" data-testid="notice-out-browse" onClick={browse}>
              Save as…
            </button>
          }
        />
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="notice-cancel" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="notice-create" disabled={saving}>
            {saving ? 'Signing…' : 'Create notice'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const ACK_FIELDS = new FieldTable({
  date: { input: 'ack-date', label: 'Acknowledged on' },
  attestation_file: { input: 'ack-file', label: 'Attestation file' },
  reference: { input: 'ack-reference', label: 'Or a reference' },
});
type AckValues = Record<(typeof ACK_FIELDS.names)[number], string>;

function AcknowledgeDialog({ notice, onClose }: { notice: Notice; onClose: () => void }) {
  const { backend, reportError, clearError } = useApp();
  const ack = useAcknowledgeNotice();
  const [values, setValues] = useState<AckValues>({
    date: new Date().toISOString().slice(0, 10),
    attestation_file: '',
    reference: '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const saving = ack.isPending;
  const set = (field: keyof AckValues) => (v: string) => setValues((old) => ({ ...old, [field]: v }));

  const browse = async () => {
    try {
      const chosen = await backend.pickFile('attestation');
      if (chosen !== null) set('attestation_file')(chosen);
    } catch (error) {
      reportError(error);
    }
  };
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (saving) return;
    const form = e.currentTarget;
    const orNull = (t: string) => (t.trim() === '' ? null : t.trim());
    try {
      await ack.mutateAsync({
        notice_id: notice.notice_id,
        date: values.date.trim(),
        attestation_file: orNull(values.attestation_file),
        reference: orNull(values.reference),
      });
      clearError();
      onClose();
    } catch (error) {
      ACK_FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
    }
  };

  return (
    <Dialog title={`Acknowledge notice #${notice.sequence}`} testId="ack-dialog" onClose={onClose} busy={saving}>
      <form className="form" onSubmit={submit} noValidate>
        <p className="dialog-body">
          Record the day the partner confirmed deleting the records, with their attestation: a file (copied beside the
          store and hashed into the audit log) or a reference such as a ticket number.
        </p>
        <DateField
          id={ACK_FIELDS.fields.date.input}
          field="date"
          label={ACK_FIELDS.fields.date.label}
          value={values.date}
          onChange={set('date')}
          error={errors.date}
        />
        <TextField
          id={ACK_FIELDS.fields.attestation_file.input}
          field="attestation_file"
          label={ACK_FIELDS.fields.attestation_file.label}
          value={values.attestation_file}
          onChange={set('attestation_file')}
          error={errors.attestation_file}
          code
          action={
            <button type="button" className="button" data-testid="ack-file-browse" onClick={browse}>
              Browse…
            </button>
          }
        />
        <TextField
          id={ACK_FIELDS.fields.reference.input}
          field="reference"
          label={ACK_FIELDS.fields.reference.label}
          value={values.reference}
          onChange={set('reference')}
          error={errors.reference}
          placeholder="TICKET-1234"
        />
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="ack-cancel" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" data-testid="ack-confirm" disabled={saving}>
            Acknowledge
          </button>
        </div>
      </form>
    </Dialog>
  );
}
