//! What every screen may use: the backend, navigation, the global error banner and the
//! data the sidebar-level screens share (partners and deals).

import { createContext, useContext } from 'react';

import type { Deal, Partner } from './bindings';
import type { Backend } from './backend';
import type { Route } from './route';

export interface AppServices {
  backend: Backend;
  navigate: (route: Route) => void;
  /** Shows an error that belongs to no field in the global banner. */
  reportError: (error: unknown) => void;
  clearError: () => void;
  partners: Partner[] | undefined;
  deals: Deal[] | undefined;
  /** Reloads partners and deals after a change. */
  reloadData: () => void;
  /** Opens the partner form, to add a partner or, given one, to edit it. */
  openPartnerForm: (partner?: Partner) => void;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside <App>');
  return services;
}
