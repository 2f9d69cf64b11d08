//! The dashboard in memory: the recorded answers once the store has a deal, empty ones
//! before (nothing is computed here; the core's rules are tested in Rust).

import type { DashboardApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import type { MemoryState } from './state';

export function dashboardApi(state: MemoryState): DashboardApi {
  const r = fixtures.responses;
  return {
    async dashboard(today) {
      const answer = recorded(r.dashboard);
      if (state.deals.length > 0) return answer;
      return { ...answer, today: today ?? answer.today, contracted: [], renewals_due: [], notices: [], pending_withdrawals: [] };
    },

    async consentHealth() {
      const answer = recorded(r.consentHealth);
      return state.registryImported ? answer : { points: [] };
    },
  };
}
