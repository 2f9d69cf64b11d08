//! Consent: the overview, the policy, imports and policy changes. Imports change the
//! overview's counts; a policy change changes the policy and the overview (regimes, the
//! opt-out gate). Both can make delivered users ineligible: the pending withdrawals.
//!
//! The core returns the policy only inside the overview, so the policy's key is filled
//! from there: every overview load writes it, and so does a policy change (its result).
//! A policy query never waits for a second overview while one is on screen.

import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';

import type { ImportOptions, ImportProgress, PolicyInput } from '../bindings';
import type { Backend } from '../backend';
import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

/** The overview's query; loading it also fills the policy's key. */
function overviewQuery(backend: Backend, client: QueryClient) {
  return {
    queryKey: keys.consent.overview,
    queryFn: async () => {
      const overview = await call(() => backend.consentOverview());
      client.setQueryData(keys.consent.policy, overview.policy);
      return overview;
    },
  };
}

export function useConsentOverview() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useQuery(overviewQuery(backend, client));
}

/** The current policy: as the latest overview or policy change left it. */
export function usePolicy() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.consent.policy,
    // Only when no overview has been read yet: joins the overview's request if one is
    // under way, else makes it (and uses a cached overview as it is).
    queryFn: async () => (await client.fetchQuery({ ...overviewQuery(backend, client), staleTime: Infinity })).policy,
    // Kept current by every overview load and by `useSetPolicy`, never refetched alone.
    staleTime: Infinity,
  });
}

export type ImportKind = 'registry' | 'ledger';

export function useImport(kind: ImportKind) {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({
      path,
      options,
      onProgress,
    }: {
      path: string;
      options: ImportOptions;
      onProgress?: (progress: ImportProgress) => void;
    }) =>
      call(() =>
        kind === 'registry'
          ? backend.importRegistry(path, options, onProgress)
          : backend.importLedger(path, options, onProgress),
      ),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.consent.overview }),
        client.invalidateQueries({ queryKey: keys.withdrawals.all }),
        client.invalidateQueries({ queryKey: keys.exposure.all }),
      ]),
  });
}

export function useSetPolicy() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: PolicyInput) => call(() => backend.setPolicy(input)),
    onSuccess: async (policy) => {
      // The overview first, so that the new version and the counts it changes (regimes,
      // the gate) appear together.
      await Promise.all([
        client.invalidateQueries({ queryKey: keys.consent.overview }),
        client.invalidateQueries({ queryKey: keys.audit.of('policy', policy.version) }),
        client.invalidateQueries({ queryKey: keys.withdrawals.all }),
      ]);
      client.setQueryData(keys.consent.policy, policy);
    },
  });
}
