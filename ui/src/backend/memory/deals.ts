//! Deals in memory: kept as given, moved along the core's own lifecycle table
//! (`DEAL_LIFECYCLE`, generated into the bindings), renewed into a linked draft. The
//! core's checks of terms (title, purposes, dates, territory, frozen terms, who may be
//! renewed) are not repeated here; a test that needs one of those refusals asks for
//! the recorded one with `refuseNext`.

import type { Deal, DealInput } from '../../bindings';
import { DEAL_LIFECYCLE } from '../../bindings';
import type { DealsApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import { type MemoryState, nextId, type StoredDeal } from './state';

/** The stored deal `id`, or the core's recorded not-found refusal. */
export function dealRow(state: MemoryState, id: number): StoredDeal {
  const deal = state.deals.find((d) => d.id === id);
  if (!deal) throw recorded(fixtures.errors.dealNotFound);
  return deal;
}

/** A deal as the core hands it out: with its partner's current name. */
function view(state: MemoryState, deal: StoredDeal): Deal {
  const partner = state.partners.find((p) => p.id === deal.partner_id);
  return recorded({ ...deal, partner_name: partner?.name ?? '' });
}

function terms(input: DealInput) {
  return {
    partner_id: input.partner_id,
    title: input.title,
    purposes: [...input.purposes],
    start_date: input.start_date,
    end_date: input.end_date,
    territory: input.territory,
    exclusive: input.exclusive,
    retention_days: input.retention_days,
    ...(input.withdrawal_days != null ? { withdrawal_days: input.withdrawal_days } : {}),
    attribution_required: input.attribution_required,
    sublicensing_allowed: input.sublicensing_allowed,
    notes: input.notes ?? '',
  };
}

export function dealsApi(state: MemoryState): DealsApi {
  /** A new deal in the state the core creates deals in (the recorded one's). */
  function insert(fields: ReturnType<typeof terms>, renewedFrom: number | null, action: string): Deal {
    const at = state.stamp();
    const { partner_name: _, ...shape } = recorded(renewedFrom === null ? fixtures.responses.deal : fixtures.responses.renewal);
    const deal: StoredDeal = {
      ...shape,
      ...fields,
      id: nextId(state.deals, (d) => d.id),
      renewed_from: renewedFrom,
      renewed_by: null,
      created_at: at,
      updated_at: at,
    };
    state.deals.push(deal);
    const after = view(state, deal);
    state.record(action, 'deal', deal.id, null, after);
    return after;
  }

  /** Changes a stored deal and audits the change. */
  function change(id: number, action: string, apply: (deal: StoredDeal) => void): Deal {
    const deal = dealRow(state, id);
    const before = view(state, deal);
    apply(deal);
    deal.updated_at = state.stamp();
    const after = view(state, deal);
    state.record(action, 'deal', id, before, after);
    return after;
  }

  return {
    async listDeals(filter) {
      return state.deals
        .filter((d) => filter.status === null || d.status === filter.status)
        .filter((d) => filter.partner_id === null || d.partner_id === filter.partner_id)
        .sort((a, b) => b.id - a.id)
        .map((d) => view(state, d));
    },

    async getDeal(id) {
      return view(state, dealRow(state, id));
    },

    async createDeal(input) {
      return insert(terms(input), null, 'deal.created');
    },

    async updateDeal(id, input) {
      return change(id, 'deal.updated', (deal) => Object.assign(deal, terms(input)));
    },

    async transitionDeal(id, to) {
      const deal = dealRow(state, id);
      // The recorded refusal names the recorded deal and move, not this one.
      if (!DEAL_LIFECYCLE[deal.status].includes(to)) throw recorded(fixtures.errors.transitionNotAllowed);
      return change(id, 'deal.transitioned', (d) => {
        d.status = to;
      });
    },

    async renewDeal(id, input) {
      const old = dealRow(state, id);
      // Without dates the core picks the next term; here, the recorded renewal's.
      const renewal = insert(
        {
          ...terms({ ...old, notes: old.notes }),
          start_date: input.start_date ?? fixtures.responses.renewal.start_date,
          end_date: input.end_date ?? fixtures.responses.renewal.end_date,
        },
        id,
        'deal.renewed',
      );
      old.renewed_by = renewal.id;
      return renewal;
    },
  };
}
