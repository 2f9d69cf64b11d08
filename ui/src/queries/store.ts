//! Where the store is and who is acting: shown in the sidebar, read once per mount; and
//! its automatic daily backups.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function useStoreInfo() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.storeInfo, queryFn: () => call(() => backend.storeInfo()) });
}

/** The store's integrity check, which runs behind the first screen: failed or not. */
export function useStoreCheck() {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.storeCheck,
    queryFn: () => call(() => backend.storeCheck()).then(() => true),
    staleTime: Infinity,
  });
}

export function useBackupStatus() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.backups, queryFn: () => call(() => backend.backupStatus()) });
}

export function useSetBackupKeep() {
  const { backend } = useApp();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keep: number) => call(() => backend.setBackupKeep(keep)),
    onSuccess: (status) => client.setQueryData(keys.backups, status),
  });
}
