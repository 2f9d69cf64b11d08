//! The deal lifecycle as the core enforces it (src/model/deal.rs, exported into the
//! bindings as `DEAL_LIFECYCLE`), so that the UI offers only the moves the core accepts. The core stays the authority: a refused
//! move still arrives as an `illegal_transition` error.

import { DEAL_LIFECYCLE, type Deal, type DealStatus } from '../bindings';

export const STATUSES: readonly DealStatus[] = [
  'draft',
  'negotiating',
  'signed',
  'active',
  'expired',
  'terminated',
];

/** The core's own table, generated into the bindings: never a copy kept here. */
const NEXT: Record<DealStatus, readonly DealStatus[]> = DEAL_LIFECYCLE;

/** The states a deal in `status` may move to, in the order the UI offers them. */
export function nextStatuses(status: DealStatus): readonly DealStatus[] {
  return NEXT[status];
}

export function canMove(from: DealStatus, to: DealStatus): boolean {
  return NEXT[from].includes(to);
}

/** Terms are editable until the deal is signed. */
export function termsOpen(status: DealStatus): boolean {
  return status === 'draft' || status === 'negotiating';
}

/** Only a deal that was signed can be renewed, and only once. */
export function canRenew(deal: Pick<Deal, 'status' | 'renewed_by'>): boolean {
  return (
    (deal.status === 'signed' || deal.status === 'active' || deal.status === 'expired') &&
    deal.renewed_by === null
  );
}

/** The label of the button that moves a deal to `to`. */
export function transitionLabel(to: DealStatus): string {
  switch (to) {
    case 'negotiating':
      return 'Move to negotiating';
    case 'signed':
      return 'Mark signed';
    case 'active':
      return 'Activate';
    case 'expired':
      return 'Mark expired';
    case 'terminated':
      return 'Terminate';
    case 'draft':
      return 'Back to draft';
  }
}

/** Position in the lifecycle, for sorting by status. */
export function statusRank(status: DealStatus): number {
  return STATUSES.indexOf(status);
}
