//! The snapshot wizard: builds a snapshot of one source dataset for a deal. One component
//! per step (source, mapping and cut-off, build), the fields in one table (`fields.ts`)
//! and the build's state in a hook (`useSnapshotBuild`); this module holds the values
//! and errors the steps share, and moves on to the result once the snapshot is sealed
//! (if the user is still here: the build is a job of the app and outlives the wizard).

import { useEffect, useRef, useState, type ReactNode } from 'react';

import type { Deal, SourcePreview } from '../../bindings';
import { StatusBadge } from '../../components/StatusBadge';
import { DealUnavailable } from '../../components/DealUnavailable';
import { useApp } from '../../context';
import { placeErrors, type FieldErrors } from '../../forms';
import { useDeal } from '../../queries/deals';
import { canSnapshot } from '../DealSnapshots';
import { BuildStep } from './BuildStep';
import { check, FIELDS, initialValues, NO_SOURCE, optional, toRequest, type Values, type WizardFieldName } from './fields';
import { MappingStep } from './MappingStep';
import { SourceStep } from './SourceStep';
import { useSnapshotBuild } from './useSnapshotBuild';
import { useBrowse } from '../../components/useBrowse';

export function SnapshotWizard({ dealId }: { dealId: number }) {
  const { navigate } = useApp();
  const deal = useDeal(dealId);

  const back = (
    <button
      type="button"
      className="back-link"
      data-testid="wizard-back"
      onClick={() => navigate({ screen: 'deal', id: dealId })}
    >
      ← {deal.data?.title ?? `Deal #${dealId}`}
    </button>
  );
  if (deal.error && !deal.data) return <DealUnavailable id={dealId} error={deal.error} back={back} />;
  if (!deal.data) return <p className="loading">Loading…</p>;
  return <WizardBody deal={deal.data} back={back} />;
}

function WizardBody({ deal, back }: { deal: Deal; back: ReactNode }) {
  const { backend, navigate, reportError, clearError } = useApp();
  const { phase, building, start, cancel, input } = useSnapshotBuild(deal.id, deal.title);
  // Back in the wizard of a deal whose build runs (or ended): the values it was started with.
  const [values, setValues] = useState<Values>(() => (input as Values | null) ?? initialValues(new Date()));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [preview, setPreview] = useState<SourcePreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // The build outlives the wizard: only a wizard still on screen moves to the result.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const set = (field: WizardFieldName, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
    // A preview shows one file read one way.
    if (field === 'source' || field === 'format') setPreview(null);
  };

  const browseFor = useBrowse();
  const browse = (kind: 'source' | 'folder') =>
    browseFor(() => backend.pickFile(kind), (chosen) => set(kind === 'source' ? 'source' : 'out', chosen));

  const loadPreview = async () => {
    if (values.source.trim() === '') {
      const found = { source: NO_SOURCE };
      setErrors((e) => ({ ...e, ...found }));
      FIELDS.focusFirstError(form.current, found);
      return;
    }
    setPreviewing(true);
    try {
      setPreview(await backend.previewSource(values.source.trim(), optional(values.format)));
      setErrors((e) => ({ ...e, source: undefined, format: undefined }));
      clearError();
    } catch (error) {
      setPreview(null);
      const placed = placeErrors(error, ['source', 'format']);
      setErrors((e) => ({ ...e, ...placed.inline }));
      if (placed.banner) reportError(placed.banner);
    } finally {
      setPreviewing(false);
    }
  };

  const build = async () => {
    if (building) return;
    const found = check(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      FIELDS.focusFirstError(form.current, found);
      return;
    }
    clearError();
    const outcome = await start(toRequest(deal.id, values), values);
    if (!mounted.current) return;
    if ('sealed' in outcome) {
      navigate({ screen: 'snapshot', id: outcome.sealed.snapshot_id });
    } else if ('failed' in outcome) {
      const placed = FIELDS.place(outcome.failed);
      setErrors(placed.inline);
      if (placed.banner) reportError(placed.banner);
      FIELDS.focusFirstError(form.current, placed.inline);
    }
  };

  const allowed = canSnapshot(deal);
  const mapped = [
    { field: values.id_field.trim(), role: 'id' },
    { field: values.user_field.trim(), role: 'author' },
    { field: values.time_field.trim(), role: 'created at' },
  ];

  return (
    <section className="screen" data-testid="snapshot-wizard" aria-labelledby="wizard-title">
      {back}
      <header className="detail-header">
        <div className="detail-heading">
          <h1 id="wizard-title">New snapshot</h1>
          <StatusBadge status={deal.status} />
        </div>
        <p className="screen-subtitle">
          {deal.title} · {deal.partner_name} · Deal #{deal.id}
        </p>
      </header>
      {!allowed && (
        <p className="notice" data-testid="wizard-not-allowed">
          Snapshots are built only for signed or active deals. This deal is {deal.status}
          {deal.status === 'draft' || deal.status === 'negotiating' ? ': sign the deal first.' : '.'}
        </p>
      )}

      <form ref={form} className="wizard" onSubmit={(e) => e.preventDefault()} noValidate>
        <fieldset className="wizard-fieldset" disabled={building}>
          <SourceStep
            values={values}
            errors={errors}
            onChange={set}
            onBrowse={() => browse('source')}
            onPreview={loadPreview}
            previewing={previewing}
            preview={preview}
            mapped={mapped}
          />
          <MappingStep
            values={values}
            errors={errors}
            onChange={set}
            onBrowseFolder={() => browse('folder')}
            preview={preview}
          />
        </fieldset>
        <BuildStep deal={deal} phase={phase} allowed={allowed} onBuild={build} onCancel={cancel} />
      </form>
    </section>
  );
}
