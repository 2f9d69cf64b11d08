//! Where the user is. In-app state, not URLs: the desktop app has no address bar.

import type { DealId, DealStatus, SnapshotId } from './bindings';

export type Route =
  | { screen: 'dashboard' }
  /** The deals; `status` opens the list filtered to it. */
  | { screen: 'deals'; status?: DealStatus }
  | { screen: 'partners' }
  | { screen: 'consent' }
  /** Finance; the invoices may open filtered to a deal or a status. */
  | { screen: 'finance'; dealId?: DealId; status?: string }
  | { screen: 'deal'; id: DealId }
  | { screen: 'deal-new' }
  | { screen: 'deal-edit'; id: DealId }
  | { screen: 'snapshot-new'; dealId: DealId }
  | { screen: 'snapshot'; id: SnapshotId }
  | { screen: 'exposure'; userId?: string };

/**
 * Reads a route from a location hash such as `#deal/3`; the browser preview uses it to
 * open a screen directly (`#consent`, `#finance`, `#deal/3/snapshot-new`, `#snapshot/1`, `#exposure/u0042`). Anything
 * unrecognised is the deals list.
 */
export function routeFromHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const id = Number(parts[1]);
  switch (parts[0]) {
    case 'dashboard':
      return { screen: 'dashboard' };
    case 'partners':
      return { screen: 'partners' };
    case 'consent':
      return { screen: 'consent' };
    case 'finance':
      return { screen: 'finance' };
    case 'exposure':
      return parts[1] ? { screen: 'exposure', userId: decodeURIComponent(parts[1]) } : { screen: 'exposure' };
    case 'snapshot':
      return Number.isInteger(id) && id > 0 ? { screen: 'snapshot', id } : { screen: 'deals' };
    case 'deal-new':
      return { screen: 'deal-new' };
    case 'deal':
      if (Number.isInteger(id) && id > 0) {
        if (parts[2] === 'edit') return { screen: 'deal-edit', id };
        if (parts[2] === 'snapshot-new') return { screen: 'snapshot-new', dealId: id };
        return { screen: 'deal', id };
      }
      return { screen: 'deals' };
    default:
      return { screen: 'deals' };
  }
}
