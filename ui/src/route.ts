//! Where the user is. In-app state, not URLs: the desktop app has no address bar.

import type { DealId } from './bindings';

export type Route =
  | { screen: 'deals' }
  | { screen: 'partners' }
  | { screen: 'deal'; id: DealId }
  | { screen: 'deal-new' }
  | { screen: 'deal-edit'; id: DealId };

/**
 * Reads a route from a location hash such as `#deal/3`; the browser preview uses it to
 * open a screen directly. Anything unrecognised is the deals list.
 */
export function routeFromHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const id = Number(parts[1]);
  switch (parts[0]) {
    case 'partners':
      return { screen: 'partners' };
    case 'deal-new':
      return { screen: 'deal-new' };
    case 'deal':
      if (Number.isInteger(id) && id > 0) {
        return parts[2] === 'edit' ? { screen: 'deal-edit', id } : { screen: 'deal', id };
      }
      return { screen: 'deals' };
    default:
      return { screen: 'deals' };
  }
}
