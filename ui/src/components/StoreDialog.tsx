//! The store and its backups: where the store file is, the schema, who acts, and the
//! automatic daily backups (folder, the last one written, how many are kept). Restoring
//! replaces the store file, so it is done with the app closed, from the command line.

import { useState, type FormEvent } from 'react';

import { Dialog } from './Dialog';
import { TextField } from './Field';
import { useApp } from '../context';
import { formatBytes } from '../domain/units';
import { FieldTable, type FieldErrors } from '../forms';
import { useBackupStatus, useSetBackupKeep, useStoreInfo } from '../queries/store';

const FIELDS = new FieldTable({ keep: { input: 'backup-keep', label: 'Daily backups to keep' } });

export function StoreDialog({ onClose }: { onClose: () => void }) {
  const { reportError } = useApp();
  const info = useStoreInfo().data;
  const status = useBackupStatus();
  const save = useSetBackupKeep();
  const [keep, setKeep] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const s = status.data;
  const shown = keep ?? (s ? String(s.keep) : '');
  const last = s?.last?.created ?? null;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const n = Number(shown.trim());
    try {
      await save.mutateAsync(Number.isInteger(n) ? n : -1);
      setKeep(null);
      setErrors({});
    } catch (error) {
      FIELDS.showFailure(error, form, { setErrors, reportError, close: onClose });
    }
  };

  return (
    <Dialog title="Store and backups" testId="store-dialog" onClose={onClose}>
      <div className="dialog-body">
        <dl className="terms terms-compact">
          <dt>Store</dt>
          <dd>
            <code className="path-text">{info?.location}</code>
          </dd>
          <dt>Schema</dt>
          <dd>version {info?.schema_version}</dd>
          <dt>Acting as</dt>
          <dd>{info?.actor}</dd>
          <dt>Backups</dt>
          <dd>
            Every day, to <code className="path-text">{s?.dir}</code>
          </dd>
          <dt>Latest</dt>
          <dd data-testid="backup-latest">
            {last
              ? `${last.file.split('/').pop()} · ${formatBytes(last.bytes)} · ${last.head.seq ? `up to audit entry ${last.head.seq}` : 'taken before any change'}`
              : s?.last
                ? `Today's backup was already there (${s.last.kept.length} kept)`
                : 'Not yet run'}
          </dd>
        </dl>
        {s?.error && (
          <p className="field-error" data-testid="backup-error">
            The last backup failed: {s.error}
          </p>
        )}
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          id={FIELDS.fields.keep.input}
          field="keep"
          label={FIELDS.fields.keep.label}
          value={shown}
          onChange={setKeep}
          error={errors.keep}
          inputMode="numeric"
          suffix="days"
          hint="Older daily backups are removed. Only files named consentry-YYYY-MM-DD.db in the folder are touched."
        />
        <p className="hint">
          To restore, close the app and run <code>consentry restore FILE</code>: the file is checked first
          (integrity, schema, audit chain) and the current store is kept beside it.
        </p>
        <div className="dialog-actions">
          <button type="button" className="button" data-testid="store-close" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="button button-primary" data-testid="backup-keep-save" disabled={save.isPending}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
