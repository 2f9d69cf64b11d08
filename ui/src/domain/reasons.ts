//! Why a record is left out of a snapshot (PRODUCT.md §2), in the order the core checks
//! them, with a short label for people. The tokens are the keys of `Snapshot.excluded`.

export interface ReasonInfo {
  token: string;
  label: string;
  /** One sentence for a tooltip. */
  description: string;
}

export const REASONS: readonly ReasonInfo[] = [
  { token: 'rejected', label: 'Malformed line', description: 'The line did not parse or lacked a mapped field.' },
  { token: 'duplicate_id', label: 'Duplicate record id', description: 'A record with the same id came earlier in the file.' },
  { token: 'after_cutoff', label: 'Created after cut-off', description: 'The record was created after the as-of instant.' },
  { token: 'outside_window', label: 'Outside content window', description: 'The record was created outside the chosen date window.' },
  { token: 'unknown_user', label: 'Author not in registry', description: 'The author is not in the user registry.' },
  { token: 'account_status', label: 'Account not active', description: 'The author’s account is deleted or suspended.' },
  { token: 'age_unknown', label: 'Age unknown', description: 'The author has no birth date in the registry.' },
  { token: 'minor', label: 'Minor at cut-off', description: 'The author was under 18 at the as-of instant.' },
  { token: 'no_consent', label: 'No consent', description: 'The author did not consent to every purpose the deal permits.' },
];

const BY_TOKEN = new Map(REASONS.map((r) => [r.token, r]));

/** The reason's label; an unknown token (from a newer core) is shown as it is. */
export function reasonLabel(token: string): string {
  return BY_TOKEN.get(token)?.label ?? token;
}

/**
 * Every reason with its count, known reasons first in check order, then any the core
 * added that this UI does not know yet.
 */
export function reasonCounts(excluded: Record<string, number | undefined>): { token: string; count: number }[] {
  const known = REASONS.map((r) => ({ token: r.token, count: excluded[r.token] ?? 0 }));
  const extra = Object.keys(excluded)
    .filter((t) => !BY_TOKEN.has(t))
    .sort()
    .map((t) => ({ token: t, count: excluded[t] ?? 0 }));
  return [...known, ...extra];
}
