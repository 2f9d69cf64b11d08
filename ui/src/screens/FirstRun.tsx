import { useQueryClient } from '@tanstack/react-query';

import type { DemoProgress, DemoReport } from '../bindings';
import { useApp } from '../context';
import { formatCount } from '../domain/units';
import { useJobs } from '../jobs';

/** The job key of the demo workspace's seeding. */
const DEMO = 'demo';

/**
 * The welcome shown while the store holds no partners and no deals: load the demo
 * workspace (fictional partners, deals, consent, snapshots, a delivery, invoices) to see
 * what the product does, or start empty with the first partner.
 */
export function FirstRun() {
  const { backend, openPartnerForm, navigate, reportError } = useApp();
  const jobs = useJobs();
  const client = useQueryClient();
  const job = jobs.find(DEMO);
  const seeding = job?.status === 'running';

  const loadDemo = async () => {
    try {
      await jobs.start({
        key: DEMO,
        kind: 'demo',
        title: 'Demo workspace',
        run: (report) =>
          backend.seedDemo({ users: null, posts: null, dir: null, seed: null }, (p: DemoProgress) =>
            report(
              p,
              (p.step_number - 1 + (p.total > 0 ? Math.min(1, p.done / p.total) : 0)) / p.steps,
              `${p.step_number}/${p.steps} · ${p.label}`,
            ),
          ),
        done: (r: DemoReport) => ({
          result: { screen: 'dashboard' },
          outcome: `Ready: ${r.deals.length} deals, ${formatCount(r.users)} users, ${formatCount(r.posts)} posts.`,
        }),
      });
      // Everything changed: every list and figure is read again.
      await client.invalidateQueries();
      navigate({ screen: 'dashboard' });
    } catch (error) {
      reportError(error);
    }
  };

  return (
    <section className="first-run" data-testid="first-run" aria-labelledby="first-run-title">
      <svg className="first-run-mark" viewBox="0 0 24 24" aria-hidden="true">
        <rect width="24" height="24" rx="6" />
        <path d="M7 12.5l3.2 3.2L17 8.8" />
      </svg>
      <h1 id="first-run-title">Welcome to Consentry</h1>
      <p>
        Consentry keeps your data-licensing deals with AI companies in one place, and makes sure
        every dataset you deliver contains only the posts whose authors consented to each purpose a
        deal permits.
      </p>
      <p>
        See it at work on a demo workspace: fictional partners and deals, 100,000 users with their
        consent, snapshots, a signed delivery, invoices and payments. Or start empty with the first
        partner you license data to.
      </p>
      <div className="first-run-actions">
        <button
          type="button"
          className="button button-primary button-large"
          data-testid="first-run-demo"
          disabled={seeding}
          onClick={loadDemo}
        >
          {seeding ? 'Loading the demo…' : 'Load the demo workspace'}
        </button>
        <button
          type="button"
          className="button button-large"
          data-testid="first-run-add-partner"
          disabled={seeding}
          onClick={() => openPartnerForm()}
        >
          Start empty: add a partner
        </button>
      </div>
      {seeding && (
        <p className="hint" role="status" data-testid="first-run-progress">
          {job.detail}
        </p>
      )}
    </section>
  );
}
