import type { DealStatus } from '../bindings';

/** The status as a coloured badge; its text is exactly the status token. */
export function StatusBadge({ status, testId }: { status: DealStatus; testId?: string }) {
  return (
    <span className={`badge badge-${status}`} data-testid={testId}>
      {status}
    </span>
  );
}
