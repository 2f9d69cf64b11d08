//! Step 3: what decides inclusion, the build button, and while building the progress
//! (share, speed, records, time left) with a cancel button; afterwards why nothing was
//! kept, if so.

import type { Deal, Progress } from '../../bindings';
import { Count } from '../../components/Count';
import { ProgressFill } from '../../components/ProgressFill';
import { PurposeChips } from '../../components/PurposeChips';
import { formatBytes, formatDuration, formatMegabytesPerSecond, perSecond } from '../../domain/units';
import { LineList } from '../ImportCard';
import type { Phase } from './useSnapshotBuild';

interface BuildStepProps {
  deal: Deal;
  phase: Phase;
  allowed: boolean;
  onBuild: () => void;
  onCancel: () => void;
}

export function BuildStep({ deal, phase, allowed, onBuild, onCancel }: BuildStepProps) {
  return (
    <section className="card wizard-step" aria-labelledby="step-build">
      <h2 id="step-build" className="step-title">
        <span className="step-number">3</span> Build
      </h2>
      <p className="step-hint">
        Each record is included only if its author passes for every purpose the deal permits:{' '}
        <PurposeChips purposes={deal.purposes} />
      </p>
      {phase.kind === 'building' ? (
        <BuildProgress progress={phase.progress} cancelling={phase.cancelling} onCancel={onCancel} />
      ) : (
        <div className="build-actions">
          <button
            type="button"
            className="button button-primary button-large"
            data-testid="wizard-build"
            disabled={!allowed}
            onClick={onBuild}
          >
            Build snapshot
          </button>
          {phase.kind === 'cancelled' && (
            <p className="build-cancelled" data-testid="wizard-cancelled" role="status">
              Cancelled; nothing was kept.
            </p>
          )}
        </div>
      )}
      {phase.kind === 'refused' && (
        <div className="outcome outcome-bad" role="alert" data-testid="wizard-refused">
          <p className="outcome-title">Not sealed: nothing was kept.</p>
          <p className="outcome-note">{phase.error.message}</p>
          <LineList lines={phase.error.lines} testId="wizard-errors" />
        </div>
      )}
    </section>
  );
}

/**
 * The time left, from the pace so far. The first seconds are not a pace (the build reads
 * the consent data before the source), so until 2% of the source and 1.5 s have gone by
 * it says so; once the source is read, what is left is writing and sealing.
 */
export function timeLeft(read: number, total: number, elapsedMs: number): string {
  if (total > 0 && read >= total) return 'finishing…';
  if (total <= 0 || read < total * 0.02 || elapsedMs < 1500) return 'estimating…';
  const ms = (total - read) / (read / elapsedMs);
  return `about ${formatDuration(Math.max(1000, ms))}`;
}

function BuildProgress({
  progress,
  cancelling,
  onCancel,
}: {
  progress: Progress | null;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const total = progress?.bytes_total ?? 0;
  const read = progress?.bytes_read ?? 0;
  const pct = total > 0 ? Math.min(100, Math.floor((read / total) * 100)) : 0;
  const elapsed = progress?.elapsed_ms ?? 0;
  return (
    <div className="build-progress" data-testid="wizard-progress" aria-live="polite">
      <div className="progress-head">
        <span className="progress-pct">{progress ? `${pct}%` : 'Starting…'}</span>
        {progress && (
          <span className="muted">
            {formatBytes(read)} of {formatBytes(total)}
          </span>
        )}
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Build progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <ProgressFill percent={pct} />
      </div>
      <div className="progress-foot">
        <dl className="progress-stats">
          <div>
            <dt>Speed</dt>
            <dd data-testid="progress-mbps">{formatMegabytesPerSecond(read, elapsed)}</dd>
          </div>
          <div>
            <dt>Records/s</dt>
            <dd>
              <Count value={perSecond(progress?.records ?? 0, elapsed)} testId="progress-rps" />
            </dd>
          </div>
          <div>
            <dt>Records</dt>
            <dd>
              <Count value={progress?.records ?? 0} testId="progress-records" />
            </dd>
          </div>
          <div>
            <dt>Included so far</dt>
            <dd>
              <Count value={progress?.included ?? 0} testId="progress-included" />
            </dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd data-testid="progress-eta">{progress ? timeLeft(read, total, elapsed) : '—'}</dd>
          </div>
        </dl>
        <button
          type="button"
          className="button button-danger-outline"
          data-testid="wizard-cancel"
          onClick={onCancel}
          disabled={cancelling}
        >
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
