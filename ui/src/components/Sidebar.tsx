import { useEffect, useState, type ReactNode } from 'react';

import { useApp } from '../context';
import { useStoreInfo } from '../queries/store';
import { StoreDialog } from './StoreDialog';
import type { Route } from '../route';

type Section = 'dashboard' | 'deals' | 'partners' | 'consent' | 'finance' | 'exposure';

const ITEMS: { section: Section; label: string }[] = [
  { section: 'dashboard', label: 'Dashboard' },
  { section: 'deals', label: 'Deals' },
  { section: 'partners', label: 'Partners' },
  { section: 'consent', label: 'Consent' },
  { section: 'finance', label: 'Finance' },
  { section: 'exposure', label: 'User lookup' },
];

/** Snapshots belong to deals, so their screens keep "Deals" highlighted. */
export function sectionOf(route: Route): Section {
  if (
    route.screen === 'dashboard' ||
    route.screen === 'partners' ||
    route.screen === 'consent' ||
    route.screen === 'finance' ||
    route.screen === 'exposure'
  )
    return route.screen;
  return 'deals';
}

interface SidebarProps {
  route: Route;
  preview: boolean;
  onNavigate: (route: Route) => void;
  /** The jobs indicator, between the navigation and the store. */
  jobs?: ReactNode;
}

export function Sidebar({ route, preview, onNavigate, jobs }: SidebarProps) {
  const current = sectionOf(route);
  const { reportError } = useApp();
  const { data: info, error } = useStoreInfo();
  const [storeOpen, setStoreOpen] = useState(false);
  useEffect(() => {
    if (error) reportError(error);
  }, [error, reportError]);
  return (
    <aside className="sidebar">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
          <rect width="24" height="24" rx="6" />
          <path d="M7 12.5l3.2 3.2L17 8.8" />
        </svg>
        <span className="brand-name">Consentry</span>
      </div>
      <nav aria-label="Main">
        <ul className="nav">
          {ITEMS.map((item) => (
            <li key={item.section}>
              <button
                type="button"
                className="nav-item"
                data-testid={`nav-${item.section}`}
                aria-current={current === item.section ? 'page' : undefined}
                onClick={() => onNavigate({ screen: item.section })}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {jobs}
      <footer className="sidebar-footer" data-testid="store-info">
        {preview && <p className="preview-tag">Preview · data in memory only</p>}
        {info && (
          <>
            <p className="sidebar-footer-label">Store</p>
            <p className="store-location" title={info.location}>
              {info.location}
            </p>
            <p>
              Acting as <span className="actor">{info.actor}</span>
            </p>
            {!preview && (
              <button type="button" className="link-button" data-testid="store-open" onClick={() => setStoreOpen(true)}>
                Store and backups…
              </button>
            )}
          </>
        )}
        {storeOpen && <StoreDialog onClose={() => setStoreOpen(false)} />}
      </footer>
    </aside>
  );
}
