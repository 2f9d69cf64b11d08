//! The query cache the screens share. Every failure in it is an `ErrorBody` (the query
//! functions convert what the backend rejected with), so screens read `error.code` and
//! `error.fields` as they do everywhere else.

import { QueryClient } from '@tanstack/react-query';

import type { ErrorBody } from '../bindings';
import { toErrorBody } from '../backend';

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ErrorBody;
  }
}

/**
 * A cache for one window. Nothing is retried: the store is local, so a failure is an
 * answer (a refused request, a missing row), not a flaky network. Data is refetched when
 * a screen that shows it mounts, so what the CLI changed in the same store shows up on
 * the next visit; focusing the window does not refetch (a half-edited form keeps its
 * values whatever happens elsewhere).
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 0 },
      mutations: { retry: false },
    },
  });
}

/** Runs a backend call, rejecting with an `ErrorBody` whatever the backend rejected with. */
export async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toErrorBody(error);
  }
}
