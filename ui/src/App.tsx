//! The window: sidebar, global error banner and the current screen. Partners and deals
//! are loaded here and shared, because the sidebar-level screens all need them.

import { useCallback, useEffect, useMemo, useState } from 'react';

import type { ErrorBody, Partner } from './bindings';
import { ALL_DEALS, toErrorBody, type Backend } from './backend';
import { ErrorBanner } from './components/ErrorBanner';
import { Sidebar } from './components/Sidebar';
import { AppContext, type AppServices } from './context';
import { useResource } from './hooks';
import type { Route } from './route';
import { DealDetail } from './screens/DealDetail';
import { DealForm } from './screens/DealForm';
import { Consent } from './screens/Consent';
import { Deals, INITIAL_VIEW, type DealsView } from './screens/Deals';
import { FirstRun } from './screens/FirstRun';
import { PartnerForm } from './screens/PartnerForm';
import { Partners } from './screens/Partners';
import { SnapshotResult } from './screens/SnapshotResult';
import { SnapshotWizard } from './screens/SnapshotWizard';

interface AppProps {
  backend: Backend;
  initialRoute?: Route;
  /** True when the data lives only in this page (browser preview), to say so. */
  preview?: boolean;
}

type PartnerFormState = { partner?: Partner } | null;

export function App({ backend, initialRoute = { screen: 'deals' }, preview = false }: AppProps) {
  const [route, setRoute] = useState<Route>(initialRoute);
  const [banner, setBanner] = useState<ErrorBody | null>(null);
  const [partnerForm, setPartnerForm] = useState<PartnerFormState>(null);
  const [dealsView, setDealsView] = useState<DealsView>(INITIAL_VIEW);

  const info = useResource(() => backend.storeInfo(), [backend]);
  const partners = useResource(() => backend.listPartners(), [backend]);
  const deals = useResource(() => backend.listDeals(ALL_DEALS), [backend]);

  const loadError = info.error ?? partners.error ?? deals.error;
  useEffect(() => {
    if (loadError) setBanner(loadError);
  }, [loadError]);

  const reloadPartners = partners.reload;
  const reloadDeals = deals.reload;
  const services: AppServices = useMemo(
    () => ({
      backend,
      navigate: (next: Route) => {
        setBanner(null);
        setRoute(next);
      },
      reportError: (error: unknown) => setBanner(toErrorBody(error)),
      clearError: () => setBanner(null),
      partners: partners.data,
      deals: deals.data,
      reloadData: () => {
        reloadPartners();
        reloadDeals();
      },
      openPartnerForm: (partner?: Partner) => setPartnerForm({ partner }),
    }),
    [backend, partners.data, deals.data, reloadPartners, reloadDeals],
  );

  const closePartnerForm = useCallback(() => setPartnerForm(null), []);
  const partnerSaved = useCallback(() => {
    setPartnerForm(null);
    reloadPartners();
    // A partner added from the welcome screen or the deals list shows up in its table.
    setRoute((r) => (r.screen === 'deals' ? { screen: 'partners' } : r));
  }, [reloadPartners]);

  const empty = partners.data?.length === 0 && deals.data?.length === 0;
  const loaded = partners.data !== undefined && deals.data !== undefined;

  let screen;
  if (!loaded) {
    screen = loadError ? null : <p className="loading">Loading…</p>;
  } else if (empty && (route.screen === 'deals' || route.screen === 'partners')) {
    screen = <FirstRun />;
  } else {
    switch (route.screen) {
      case 'deals':
        screen = <Deals view={dealsView} onViewChange={setDealsView} />;
        break;
      case 'partners':
        screen = <Partners />;
        break;
      case 'deal':
        screen = <DealDetail key={route.id} id={route.id} />;
        break;
      case 'deal-new':
        screen = <DealForm />;
        break;
      case 'deal-edit':
        screen = <DealForm key={route.id} id={route.id} />;
        break;
      case 'consent':
        screen = <Consent />;
        break;
      case 'snapshot-new':
        screen = <SnapshotWizard key={route.dealId} dealId={route.dealId} />;
        break;
      case 'snapshot':
        screen = <SnapshotResult key={route.id} id={route.id} />;
        break;
    }
  }

  return (
    <AppContext.Provider value={services}>
      <div className="app">
        <Sidebar route={route} info={info.data} preview={preview} onNavigate={services.navigate} />
        <main className="main">
          {banner && <ErrorBanner error={banner} onDismiss={() => setBanner(null)} />}
          {screen}
        </main>
      </div>
      {partnerForm && (
        <PartnerForm
          key={partnerForm.partner?.id ?? 'new'}
          partner={partnerForm.partner}
          onClose={closePartnerForm}
          onSaved={partnerSaved}
        />
      )}
    </AppContext.Provider>
  );
}
