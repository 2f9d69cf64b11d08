//! The build's state: idle, building (with the latest progress, and whether a cancel was
//! asked), cancelled, or refused (too many bad lines, which are listed). A build is a job
//! of the app (`../../jobs`): it keeps running when the user leaves the wizard, shows in
//! the jobs indicator, and the wizard finds it again, with the values it was started
//! with, when the user comes back to this deal's wizard.

import type { BuildRequest, ErrorBody, Progress, Snapshot } from '../../bindings';
import { useApp } from '../../context';
import { formatBytes, formatCount } from '../../domain/units';
import { useJobs } from '../../jobs';
import { useBuildSnapshot } from '../../queries/snapshots';

export type Phase =
  | { kind: 'idle' }
  | { kind: 'building'; progress: Progress | null; cancelling: boolean }
  | { kind: 'cancelled' }
  | { kind: 'refused'; error: ErrorBody };

/** How a build ended; a failure the wizard must place (field errors, the banner) is `failed`. */
export type BuildOutcome = { sealed: Snapshot } | { failed: ErrorBody } | { stopped: true };

/** The job key of a deal's snapshot build. */
export const buildKey = (dealId: number) => `snapshot:${dealId}`;

export function useSnapshotBuild(dealId: number, title: string) {
  const { backend } = useApp();
  const build = useBuildSnapshot();
  const jobs = useJobs();
  const job = jobs.find(buildKey(dealId));

  let phase: Phase = { kind: 'idle' };
  if (job?.status === 'running') {
    phase = { kind: 'building', progress: job.progress as Progress | null, cancelling: job.cancelling };
  } else if (job?.status === 'cancelled') {
    phase = { kind: 'cancelled' };
  } else if (job?.status === 'failed' && job.error && job.error.lines.length > 0) {
    phase = { kind: 'refused', error: job.error };
  }
  const building = phase.kind === 'building';

  /** Builds; the phase follows the job, and the outcome says what the wizard must do. */
  const start = async (request: BuildRequest, input: unknown): Promise<BuildOutcome> => {
    try {
      const snapshot = await jobs.start({
        key: buildKey(dealId),
        kind: 'snapshot',
        title: `Snapshot for ${title}`,
        input,
        cancel: () => backend.cancelBuild(),
        run: (report) =>
          build.mutateAsync({
            request,
            onProgress: (p) =>
              report(
                p,
                p.bytes_total > 0 ? Math.min(1, p.bytes_read / p.bytes_total) : null,
                `${formatBytes(p.bytes_read)} of ${formatBytes(p.bytes_total)} · ${formatCount(p.records)} records`,
              ),
          }),
        done: (s: Snapshot) => ({
          result: { screen: 'snapshot', id: s.snapshot_id },
          outcome: `Sealed: ${formatCount(s.records_included)} records included.`,
        }),
      });
      return { sealed: snapshot };
    } catch (error) {
      const body = error as ErrorBody;
      if (body.code === 'cancelled' || body.lines.length > 0) return { stopped: true };
      return { failed: body };
    }
  };

  const cancel = async () => {
    if (job) jobs.cancel(job.id);
  };

  /** The form values the running (or last) build was started with. */
  const input = job?.input ?? null;

  return { phase, building, start, cancel, input };
}
