//! What every screen may use: the backend, navigation, the global error banner, the
//! partner form and the element that scrolls the screens. Data comes from the query hooks
//! in `queries/`, not from here.

import { createContext, useContext } from 'react';

import type { Partner } from './bindings';
import type { Backend } from './backend';
import type { Route } from './route';

export interface AppServices {
  backend: Backend;
  navigate: (route: Route) => void;
  /** Shows an error that belongs to no field in the global banner. */
  reportError: (error: unknown) => void;
  clearError: () => void;
  /** Opens the partner form, to add a partner or, given one, to edit it. */
  openPartnerForm: (partner?: Partner) => void;
  /** The element the screens scroll in (long tables render only the rows in view of it). */
  scrollElement: () => HTMLElement | null;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside <App>');
  return services;
}
