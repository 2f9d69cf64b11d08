import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { Backend } from './backend';
import { fixtures } from './backend/fixtures';
import { addPartner, dealIn, dealInput, dealTitles, memoryBackend, renderApp } from './test/helpers';

describe('first run', () => {
  it('welcomes an empty store and its button opens the partner form', async () => {
    const { user } = renderApp();
    expect(await screen.findByTestId('first-run')).toBeInTheDocument();
    expect(screen.queryByTestId('partner-form')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('first-run-add-partner'));

    const form = screen.getByTestId('partner-form');
    expect(form).toBeVisible();
    expect(screen.getByLabelText('Name')).toHaveFocus();
  });

  it('shows the partners table once the first partner is saved', async () => {
    const { user, backend } = renderApp();
    await user.click(await screen.findByTestId('first-run-add-partner'));
    await user.type(screen.getByTestId('partner-name'), 'Example AI Lab');
    await user.selectOptions(screen.getByTestId('partner-kind'), 'search-engine');
    await user.type(screen.getByTestId('partner-country'), 'us');
    await user.click(screen.getByTestId('partner-save'));

    const table = await screen.findByTestId('partners-table');
    const [partner] = await backend.listPartners();
    const row = within(table).getByTestId(`partner-row-${partner.id}`);
    expect(row).toHaveTextContent('Example AI Lab');
    expect(row).toHaveTextContent('Search engine');
    expect(row).toHaveTextContent('US');
    expect(screen.queryByTestId('first-run')).not.toBeInTheDocument();
    expect(screen.queryByTestId('partner-form')).not.toBeInTheDocument();
  });

  it('shows the store location and actor in the sidebar', async () => {
    renderApp();
    const footer = screen.getByTestId('store-info');
    await waitFor(() => expect(footer).toHaveTextContent('/home/alice/.local/share/consentry/consentry.db'));
    expect(footer).toHaveTextContent('alice');
  });
});

describe('the store check at start', () => {
  it('says on every screen that a damaged store refuses changes, and what to do', async () => {
    const { user } = renderApp(memoryBackend({ damaged: true }));
    const banner = await screen.findByTestId('store-check-banner');
    expect(banner).toHaveTextContent('The store is damaged; nothing can be changed.');
    expect(banner).toHaveTextContent(fixtures.errors.storeDamaged.message);
    expect(banner).toHaveTextContent(/quick_check found .*Nothing was changed\. Restore your latest backup/);
    expect(within(banner).queryByRole('button')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('nav-partners'));
    expect(screen.getByTestId('store-check-banner')).toBeInTheDocument();
  });

  it('says nothing when the check passes', async () => {
    renderApp();
    expect(await screen.findByTestId('first-run')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('store-check-banner')).not.toBeInTheDocument());
  });
});

describe('partners', () => {
  it('adds a row when a partner is created and counts its deals', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    await backend.createDeal(dealInput(lab.id));
    const { user } = renderApp(backend, { screen: 'partners' });
    const table = await screen.findByTestId('partners-table');
    expect(within(table).getAllByTestId(/^partner-row-/)).toHaveLength(1);
    // The count reads … until the deals have loaded, then 1.
    await waitFor(() => expect(within(table).getByTestId(`partner-row-${lab.id}`)).toHaveTextContent(/Northwind AI.*1$/));

    await user.click(screen.getByTestId('partner-new'));
    await user.type(screen.getByTestId('partner-name'), 'Looksee Search{Enter}');

    await waitFor(() => expect(within(table).getAllByTestId(/^partner-row-/)).toHaveLength(2));
    expect(table).toHaveTextContent('Looksee Search');
  });

  it('edits a partner from its row', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const { user } = renderApp(backend, { screen: 'partners' });
    await user.click(await screen.findByTestId(`partner-row-${lab.id}`));
    const name = screen.getByTestId('partner-name');
    expect(name).toHaveValue('Northwind AI');
    await user.clear(name);
    await user.type(name, 'Northwind Labs');
    await user.click(screen.getByTestId('partner-save'));
    await waitFor(() => expect(screen.getByTestId(`partner-row-${lab.id}`)).toHaveTextContent('Northwind Labs'));
  });

  it('shows the server’s duplicate-name conflict under the name field', async () => {
    const backend = memoryBackend();
    await addPartner(backend, 'Northwind AI');
    const taken = fixtures.errors.partnerNameTaken;
    backend.refuseNext('createPartner', taken);
    const create = vi.spyOn(backend, 'createPartner');
    const { user } = renderApp(backend, { screen: 'partners' });
    await user.click(await screen.findByTestId('partner-new'));
    await user.type(screen.getByTestId('partner-name'), 'NORTHWIND ai');
    await user.click(screen.getByTestId('partner-save'));

    const error = await screen.findByTestId('error-name');
    expect(taken.fields.map((f) => f.field)).toEqual(['name']);
    expect(error).toHaveTextContent(taken.fields[0].message);
    expect(create).toHaveBeenCalledWith(expect.objectContaining({ name: 'NORTHWIND ai' }));
    expect(create).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('partner-form')).toBeInTheDocument();
    expect(screen.getByTestId('partner-name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(await backend.listPartners()).toHaveLength(1);
  });

  it('closes the partner form on Escape without saving', async () => {
    const backend = memoryBackend();
    await addPartner(backend, 'Northwind AI');
    const { user } = renderApp(backend, { screen: 'partners' });
    await user.click(await screen.findByTestId('partner-new'));
    await user.type(screen.getByTestId('partner-name'), 'Half typed');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('partner-form')).not.toBeInTheDocument();
    expect(await backend.listPartners()).toHaveLength(1);
  });
});

