//! Entry point. Inside the desktop app (Tauri injects `__TAURI_INTERNALS__` before any
//! page script runs) the UI talks to the Rust core. Anywhere else — `npm run dev`,
//! `vite preview`, a plain HTTP server — it runs on the in-memory backend, loaded only
//! then, with sample data when the URL has `?demo`, and says so in the sidebar.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './App';
import type { Backend } from './backend';
import { TauriBackend } from './backend/tauri';
import { routeFromHash, type Route } from './route';
import './styles.css';

async function start() {
  const inTauri = '__TAURI_INTERNALS__' in window;
  let backend: Backend;
  // The app opens on the dashboard (or, with an empty store, the welcome panel).
  let initialRoute: Route = { screen: 'dashboard' };
  if (inTauri) {
    backend = new TauriBackend();
  } else {
    const { MemoryBackend } = await import('./backend/memory');
    const memory = new MemoryBackend({ actor: 'preview', location: 'In memory (browser preview)' });
    if (new URLSearchParams(window.location.search).has('demo')) {
      const { seedDemo } = await import('./backend/demo');
      await seedDemo(memory);
    }
    backend = memory;
    initialRoute = routeFromHash(window.location.hash);
  }
  const root = document.getElementById('root');
  if (!root) throw new Error('no #root element');
  createRoot(root).render(
    <StrictMode>
      <App backend={backend} initialRoute={initialRoute} preview={!inTauri} />
    </StrictMode>,
  );
}

void start();
