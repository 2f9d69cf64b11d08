//! Snapshots: a deal's list, one snapshot, building and verifying. A build adds to the
//! deal's list and may hold back records under the opt-out gate, which the consent
//! overview counts.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import type { BuildRequest, DealId, Progress, SnapshotId, VerifyReport } from '../bindings';
import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function useDealSnapshots(dealId: DealId) {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.snapshots.ofDeal(dealId), queryFn: () => call(() => backend.listSnapshots(dealId)) });
}

export function useSnapshot(id: SnapshotId) {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.snapshots.detail(id), queryFn: () => call(() => backend.getSnapshot(id)) });
}

export interface BuildVariables {
  request: BuildRequest;
  onProgress: (progress: Progress) => void;
}

export function useBuildSnapshot() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ request, onProgress }: BuildVariables) => call(() => backend.buildSnapshot(request, onProgress)),
    onSuccess: (snapshot) => {
      client.setQueryData(keys.snapshots.detail(snapshot.snapshot_id), snapshot);
      return Promise.all([
        client.invalidateQueries({ queryKey: keys.snapshots.ofDeal(snapshot.deal_id) }),
        // The gate card counts the records sealed snapshots held back.
        client.invalidateQueries({ queryKey: keys.consent.overview }),
        client.invalidateQueries({ queryKey: keys.audit.of('snapshot', snapshot.snapshot_id) }),
        client.invalidateQueries({ queryKey: keys.audit.ofDeal(snapshot.deal_id) }),
      ]);
    },
  });
}

/** Re-reads a snapshot's files; changes nothing, so it invalidates nothing. */
/** A verification's report and when it ended (ISO 8601). */
export interface Verification {
  report: VerifyReport;
  at: string;
}

/**
 * Verifies a snapshot's files; `last` is its latest verification in this session, still
 * there when the snapshot is opened again.
 */
export function useVerifySnapshot(id: SnapshotId) {
  const { backend } = useApp();
  const client = useQueryClient();
  const key = keys.verifications(id);
  const last = useQuery<Verification | null>({
    queryKey: key,
    queryFn: () => client.getQueryData<Verification>(key) ?? null,
    initialData: null,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  const verify = useMutation({
    mutationFn: () => call(() => backend.verifySnapshot(id)),
    onSuccess: (report) => client.setQueryData<Verification>(key, { report, at: new Date().toISOString() }),
  });
  return { verify, last: last.data };
}
