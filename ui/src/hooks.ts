//! Loading data from the backend into component state.

import { useCallback, useEffect, useState, type DependencyList } from 'react';

import type { ErrorBody } from './bindings';
import { toErrorBody } from './backend';

export interface Resource<T> {
  data: T | undefined;
  error: ErrorBody | null;
  loading: boolean;
  /** Loads again; the current data stays on screen until the new data arrives. */
  reload: () => void;
  /** Replaces the data with a value the caller already has (a mutation's result). */
  setData: (data: T) => void;
}

/** Runs `load` when `deps` change (and on `reload`), keeping only the latest answer. */
export function useResource<T>(load: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(toErrorBody(e));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // `load` is a new closure on every render; `deps` say when it really changes.
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, loading, reload, setData };
}
