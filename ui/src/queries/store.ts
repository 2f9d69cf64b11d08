//! Where the store is and who is acting: shown in the sidebar, read once per mount.

import { useQuery } from '@tanstack/react-query';

import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function useStoreInfo() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.storeInfo, queryFn: () => call(() => backend.storeInfo()) });
}
