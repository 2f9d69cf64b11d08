//! An in-memory `Backend` for the UI unit tests and the browser preview: storage plus
//! the core's recorded answers, split by domain as `../index.ts` splits the interface
//! (store, partners, deals, audit, consent, snapshots, deliveries, withdrawals,
//! finance, dashboard).
//!
//! It keeps what the screens create (partners, deals, imports, the policy, snapshots,
//! one audit entry per change) so that lists update, and answers in the shapes the real
//! commands returned: `../fixtures.json`, written by src-tauri/tests/fixtures.rs from a
//! scripted scenario on a real store and stale-checked like the bindings (`make
//! bindings` regenerates it). Deal moves follow the core's own lifecycle table
//! (`DEAL_LIFECYCLE` in the bindings).
//!
//! It does not validate: the core's rules and messages live only in the core. A test
//! that needs a refusal asks for it, with the real error body the scenario recorded:
//!
//!     backend.refuseNext('createPartner', fixtures.errors.partnerNameTaken);
//!
//! and then checks what the UI shows. Refused calls change nothing.

import type { ErrorBody } from '../../bindings';
import type { Backend } from '../index';
import { recorded } from '../fixtures';
import { auditApi } from './audit';
import { consentApi } from './consent';
import { dashboardApi } from './dashboard';
import { dealsApi } from './deals';
import { deliveriesApi } from './deliveries';
import { financeApi } from './finance';
import { partnersApi } from './partners';
import { snapshotsApi } from './snapshots';
import { MemoryState, type MemoryOptions } from './state';
import { storeApi } from './store';
import { withdrawalsApi } from './withdrawals';

export type { MemoryOptions } from './state';

/** The methods of `Backend`, by name. */
export type BackendMethod = keyof Backend;

// The class gets the `Backend` methods in its constructor, from the domain modules.
export interface MemoryBackend extends Backend {}

export class MemoryBackend {
  private readonly state: MemoryState;
  private readonly refusals = new Map<BackendMethod, ErrorBody[]>();

  constructor(options: MemoryOptions = {}) {
    this.state = new MemoryState(options);
    const api: Backend = {
      ...storeApi(this.state),
      ...partnersApi(this.state),
      ...dealsApi(this.state),
      ...auditApi(this.state),
      ...consentApi(this.state),
      ...snapshotsApi(this.state),
      ...deliveriesApi(this.state),
      ...withdrawalsApi(this.state),
      ...financeApi(this.state),
      ...dashboardApi(this.state),
      // The browser preview's sample data, made through this backend's own methods.
      seedDemo: async (_options, onProgress) => {
        onProgress({ step: 'deals', step_number: 1, steps: 1, label: 'Partners and deals', done: 0, total: 1 });
        const { seedDemo } = await import('../demo');
        await seedDemo(this);
        return {
          dir: '/data/consentry-demo',
          seed: 1,
          today: this.state.stamp().slice(0, 10),
          users: 0,
          events: 0,
          posts: 0,
          files: [],
          partners: this.state.partners.map((p) => p.id),
          deals: [],
          invoices: 0,
          payments: 0,
          overdue: 0,
          duration_ms: 40,
        };
      },
    };
    for (const name of Object.keys(api) as BackendMethod[]) {
      const method = api[name] as (...args: unknown[]) => Promise<unknown>;
      Object.assign(this, {
        [name]: async (...args: unknown[]) => {
          const refusal = this.refusals.get(name)?.shift();
          if (refusal) throw recorded(refusal);
          return method(...args);
        },
      });
    }
  }

  /**
   * The next call of `method` is refused with `error` (one of `fixtures.errors`) and
   * changes nothing. Calls queue: two refusals refuse the next two calls.
   */
  refuseNext(method: BackendMethod, error: ErrorBody): void {
    const queue = this.refusals.get(method) ?? [];
    queue.push(error);
    this.refusals.set(method, queue);
  }

  /** Changes how long simulated builds take (the demo seeds its snapshot instantly). */
  setBuildPace(ticks: number, tickMs: number): void {
    this.state.buildTicks = Math.max(1, ticks);
    this.state.buildTickMs = tickMs;
  }
}