describe('deal form', () => {
  async function openForm() {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const create = vi.spyOn(backend, 'createDeal');
    const { user } = renderApp(backend);
    await user.click(await screen.findByTestId('deal-new'));
    expect(screen.getByTestId('deal-form')).toBeInTheDocument();
    return { backend, lab, create, user };
  }

  it('catches an empty title and an end before the start without calling the backend', async () => {
    const { lab, create, user, backend } = await openForm();
    await user.selectOptions(screen.getByTestId('deal-partner'), String(lab.id));
    await user.click(screen.getByTestId('deal-purpose-ai-training'));
    await user.type(screen.getByTestId('deal-start'), '2027-06-01');
    await user.type(screen.getByTestId('deal-end'), '2027-01-01');
    await user.click(screen.getByTestId('deal-save'));

    expect(screen.getByTestId('error-title')).toHaveTextContent('Give the deal a title.');
    expect(screen.getByTestId('error-end_date')).toHaveTextContent('before the start date');
    expect(screen.queryByTestId('error-partner_id')).not.toBeInTheDocument();
    expect(screen.queryByTestId('error-purposes')).not.toBeInTheDocument();
    expect(screen.queryByTestId('error-start_date')).not.toBeInTheDocument();
    expect(screen.getByTestId('deal-title')).toHaveFocus();
    expect(create).not.toHaveBeenCalled();
    expect(await backend.listDeals({ status: null, partner_id: null })).toHaveLength(0);
  });

  it('asks for a partner, a purpose and well-formed dates', async () => {
    const { create, user } = await openForm();
    expect(screen.getByTestId('deal-partner')).toHaveValue('');
    expect(screen.getByRole('option', { name: 'Choose a partner' })).toHaveValue('');
    await user.type(screen.getByTestId('deal-title'), 'Some deal');
    await user.type(screen.getByTestId('deal-start'), '2027-02-30');
    await user.type(screen.getByTestId('deal-end'), '01/01/2028');
    await user.click(screen.getByTestId('deal-save'));

    expect(screen.getByTestId('error-partner_id')).toBeInTheDocument();
    expect(screen.getByTestId('error-purposes')).toBeInTheDocument();
    expect(screen.getByTestId('error-start_date')).toHaveTextContent('YYYY-MM-DD');
    expect(screen.getByTestId('error-end_date')).toHaveTextContent('YYYY-MM-DD');
    expect(screen.queryByTestId('error-title')).not.toBeInTheDocument();
    expect(create).not.toHaveBeenCalled();
  });

  it('shows the server’s field errors inline', async () => {
    const { lab, create, user, backend } = await openForm();
    const refused = fixtures.errors.dealTerritory;
    backend.refuseNext('createDeal', refused);
    await user.selectOptions(screen.getByTestId('deal-partner'), String(lab.id));
    await user.type(screen.getByTestId('deal-title'), 'EU training');
    await user.click(screen.getByTestId('deal-purpose-genai-training'));
    await user.type(screen.getByTestId('deal-start'), '2027-01-01');
    await user.type(screen.getByTestId('deal-end'), '2027-12-31');
    await user.clear(screen.getByTestId('deal-territory'));
    await user.type(screen.getByTestId('deal-territory'), 'DE,XX');
    await user.click(screen.getByTestId('deal-save'));

    expect(refused.fields.map((f) => f.field)).toEqual(['territory']);
    expect(await screen.findByTestId('error-territory')).toHaveTextContent(refused.fields[0].message);
    expect(create).toHaveBeenCalledTimes(1);
    expect(create).toHaveBeenCalledWith(expect.objectContaining({ territory: 'DE,XX' }));
    expect(screen.getByTestId('deal-form')).toBeInTheDocument();
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('sends errors without a field to the banner', async () => {
    const { lab, user, backend } = await openForm();
    vi.spyOn(backend, 'createDeal').mockRejectedValue({
      code: 'store',
      message: 'database is locked',
      fields: [],
    });
    await user.selectOptions(screen.getByTestId('deal-partner'), String(lab.id));
    await user.type(screen.getByTestId('deal-title'), 'Anything');
    await user.click(screen.getByTestId('deal-purpose-search'));
    await user.type(screen.getByTestId('deal-start'), '2027-01-01');
    await user.type(screen.getByTestId('deal-end'), '2027-12-31{Enter}');

    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent('database is locked');
    await user.click(within(banner).getByTestId('error-banner-dismiss'));
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('creates a draft deal and lists it', async () => {
    const { lab, user, backend } = await openForm();
    await user.selectOptions(screen.getByTestId('deal-partner'), String(lab.id));
    await user.type(screen.getByTestId('deal-title'), 'Training data licence 2027');
    await user.click(screen.getByTestId('deal-purpose-genai-training'));
    await user.click(screen.getByTestId('deal-purpose-ai-inference'));
    await user.type(screen.getByTestId('deal-start'), '2027-01-01');
    await user.type(screen.getByTestId('deal-end'), '2028-12-31');
    await user.type(screen.getByTestId('deal-retention'), '365');
    await user.click(screen.getByTestId('deal-attribution'));
    await user.click(screen.getByTestId('deal-save'));

    await screen.findByTestId('deals-table');
    const [deal] = await backend.listDeals({ status: null, partner_id: null });
    expect(deal).toMatchObject({
      title: 'Training data licence 2027',
      purposes: ['genai-training', 'ai-inference'],
      retention_days: 365,
      attribution_required: true,
      exclusive: false,
      territory: 'WORLD',
    });
    expect(screen.getByTestId(`deal-row-${deal.id}`)).toHaveTextContent('Training data licence 2027');
    expect(screen.getByTestId(`deal-status-${deal.id}`).textContent).toBe('draft');
  });

  it('edits the terms of a draft deal', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const deal = await backend.createDeal(dealInput(lab.id, { title: 'Old title' }));
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('deal-edit'));
    const title = await screen.findByTestId('deal-title');
    expect(title).toHaveValue('Old title');
    expect(screen.getByTestId('deal-purpose-genai-training')).toBeChecked();
    await user.clear(title);
    await user.type(title, 'New title');
    await user.click(screen.getByTestId('deal-save'));

    expect(await screen.findByTestId('deal-detail')).toHaveTextContent('New title');
    const entries = screen.getAllByTestId('audit-entry');
    expect(entries[0]).toHaveTextContent('title: Old title → New title');
  });
});

describe('deals table', () => {
  async function threeDeals() {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    const search = await addPartner(backend, 'Looksee Search', 'search-engine');
    await dealIn(backend, lab.id, 'active', { title: 'Bravo licence', start_date: '2026-01-01', end_date: '2026-12-31' });
    await dealIn(backend, search.id, 'draft', { title: 'alpha feed', start_date: '2027-01-01', end_date: '2027-06-30' });
    await dealIn(backend, lab.id, 'negotiating', { title: 'Charlie pilot', start_date: '2025-01-01', end_date: '2029-12-31' });
    const rendered = renderApp(backend);
    await screen.findByTestId('deals-table');
    return rendered;
  }

  it('lists deals newest first with their status tokens', async () => {
    await threeDeals();
    expect(dealTitles()).toEqual(['Charlie pilot', 'alpha feed', 'Bravo licence']);
    expect(screen.getByTestId('deal-status-1').textContent).toBe('active');
    expect(screen.getByTestId('deal-status-3').textContent).toBe('negotiating');
    expect(screen.getByTestId('deal-row-2')).toHaveTextContent('2027-01-01 – 2027-06-30');
  });

  it('sorts by title both ways, ignoring letter case', async () => {
    const { user } = await threeDeals();
    await user.click(screen.getByTestId('sort-title'));
    expect(dealTitles()).toEqual(['alpha feed', 'Bravo licence', 'Charlie pilot']);
    expect(screen.getByTestId('sort-title')).toHaveTextContent('▲');
    expect(screen.getByTestId('sort-title').closest('th')).toHaveAttribute('aria-sort', 'ascending');
    await user.click(screen.getByTestId('sort-title'));
    expect(dealTitles()).toEqual(['Charlie pilot', 'Bravo licence', 'alpha feed']);
    expect(screen.getByTestId('sort-title')).toHaveTextContent('▼');
  });

  it('sorts by partner, status and term', async () => {
    const { user } = await threeDeals();
    await user.click(screen.getByTestId('sort-partner'));
    expect(dealTitles()).toEqual(['alpha feed', 'Charlie pilot', 'Bravo licence']);
    await user.click(screen.getByTestId('sort-status'));
    expect(dealTitles()).toEqual(['alpha feed', 'Charlie pilot', 'Bravo licence']);
    await user.click(screen.getByTestId('sort-status'));
    expect(dealTitles()).toEqual(['Bravo licence', 'Charlie pilot', 'alpha feed']);
    await user.click(screen.getByTestId('sort-start'));
    expect(dealTitles()).toEqual(['Charlie pilot', 'Bravo licence', 'alpha feed']);
    await user.click(screen.getByTestId('sort-end'));
    expect(dealTitles()).toEqual(['Bravo licence', 'alpha feed', 'Charlie pilot']);
    expect(screen.getByTestId('sort-start')).not.toHaveTextContent(/[▲▼]/);
  });

  it('filters by title or partner, case-insensitively, and by status', async () => {
    const { user } = await threeDeals();
    const filter = screen.getByTestId('deals-filter');
    await user.type(filter, 'LICENCE');
    expect(dealTitles()).toEqual(['Bravo licence']);
    await user.clear(filter);
    await user.type(filter, 'northwind');
    expect(dealTitles()).toEqual(['Charlie pilot', 'Bravo licence']);

    await user.selectOptions(screen.getByTestId('deals-status-filter'), 'negotiating');
    expect(dealTitles()).toEqual(['Charlie pilot']);
    await user.clear(filter);
    expect(dealTitles()).toEqual(['Charlie pilot']);
    await user.selectOptions(screen.getByTestId('deals-status-filter'), '');
    expect(dealTitles()).toHaveLength(3);
  });

  it('says so when the filters hide every deal', async () => {
    const { user } = await threeDeals();
    await user.type(screen.getByTestId('deals-filter'), 'no deal is called this');
    expect(dealTitles()).toEqual([]);
    expect(screen.getByTestId('deals-no-match')).toHaveTextContent('No deals match');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(dealTitles()).toHaveLength(3);
  });

  it('says there are no deals yet when there are partners but no deals', async () => {
    const backend = memoryBackend();
    await addPartner(backend, 'Northwind AI');
    const { user } = renderApp(backend);
    expect(await screen.findByText('No deals yet')).toBeInTheDocument();
    expect(screen.queryByTestId('first-run')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('deal-new'));
    expect(screen.getByTestId('deal-form')).toBeInTheDocument();
  });
});

describe('deal detail', () => {
  const TRANSITIONS = ['draft', 'negotiating', 'signed', 'active', 'expired', 'terminated'];

  function shownTransitions(): string[] {
    return TRANSITIONS.filter((s) => screen.queryByTestId(`transition-${s}`) !== null);
  }

  it('offers only the legal moves and records a move in the history', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const deal = await backend.createDeal(dealInput(lab.id, { title: 'Training data licence 2027' }));
    const { user } = renderApp(backend);
    await user.click(await screen.findByTestId(`deal-row-${deal.id}`));

    const detail = await screen.findByTestId('deal-detail');
    expect(detail).toHaveTextContent('Training data licence 2027');
    expect(screen.getByTestId('deal-detail-status').textContent).toBe('draft');
    expect(shownTransitions()).toEqual(['negotiating', 'terminated']);
    expect(screen.getByTestId('deal-edit')).toBeInTheDocument();
    expect(screen.queryByTestId('deal-renew')).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('audit-entry')).toHaveLength(1));
    expect(screen.getByTestId('audit-entry')).toHaveTextContent('created');

    await user.click(screen.getByTestId('transition-negotiating'));

    await waitFor(() => expect(screen.getByTestId('deal-detail-status').textContent).toBe('negotiating'));
    expect(shownTransitions()).toEqual(['signed', 'terminated']);
    await waitFor(() => expect(screen.getAllByTestId('audit-entry')).toHaveLength(2));
    const [newest, oldest] = screen.getAllByTestId('audit-entry');
    expect(newest).toHaveTextContent('status: draft → negotiating');
    expect(newest).toHaveTextContent('alice');
    expect(oldest).toHaveTextContent('created');
    expect((await backend.getDeal(deal.id)).status).toBe('negotiating');
  });

  it('freezes the terms once signed', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const deal = await dealIn(backend, lab.id, 'signed');
    renderApp(backend, { screen: 'deal', id: deal.id });
    await screen.findByTestId('deal-detail');
    expect(shownTransitions()).toEqual(['active', 'terminated']);
    expect(screen.queryByTestId('deal-edit')).not.toBeInTheDocument();
    expect(screen.getByTestId('terms-frozen')).toHaveTextContent('Terms are frozen once signed; renew to change them');
    expect(screen.getByTestId('deal-renew')).toBeInTheDocument();
  });

  it('offers nothing for a final deal', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const deal = await dealIn(backend, lab.id, 'terminated');
    renderApp(backend, { screen: 'deal', id: deal.id });
    await screen.findByTestId('deal-detail');
    expect(shownTransitions()).toEqual([]);
    expect(screen.queryByTestId('deal-edit')).not.toBeInTheDocument();
    expect(screen.queryByTestId('deal-renew')).not.toBeInTheDocument();
  });

  it('asks before marking a deal signed, which freezes its terms', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const deal = await dealIn(backend, lab.id, 'negotiating');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await user.click(await screen.findByTestId('transition-signed'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('cannot be undone');
    await user.click(screen.getByTestId('confirm-cancel'));
    expect((await backend.getDeal(deal.id)).status).toBe('negotiating');
    await user.click(screen.getByTestId('transition-signed'));
    await user.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('deal-detail-status').textContent).toBe('signed'));
  });

  it('terminates only after the in-app confirmation', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const deal = await dealIn(backend, lab.id, 'active');
    const confirm = vi.spyOn(window, 'confirm');
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });

    await user.click(await screen.findByTestId('transition-terminated'));
    expect(screen.getByTestId('confirm-dialog')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument();
    expect((await backend.getDeal(deal.id)).status).toBe('active');

    await user.click(screen.getByTestId('transition-terminated'));
    // Focus starts on the harmless choice and Tab cycles inside the dialog.
    expect(screen.getByTestId('confirm-cancel')).toHaveFocus();
    await user.tab();
    expect(screen.getByTestId('confirm-ok')).toHaveFocus();
    await user.tab();
    expect(screen.getByTestId('confirm-cancel')).toHaveFocus();
    await user.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('deal-detail-status').textContent).toBe('terminated'));
    expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument();
    expect(shownTransitions()).toEqual([]);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('reports a move the core refuses in the banner', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const deal = await backend.createDeal(dealInput(lab.id));
    const { user } = renderApp(backend, { screen: 'deal', id: deal.id });
    await screen.findByTestId('transition-negotiating');
    // Someone else moved it meanwhile (the CLI shares the store).
    await backend.transitionDeal(deal.id, 'terminated');
    await user.click(screen.getByTestId('transition-negotiating'));

    // The mock refuses a move the core's lifecycle table (DEAL_LIFECYCLE) forbids with the recorded refusal.
    expect(await screen.findByTestId('error-banner')).toHaveTextContent(fixtures.errors.transitionNotAllowed.message);
    await waitFor(() => expect(screen.getByTestId('deal-detail-status').textContent).toBe('terminated'));
  });

  it('renews into a new draft deal and links the two', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const old = await dealIn(backend, lab.id, 'active', { start_date: '2026-01-01', end_date: '2027-12-31' });
    const { user } = renderApp(backend, { screen: 'deal', id: old.id });

    await user.click(await screen.findByTestId('deal-renew'));
    // The dialog's own preview of the next term agrees with the core's renewal of the same term.
    const recorded = fixtures.responses.renewal;
    expect(screen.getByTestId('renew-dialog')).toHaveTextContent(`${recorded.start_date} to ${recorded.end_date}`);
    await user.click(screen.getByTestId('renew-confirm'));

    await waitFor(() => expect(screen.queryByTestId('renew-dialog')).not.toBeInTheDocument());
    const renewedFrom = await screen.findByTestId('deal-renewed-from');
    expect(renewedFrom).toHaveTextContent(`Renews deal #${old.id}`);
    expect(screen.getByTestId('deal-detail-status').textContent).toBe('draft');
    const renewal = (await backend.listDeals({ status: null, partner_id: null }))[0];
    expect(renewal.id).not.toBe(old.id);
    expect(renewal).toMatchObject({ renewed_from: old.id, start_date: recorded.start_date, end_date: recorded.end_date });
    expect(screen.getByTestId('deal-detail')).toHaveTextContent(`Deal #${renewal.id}`);
    await waitFor(() =>
      expect(screen.getByTestId('audit-entry')).toHaveTextContent(`created as the renewal of deal #${old.id}`),
    );

    await user.click(renewedFrom);
    expect(await screen.findByTestId('deal-renewed-by')).toHaveTextContent(`Renewed by deal #${renewal.id}`);
    expect(screen.queryByTestId('deal-renew')).not.toBeInTheDocument();
  });

  it('shows renewal date errors inside the dialog', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Example AI Lab');
    const old = await dealIn(backend, lab.id, 'expired');
    const refused = fixtures.errors.renewalEndBeforeStart;
    backend.refuseNext('renewDeal', refused);
    const renew = vi.spyOn(backend, 'renewDeal');
    const { user } = renderApp(backend, { screen: 'deal', id: old.id });
    await user.click(await screen.findByTestId('deal-renew'));
    await user.type(screen.getByTestId('renew-start'), '2030-01-01');
    await user.type(screen.getByTestId('renew-end'), '2029-01-01{Enter}');

    expect(await screen.findByTestId('error-end_date')).toHaveTextContent(refused.fields[0].message);
    expect(renew).toHaveBeenCalledWith(old.id, { start_date: '2030-01-01', end_date: '2029-01-01' });
    expect(screen.getByTestId('renew-dialog')).toBeInTheDocument();
  });
});

