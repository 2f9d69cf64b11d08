import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { fixtures } from './backend/fixtures';
import { formatMoney } from './domain/money';
import { formatShare } from './domain/units';
import { addPartner, dealIn, memoryBackend, renderApp } from './test/helpers';

const recorded = fixtures.responses;

describe('the dashboard', () => {
  it('shows the welcome panel instead while the store is empty', async () => {
    renderApp(memoryBackend(), { screen: 'dashboard' });
    expect(await screen.findByTestId('first-run')).toBeInTheDocument();
  });

  it("shows the core's contracted value, renewals due and consent health, each card opening its screen", async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind Labs');
    await dealIn(backend, lab.id, 'active', { title: 'Search licence' });
    await backend.importRegistry('/data/registry.csv', { skip_invalid: false, format: null });
    const { user } = renderApp(backend, { screen: 'dashboard' });

    const contracted = recorded.dashboard.contracted[0];
    const row = await screen.findByTestId(`contracted-${contracted.status}-${contracted.currency}`);
    expect(row).toHaveTextContent(formatMoney(contracted.annual_minor, contracted.currency));
    const due = recorded.dashboard.renewals_due[0];
    expect(screen.getByTestId(`renewal-${due.deal_id}`)).toHaveTextContent(`in ${due.days_left} days`);

    const last = recorded.consentHealth.points[recorded.consentHealth.points.length - 1];
    expect(await screen.findByTestId('health-search')).toHaveTextContent(formatShare(last.eligible.search, last.users));

    // A status row opens the deals filtered to it.
    await user.click(row);
    const filter = await screen.findByTestId('deals-status-filter');
    expect(filter).toHaveValue(contracted.status);
  });

  it('its receivables card opens the overdue invoices on the Finance screen', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind Labs');
    await dealIn(backend, lab.id, 'active');
    const { user } = renderApp(backend, { screen: 'dashboard' });
    await user.click(await screen.findByTestId('card-dashboard-receivables-open'));
    const finance = await screen.findByTestId('finance');
    await waitFor(() => expect(within(finance).getByTestId('invoice-filter-status')).toHaveValue('overdue'));
  });
});

describe('the store panel', () => {
  it('shows where backups go and changes how many are kept', async () => {
    const backend = memoryBackend();
    const { user } = renderApp(backend);
    await user.click(await screen.findByTestId('store-open'));
    const dialog = await screen.findByTestId('store-dialog');
    expect(dialog).toHaveTextContent('/data/backups');
    const keep = within(dialog).getByTestId('backup-keep');
    await waitFor(() => expect(keep).toHaveValue('14'));
    await user.clear(keep);
    await user.type(keep, '30');
    await user.click(within(dialog).getByTestId('backup-keep-save'));
    await waitFor(async () => expect((await backend.backupStatus()).keep).toBe(30));
  });
});

describe('the demo workspace', () => {
  it('is offered on the welcome panel, runs as a job and lands on the dashboard', async () => {
    const backend = memoryBackend();
    const seed = vi.spyOn(backend, 'seedDemo');
    const { user } = renderApp(backend);
    await user.click(await screen.findByTestId('first-run-demo'));
    expect(await screen.findByTestId('dashboard')).toBeInTheDocument();
    expect(seed).toHaveBeenCalledWith({ users: null, posts: null, dir: null, seed: null }, expect.any(Function));
    expect(screen.getByTestId('job-demo')).toHaveAttribute('data-status', 'done');
    expect((await backend.listPartners()).length).toBeGreaterThan(0);
  });
});
