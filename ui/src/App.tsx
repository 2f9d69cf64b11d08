//! The window: sidebar, global error banner and the current screen. The query cache lives
//! here, one per window; partners and deals are loaded here too because whether the store
//! is empty decides between the welcome screen and the lists.

import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

import type { ErrorBody, Partner } from './bindings';
import { toErrorBody, type Backend } from './backend';
import { ErrorBanner } from './components/ErrorBanner';
import { Sidebar } from './components/Sidebar';
import { AppContext, useApp, type AppServices } from './context';
import { JobsIndicator, JobsProvider } from './jobs';
import { createQueryClient } from './queries/client';
import { usePartners } from './queries/partners';
import { useStoreCheck } from './queries/store';
import type { Route } from './route';
import { Consent } from './screens/Consent';
import { Dashboard } from './screens/Dashboard';
import { DealDetail } from './screens/DealDetail';
import { DealForm } from './screens/DealForm';
import { Exposure } from './screens/Exposure';
import { Finance } from './screens/Finance';
import { Deals, INITIAL_VIEW, type DealsView } from './screens/Deals';
import { FirstRun } from './screens/FirstRun';
import { PartnerForm } from './screens/PartnerForm';
import { Partners } from './screens/Partners';
import { SnapshotResult } from './screens/SnapshotResult';
import { SnapshotWizard } from './screens/SnapshotWizard';
import { markFirstScreen } from './timings';

interface AppProps {
  backend: Backend;
  initialRoute?: Route;
  /** True when the data lives only in this page (browser preview), to say so. */
  preview?: boolean;
  /** A cache to use instead of a new one (tests that look inside it). */
  queryClient?: QueryClient;
}

type PartnerFormState = { partner?: Partner } | null;

export function App({ queryClient, ...props }: AppProps) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <QueryClientProvider client={client}>
      <Window {...props} />
    </QueryClientProvider>
  );
}

function Window({ backend, initialRoute = { screen: 'deals' }, preview = false }: Omit<AppProps, 'queryClient'>) {
  const [route, setRoute] = useState<Route>(initialRoute);
  const [banner, setBanner] = useState<ErrorBody | null>(null);
  const [partnerForm, setPartnerForm] = useState<PartnerFormState>(null);
  const main = useRef<HTMLElement>(null);

  const services: AppServices = useMemo(
    () => ({
      backend,
      navigate: (next: Route) => {
        setBanner(null);
        setRoute(next);
      },
      reportError: (error: unknown) => setBanner(toErrorBody(error)),
      clearError: () => setBanner(null),
      openPartnerForm: (partner?: Partner) => setPartnerForm({ partner }),
      scrollElement: () => main.current,
    }),
    [backend],
  );

  const closePartnerForm = useCallback(() => setPartnerForm(null), []);
  const partnerSaved = useCallback(() => {
    setPartnerForm(null);
    // A partner added from the welcome screen or the deals list shows up in its table.
    setRoute((r) => (r.screen === 'deals' || r.screen === 'dashboard' ? { screen: 'partners' } : r));
  }, []);

  return (
    <AppContext.Provider value={services}>
      <JobsProvider>
      <div className="app">
        <Sidebar
          route={route}
          preview={preview}
          onNavigate={services.navigate}
          jobs={<JobsIndicator onOpen={services.navigate} />}
        />
        <main className="main" ref={main}>
          <StoreCheckBanner />
          {banner && <ErrorBanner error={banner} onDismiss={() => setBanner(null)} />}
          <Screen route={route} />
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
      </JobsProvider>
    </AppContext.Provider>
  );
}

/**
 * The store's integrity check runs behind the first screen; when it fails, every screen
 * says so, with what to do, for as long as the app runs (every change is refused).
 */
function StoreCheckBanner() {
  const check = useStoreCheck();
  if (!check.error) return null;
  return <ErrorBanner error={check.error} title="The store is damaged; nothing can be changed" testId="store-check-banner" />;
}

/**
 * The route's screen, once the partners are loaded: whether there are any decides
 * between the welcome panel and the screens (a deal always has a partner, so no partner
 * means an empty store). The deals load with the screens that show them, not before the
 * first screen: at 10,000 deals they are a 6 MB answer the dashboard does not need.
 */
function Screen({ route }: { route: Route }) {
  const { reportError } = useApp();
  const partners = usePartners();
  // The deals list keeps its filters and sort while the user looks at a deal.
  const [dealsView, setDealsView] = useState<DealsView>(INITIAL_VIEW);
  // A link to the deals with a status (a dashboard card) filters the list to it.
  const linkedStatus = route.screen === 'deals' ? route.status : undefined;
  const [appliedLink, setAppliedLink] = useState<Route | null>(null);
  if (linkedStatus !== undefined && appliedLink !== route) {
    setAppliedLink(route);
    setDealsView({ ...INITIAL_VIEW, status: linkedStatus });
  }

  const loadError = partners.error;
  useEffect(() => {
    if (loadError) reportError(loadError);
  }, [loadError, reportError]);

  const empty = partners.data?.length === 0;
  const loaded = partners.data !== undefined;
  useEffect(() => {
    if (loaded) markFirstScreen();
  }, [loaded]);

  let screen: ReactNode;
  if (!loaded) {
    screen = loadError ? null : <p className="loading">Loading…</p>;
  } else if (empty && (route.screen === 'dashboard' || route.screen === 'deals' || route.screen === 'partners')) {
    screen = <FirstRun />;
  } else {
    switch (route.screen) {
      case 'dashboard':
        screen = <Dashboard />;
        break;
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
      case 'finance':
        screen = <Finance key={`${route.dealId ?? ''}/${route.status ?? ''}`} dealId={route.dealId} status={route.status} />;
        break;
      case 'snapshot-new':
        screen = <SnapshotWizard key={route.dealId} dealId={route.dealId} />;
        break;
      case 'snapshot':
        screen = <SnapshotResult key={route.id} id={route.id} />;
        break;
      case 'exposure':
        screen = <Exposure key={route.userId ?? ''} userId={route.userId} />;
        break;
    }
  }
  return screen;
}