describe('errors while loading', () => {
  it('shows a failed load in the banner, without matching on its text', async () => {
    const backend = memoryBackend();
    const failing: Backend = Object.assign(Object.create(backend) as Backend, {
      listPartners: () => Promise.reject(new Error('IPC channel closed')),
    });
    renderApp(failing);
    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent('IPC channel closed');
    expect(banner).toHaveTextContent('The store could not be read or written');
  });

  it('shows a failed load of the deals, which load with the deals screen', async () => {
    const backend = memoryBackend();
    await addPartner(backend, 'Northwind AI');
    const failing: Backend = Object.assign(Object.create(backend) as Backend, {
      listDeals: () => Promise.reject(new Error('IPC channel closed')),
    });
    renderApp(failing, { screen: 'deals' });
    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent('IPC channel closed');
    expect(screen.queryByText('Loading the deals…')).not.toBeInTheDocument();
  });
});

describe('navigation', () => {
  it('moves between deals and partners from the sidebar', async () => {
    const backend = memoryBackend();
    const lab = await addPartner(backend, 'Northwind AI');
    await backend.createDeal(dealInput(lab.id));
    const { user } = renderApp(backend);
    await screen.findByTestId('deals-table');
    expect(screen.getByTestId('nav-deals')).toHaveAttribute('aria-current', 'page');
    await user.click(screen.getByTestId('nav-partners'));
    expect(await screen.findByTestId('partners-table')).toBeInTheDocument();
    expect(screen.getByTestId('nav-partners')).toHaveAttribute('aria-current', 'page');
    await user.click(screen.getByTestId('nav-deals'));
    expect(await screen.findByTestId('deals-table')).toBeInTheDocument();
  });
});
