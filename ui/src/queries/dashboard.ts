//! The home screen's own figures (the finance cards reuse the finance reports' queries).

import { useQuery } from '@tanstack/react-query';

import { useApp } from '../context';
import { call } from './client';
import { keys } from './keys';

export function useDashboard() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.dashboard, queryFn: () => call(() => backend.dashboard(null)) });
}

export function useConsentHealth() {
  const { backend } = useApp();
  return useQuery({ queryKey: keys.consent.health, queryFn: () => call(() => backend.consentHealth(null)) });
}
