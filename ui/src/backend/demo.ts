//! Sample data for the browser preview (`?demo` in the URL), so that every screen can be
//! looked at without the desktop shell. Never used by the desktop app.

import type { DealInput } from '../bindings';
import type { MemoryBackend } from './memory';

export async function seedDemo(backend: MemoryBackend): Promise<void> {
  const lab = await backend.createPartner({
    name: 'Northwind AI',
    kind: 'ai-lab',
    country: 'US',
    contact: 'licensing@northwind.example',
    notes: 'Frontier model lab; wants multi-year training access.',
  });
  const search = await backend.createPartner({
    name: 'Looksee Search',
    kind: 'search-engine',
    country: 'DE',
    contact: 'data-partnerships@looksee.example',
    notes: null,
  });
  const uni = await backend.createPartner({
    name: 'Institute for Language Research',
    kind: 'research',
    country: 'GB',
    contact: null,
    notes: null,
  });
  const base = (over: Partial<DealInput>): DealInput => ({
    partner_id: lab.id,
    title: '',
    purposes: ['genai-training'],
    start_date: '2026-01-01',
    end_date: '2027-12-31',
    territory: 'WORLD',
    exclusive: false,
    retention_days: null,
    withdrawal_days: 30,
    attribution_required: false,
    sublicensing_allowed: false,
    notes: null,
    ...over,
  });

  const training = await backend.createDeal(
    base({
      title: 'Model training licence 2026–27',
      purposes: ['genai-training', 'ai-inference'],
      retention_days: 730,
      attribution_required: true,
      notes: 'Fee schedule agreed in principle; legal review pending.',
    }),
  );
  for (const to of ['negotiating', 'signed', 'active'] as const) {
    await backend.transitionDeal(training.id, to);
  }
  const index = await backend.createDeal(
    base({
      partner_id: search.id,
      title: 'Search index feed',
      purposes: ['search'],
      start_date: '2026-03-01',
      end_date: '2027-02-28',
      territory: 'DE,AT,CH',
    }),
  );
  await backend.transitionDeal(index.id, 'negotiating');
  const pilot = await backend.createDeal(
    base({
      partner_id: uni.id,
      title: 'Discourse analysis pilot',
      purposes: ['data-mining'],
      start_date: '2025-01-01',
      end_date: '2025-06-30',
      retention_days: 180,
    }),
  );
  for (const to of ['negotiating', 'signed', 'active', 'expired'] as const) {
    await backend.transitionDeal(pilot.id, to);
  }
  const rag = await backend.createDeal(
    base({
      title: 'Grounding API access',
      purposes: ['ai-inference'],
      start_date: '2026-07-01',
      end_date: '2026-12-31',
      exclusive: true,
    }),
  );
  await backend.transitionDeal(rag.id, 'terminated');
  await backend.createDeal(
    base({
      partner_id: search.id,
      title: 'Snippet ranking research',
      purposes: ['ai-training', 'data-mining'],
      start_date: '2026-09-01',
      end_date: '2028-08-31',
    }),
  );

  await backend.importRegistry('/srv/exports/registry-2026-10.csv', { skip_invalid: false, format: null });
  await backend.importLedger('/srv/exports/consent-ledger-2026-10.jsonl', { skip_invalid: false, format: null });
  await backend.importRegistry('/srv/exports/registry-2026-11-bad.csv', { skip_invalid: true, format: null });
  // Sharing began before users could opt out (the setting reached them on 1 May 2026).
  await backend.setPolicy({ opt_in: null, opt_out_available_from: '2026-05-01', notice_days: 30 });
  // Seed one sealed snapshot at once; builds started in the preview still tick visibly.
  backend.setBuildPace(1, 0);
  await backend.buildSnapshot(
    {
      deal_id: training.id,
      source: '/srv/exports/posts-2026-10.jsonl',
      format: null,
      id_field: 'id',
      user_field: 'author',
      time_field: 'created_utc',
      as_of: '2026-11-01T00:00:00Z',
      window_from: null,
      window_to: null,
      shard_bytes: 16 * 1024 * 1024,
      out: null,
      max_rejected_pct: null,
    },
    () => undefined,
  );
  backend.setBuildPace(8, 250);
}
