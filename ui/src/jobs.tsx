//! Long jobs (snapshot builds, pushes, imports) belong to the app, not to the screen
//! that started them: they keep running when the user moves on, show in the jobs
//! indicator on every screen (progress, cancel), announce how they ended, and keep a
//! link to their result. A screen finds its own job again by key (`snapshot:3`) and
//! shows it as it left it.

import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

import type { ErrorBody } from './bindings';
import { toErrorBody } from './backend';
import { ProgressFill } from './components/ProgressFill';
import type { Route } from './route';

export type JobKind = 'snapshot' | 'push' | 'import' | 'demo';
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: number;
  /** What a screen looks its job up by, e.g. `snapshot:3` for deal 3's build. */
  key: string;
  kind: JobKind;
  /** What it is, in a few words: "Snapshot for Training licence". */
  title: string;
  status: JobStatus;
  /** 0 to 1, or null while unknown. */
  fraction: number | null;
  /** The progress in words: "1.2 GiB of 3.4 GiB · 420 000 records". */
  detail: string;
  /** The job's latest raw progress, for the screen that started it. */
  progress: unknown;
  /** What the screen that started it needs to show it again (its form's values). */
  input: unknown;
  /** What it returned, once done. */
  value: unknown;
  /** Where its result is, once done. */
  result: Route | null;
  /** How it ended, in words, once it has. */
  outcome: string | null;
  error: ErrorBody | null;
  /** Whether it can be stopped. */
  cancellable: boolean;
  cancelling: boolean;
}

export interface JobSpec<T> {
  key: string;
  kind: JobKind;
  title: string;
  input?: unknown;
  /** Asks the core to stop; absent when the job cannot be stopped. */
  cancel?: () => Promise<void>;
  /** Runs the job; `report` passes progress on. */
  run: (report: (progress: unknown, fraction: number | null, detail: string) => void) => Promise<T>;
  /** Where the result is and how to say it ended. */
  done: (result: T) => { result: Route | null; outcome: string };
  /** How to say it was cancelled, for a job that keeps what it finished (default: nothing was kept). */
  cancelled?: (error: ErrorBody) => string;
  /** How to say it failed, in the screen's words; default: the error's message. */
  failed?: (error: ErrorBody) => string;
}

interface Jobs {
  jobs: Job[];
  /** Starts a job; resolves with its result, or rejects as `run` did (as an ErrorBody). */
  start: <T>(spec: JobSpec<T>) => Promise<T>;
  /** The newest job with this key, running or ended. */
  find: (key: string) => Job | undefined;
  cancel: (id: number) => void;
  /** Removes an ended job from the indicator. */
  dismiss: (id: number) => void;
}

const JobsContext = createContext<Jobs | null>(null);

export function useJobs(): Jobs {
  const jobs = useContext(JobsContext);
  if (!jobs) throw new Error('useJobs outside JobsProvider');
  return jobs;
}

export function JobsProvider({ children }: { children: ReactNode }) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const cancels = useRef(new Map<number, () => Promise<void>>());
  const nextId = useRef(1);

  const update = useCallback((id: number, change: Partial<Job>) => {
    setJobs((all) => all.map((j) => (j.id === id ? { ...j, ...change } : j)));
  }, []);

  const start = useCallback(
    async <T,>(spec: JobSpec<T>): Promise<T> => {
      const id = nextId.current++;
      if (spec.cancel) cancels.current.set(id, spec.cancel);
      const job: Job = {
        id,
        key: spec.key,
        kind: spec.kind,
        title: spec.title,
        status: 'running',
        fraction: null,
        detail: 'Starting…',
        progress: null,
        input: spec.input ?? null,
        value: null,
        result: null,
        outcome: null,
        error: null,
        cancellable: spec.cancel !== undefined,
        cancelling: false,
      };
      // An ended job of the same key makes way for the new one.
      setJobs((all) => [...all.filter((j) => j.key !== spec.key || j.status === 'running'), job]);
      try {
        const value = await spec.run((progress, fraction, detail) => update(id, { progress, fraction, detail }));
        const { result, outcome } = spec.done(value);
        update(id, { status: 'done', value, result, outcome, fraction: 1 });
        return value;
      } catch (error) {
        const body = toErrorBody(error);
        update(
          id,
          body.code === 'cancelled'
            ? { status: 'cancelled', outcome: spec.cancelled?.(body) ?? 'Cancelled: nothing was kept.', error: body }
            : { status: 'failed', outcome: spec.failed ? spec.failed(body) : body.message, error: body },
        );
        throw body;
      } finally {
        cancels.current.delete(id);
      }
    },
    [update],
  );

  const value = useMemo<Jobs>(
    () => ({
      jobs,
      start,
      find: (key) => [...jobs].reverse().find((j) => j.key === key),
      cancel: (id) => {
        const cancel = cancels.current.get(id);
        if (!cancel) return;
        update(id, { cancelling: true, detail: 'Cancelling…' });
        void cancel().catch(() => undefined);
      },
      dismiss: (id) => setJobs((all) => all.filter((j) => j.id !== id || j.status === 'running')),
    }),
    [jobs, start, update],
  );
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

/** The jobs, on every screen: progress and cancel while they run, how they ended after. */
export function JobsIndicator({ onOpen }: { onOpen: (route: Route) => void }) {
  const { jobs, cancel, dismiss } = useJobs();
  return (
    <div className="jobs" data-testid="jobs" aria-label="Jobs">
      {/* Screen readers hear each job end. */}
      <p className="visually-hidden" role="status" aria-live="polite">
        {jobs
          .filter((j) => j.status !== 'running')
          .map((j) => `${j.title}: ${j.outcome ?? j.status}`)
          .join('. ')}
      </p>
      {jobs.map((j) => (
        <div key={j.id} className={`job job-${j.status}`} data-testid={`job-${j.key}`} data-status={j.status}>
          <p className="job-title" title={j.title}>
            {j.title}
          </p>
          {j.status === 'running' ? (
            <>
              <div
                className="job-bar"
                role="progressbar"
                aria-label={j.title}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={j.fraction === null ? undefined : Math.round(j.fraction * 100)}
              >
                {j.fraction === null ? (
                  <span className="job-bar-fill job-bar-indeterminate" />
                ) : (
                  <ProgressFill className="job-bar-fill" percent={Math.round(j.fraction * 100)} />
                )}
              </div>
              <p className="job-detail">{j.detail}</p>
              {j.cancellable && (
                <button
                  type="button"
                  className="link-button"
                  data-testid={`job-cancel-${j.key}`}
                  disabled={j.cancelling}
                  onClick={() => cancel(j.id)}
                >
                  {j.cancelling ? 'Cancelling…' : 'Cancel'}
                </button>
              )}
            </>
          ) : (
            <>
              <p className="job-outcome" data-testid={`job-outcome-${j.key}`}>
                {j.outcome}
              </p>
              <div className="job-actions">
                {j.result && (
                  <button type="button" className="link-button" data-testid={`job-open-${j.key}`} onClick={() => onOpen(j.result as Route)}>
                    Open
                  </button>
                )}
                <button type="button" className="link-button muted" aria-label={`Dismiss ${j.title}`} onClick={() => dismiss(j.id)}>
                  Dismiss
                </button>
              </div>
            </>
          )}
        </div>
      ))}
    </div>
  );
}
