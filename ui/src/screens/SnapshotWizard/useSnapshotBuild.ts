//! The build's state: idle, building (with the latest progress, and whether a cancel was
//! asked), cancelled, or refused (too many bad lines, which are listed). Leaving the
//! wizard while a build runs cancels it: nothing half-built is kept.

import { useEffect, useRef, useState } from 'react';

import type { BuildRequest, ErrorBody, Progress, Snapshot } from '../../bindings';
import { useApp } from '../../context';
import { useBuildSnapshot } from '../../queries/snapshots';

export type Phase =
  | { kind: 'idle' }
  | { kind: 'building'; progress: Progress | null; cancelling: boolean }
  | { kind: 'cancelled' }
  | { kind: 'refused'; error: ErrorBody };

/** How a build ended; a failure the wizard must place (field errors, the banner) is `failed`. */
export type BuildOutcome = { sealed: Snapshot } | { failed: ErrorBody } | { stopped: true };

export function useSnapshotBuild() {
  const { backend, reportError } = useApp();
  const build = useBuildSnapshot();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const building = phase.kind === 'building';

  const running = useRef(false);
  useEffect(
    () => () => {
      if (running.current) void backend.cancelBuild().catch(() => undefined);
    },
    [backend],
  );

  /** Builds; the phase follows the build, and the outcome says what the wizard must do. */
  const start = async (request: BuildRequest): Promise<BuildOutcome> => {
    running.current = true;
    setPhase({ kind: 'building', progress: null, cancelling: false });
    try {
      const snapshot = await build.mutateAsync({
        request,
        onProgress: (progress) => setPhase((p) => (p.kind === 'building' ? { ...p, progress } : p)),
      });
      return { sealed: snapshot };
    } catch (error) {
      const body = error as ErrorBody;
      if (body.code === 'cancelled') {
        setPhase({ kind: 'cancelled' });
        return { stopped: true };
      }
      if (body.lines.length > 0) {
        setPhase({ kind: 'refused', error: body });
        return { stopped: true };
      }
      setPhase({ kind: 'idle' });
      return { failed: body };
    } finally {
      running.current = false;
    }
  };

  const cancel = async () => {
    setPhase((p) => (p.kind === 'building' ? { ...p, cancelling: true } : p));
    try {
      await backend.cancelBuild();
    } catch (error) {
      reportError(error);
    }
  };

  return { phase, building, start, cancel };
}
