import { useApp } from '../context';

/**
 * A "Browse…" button's action: opens a file dialog with `pick`, hands a chosen path to
 * `use`, and shows a failure in the error banner (a cancelled dialog does nothing).
 */
export function useBrowse() {
  const { reportError } = useApp();
  return async (pick: () => Promise<string | null>, use: (path: string) => void) => {
    try {
      const chosen = await pick();
      if (chosen !== null) use(chosen);
    } catch (error) {
      reportError(error);
    }
  };
}
