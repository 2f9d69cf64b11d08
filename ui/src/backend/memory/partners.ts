//! Partners in memory: kept as given and listed by name. The core's checks (a name,
//! unique ignoring case, a known kind, a country code) are not repeated here; a test
//! that needs a refusal asks for the recorded one with `refuseNext`.

import type { Partner, PartnerInput, PartnerKind } from '../../bindings';
import type { PartnersApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import { type MemoryState, nextId } from './state';

/** The stored partner `id`, or the core's recorded not-found refusal. */
export function partnerRow(state: MemoryState, id: number): Partner {
  const partner = state.partners.find((p) => p.id === id);
  if (!partner) throw recorded(fixtures.errors.partnerNotFound);
  return partner;
}

function fields(input: PartnerInput) {
  return {
    name: input.name,
    kind: input.kind as PartnerKind,
    country: input.country,
    contact: input.contact,
    notes: input.notes ?? '',
  };
}

export function partnersApi(state: MemoryState): PartnersApi {
  return {
    async listPartners() {
      const byName = (a: Partner, b: Partner) =>
        a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.id - b.id;
      return recorded([...state.partners].sort(byName));
    },

    async createPartner(input) {
      const at = state.stamp();
      const partner: Partner = {
        ...recorded(fixtures.responses.partner),
        ...fields(input),
        id: nextId(state.partners, (p) => p.id),
        created_at: at,
        updated_at: at,
      };
      state.partners.push(partner);
      state.record('partner.created', 'partner', partner.id, null, partner);
      return recorded(partner);
    },

    async updatePartner(id, input) {
      const partner = partnerRow(state, id);
      const before = recorded(partner);
      Object.assign(partner, fields(input), { updated_at: state.stamp() });
      state.record('partner.updated', 'partner', id, before, partner);
      return recorded(partner);
    },
  };
}
