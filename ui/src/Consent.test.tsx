import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { fixtures } from './backend/fixtures';
import type { MemoryBackend } from './backend/memory';
import { formatCount } from './domain/units';
import { addPartner, buildRequest, dealIn, memoryBackend, renderApp } from './test/helpers';

const NO_SKIP = { skip_invalid: false, format: null };
const KEEP = { opt_in: null, opt_out_available_from: null, notice_days: null };
const recorded = fixtures.responses;

async function openConsent(backend = memoryBackend()) {
  const rendered = renderApp(backend);
  await rendered.user.click(await screen.findByTestId('nav-consent'));
  await screen.findByTestId('consent-overview');
  return { ...rendered, backend };
}

describe('consent imports', () => {
  it('keeps an import going and its outcome on screen when the user leaves and comes back', async () => {
    const { user, backend } = await openConsent();
    // The import answers only once the user has left the screen.
    let finish: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const real = backend.importRegistry.bind(backend);
    vi.spyOn(backend, 'importRegistry').mockImplementation(async (path, options) => {
      await held;
      return real(path, options);
    });
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry.csv');
    await user.click(screen.getByTestId('import-registry-submit'));
    await user.click(screen.getByTestId('nav-deals'));
    const job = await screen.findByTestId('job-import:registry');
    expect(job).toHaveAttribute('data-status', 'running');
    finish();
    await waitFor(() => expect(job).toHaveAttribute('data-status', 'done'));
    expect(screen.getByTestId('job-outcome-import:registry').textContent).toContain(
      `${formatCount(recorded.registryImport.rows_read)} rows read`,
    );
    await user.click(screen.getByTestId('job-open-import:registry'));
    const result = await screen.findByTestId('import-result');
    expect(within(result).getByTestId('import-added').textContent).toBe(String(recorded.registryImport.added));
    expect(screen.getByTestId('import-registry-path')).toHaveValue('/data/registry.csv');
  });

  it('imports a registry and shows the summary and the new totals', async () => {
    const { user, backend } = await openConsent();
    expect(screen.getByTestId('nav-consent')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('consent-empty')).toBeInTheDocument();
    const importRegistry = vi.spyOn(backend, 'importRegistry');

    await user.type(screen.getByTestId('import-registry-path'), '  /data/registry.csv ');
    await user.click(screen.getByTestId('import-registry-submit'));

    const result = await screen.findByTestId('import-result');
    expect(importRegistry).toHaveBeenCalledWith('/data/registry.csv', NO_SKIP, expect.any(Function));
    expect(result).toHaveTextContent('registry.csv');
    const report = recorded.registryImport;
    expect(within(result).getByTestId('import-rows_read').textContent).toBe(String(report.rows_read));
    expect(within(result).getByTestId('import-added').textContent).toBe(String(report.added));
    expect(within(result).getByTestId('import-changed').textContent).toBe('0');
    expect(within(result).getByTestId('import-skipped').textContent).toBe('0');
    expect(within(result).getByTestId('import-rows_per_second').textContent).toBe(String(report.rows_per_second));
    const overview = recorded.overviewRegistry;
    await waitFor(() => expect(screen.getByTestId('overview-users').textContent).toBe(String(overview.users)));
    expect(screen.getByTestId('status-active').textContent).toBe(String(overview.by_status.active));
    expect(screen.getByTestId('recent-imports')).toHaveTextContent('registry.csv');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();

    // The same file again: every row is already known.
    await user.click(screen.getByTestId('import-registry-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('import-unchanged').textContent).toBe(String(recorded.registryReimport.unchanged)),
    );
    expect(screen.getByTestId('import-added').textContent).toBe('0');
  });

  it('lists the bad lines of a refused file, not in the banner, and can skip them', async () => {
    const { user, backend } = await openConsent();
    const refused = fixtures.errors.importBadLines;
    backend.refuseNext('importRegistry', refused);
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry-bad.csv');
    await user.click(screen.getByTestId('import-registry-submit'));

    const errors = await screen.findByTestId('import-errors');
    const items = within(errors).getAllByRole('listitem');
    expect(items).toHaveLength(refused.lines.length);
    refused.lines.forEach((l, i) => expect(items[i]).toHaveTextContent(`line ${l.line}: ${l.message}`));
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(screen.queryByTestId('import-result')).not.toBeInTheDocument();
    expect((await backend.consentOverview()).users).toBe(0);

    await user.click(screen.getByTestId('import-registry-skip'));
    await user.click(screen.getByTestId('import-registry-submit'));
    const result = await screen.findByTestId('import-result');
    expect(screen.queryByTestId('import-errors')).not.toBeInTheDocument();
    const skipped = recorded.registrySkipped;
    expect(within(result).getByTestId('import-skipped').textContent).toBe(String(skipped.skipped));
    expect(within(result).getByTestId('import-rows_read').textContent).toBe(String(skipped.rows_read));
    const last = skipped.skipped_lines[skipped.skipped_lines.length - 1];
    expect(within(screen.getByTestId('import-skipped-lines')).getAllByRole('listitem').pop()).toHaveTextContent(
      `line ${last.line}: ${last.message}`,
    );
  });

  it('shows an unreadable file and an empty path under the path field', async () => {
    const { user, backend } = await openConsent();
    const importLedger = vi.spyOn(backend, 'importLedger');
    await user.click(screen.getByTestId('import-ledger-submit'));
    expect(screen.getByTestId('error-import-ledger-path')).toHaveTextContent('Enter the path');
    expect(importLedger).not.toHaveBeenCalled();

    const unreadable = fixtures.errors.importUnreadable;
    expect(unreadable).toMatchObject({ code: 'io', fields: [] });
    backend.refuseNext('importLedger', unreadable);
    await user.type(screen.getByTestId('import-ledger-path'), '/data/missing.jsonl');
    await user.click(screen.getByTestId('import-ledger-submit'));
    expect(await screen.findByTestId('error-import-ledger-path')).toHaveTextContent(unreadable.message);
    expect(screen.getByTestId('import-ledger-path')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('fills the path from the file picker', async () => {
    const backend = memoryBackend();
    const pick = vi.spyOn(backend, 'pickFile').mockResolvedValue('/picked/ledger.jsonl');
    const { user } = await openConsent(backend);
    await user.click(screen.getByTestId('import-ledger-browse'));
    expect(pick).toHaveBeenCalledWith('ledger');
    await waitFor(() => expect(screen.getByTestId('import-ledger-path')).toHaveValue('/picked/ledger.jsonl'));
  });
});

describe('consent overview and policy', () => {
  async function imported() {
    const backend = memoryBackend();
    await backend.importRegistry('/data/registry.csv', NO_SKIP);
    await backend.importLedger('/data/ledger.jsonl', NO_SKIP);
    return backend;
  }

  it('renders the deny and allow counts per purpose and the regimes', async () => {
    await openConsent(await imported());
    const overview = screen.getByTestId('consent-overview');
    const o = recorded.overviewImported;
    await waitFor(() =>
      expect(within(overview).getByTestId('optout-genai-training').textContent).toBe(String(o.denied['genai-training'])),
    );
    expect(within(overview).getByTestId('optout-partner-sharing').textContent).toBe(String(o.denied['partner-sharing']));
    expect(within(overview).getByTestId('optout-search').textContent).toBe(String(o.denied.search));
    expect(within(overview).getByTestId('optin-search').textContent).toBe(String(o.allowed.search));
    expect(within(overview).getByTestId('overview-events').textContent).toBe(String(o.events));
    expect(within(overview).getByTestId('regime-opt-in').textContent).toBe(String(o.opt_in_regime));
    expect(within(overview).getByTestId('regime-opt-out').textContent).toBe(String(o.opt_out_regime));
    expect(screen.getAllByTestId(/^import-row-/)).toHaveLength(2);
  });

  it('saves new opt-in countries after a confirmation', async () => {
    const backend = await imported();
    const setPolicy = vi.spyOn(backend, 'setPolicy');
    const { user } = await openConsent(backend);
    expect(await screen.findByTestId('policy-version')).toHaveTextContent('version 1');
    expect(screen.getByTestId('policy-save')).toBeDisabled();

    const input = screen.getByTestId('policy-optin');
    await user.clear(input);
    await user.type(input, 'us, de,ZZ');
    await user.click(screen.getByTestId('policy-save'));
    expect(screen.getByTestId('error-opt_in')).toHaveTextContent('ZZ');
    expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument();

    await user.clear(input);
    await user.type(input, 'us, de');
    await user.click(screen.getByTestId('policy-save'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog).toHaveTextContent('Save policy version 2?');
    expect(dialog).toHaveTextContent('Added: US');
    await user.click(within(dialog).getByTestId('confirm-ok'));

    await waitFor(() => expect(screen.getByTestId('policy-version')).toHaveTextContent('version 2'));
    expect(setPolicy).toHaveBeenCalledWith({ ...KEEP, opt_in: 'DE,US' });
    expect(screen.getByTestId('policy-optin')).toHaveValue('DE, US');
  });

  it('leaves the policy alone when the confirmation is cancelled', async () => {
    const backend = await imported();
    const setPolicy = vi.spyOn(backend, 'setPolicy');
    const { user } = await openConsent(backend);
    const input = await screen.findByTestId('policy-optin');
    await user.type(input, ', US');
    await user.click(screen.getByTestId('policy-save'));
    await user.click(screen.getByTestId('confirm-cancel'));
    expect(setPolicy).not.toHaveBeenCalled();
    expect(screen.getByTestId('policy-version')).toHaveTextContent('version 1');
  });

  it('refuses an empty list unless "no opt-in countries" is chosen, and then sends none', async () => {
    const backend = await imported();
    const setPolicy = vi.spyOn(backend, 'setPolicy');
    const { user } = await openConsent(backend);
    const input = await screen.findByTestId('policy-optin');
    await user.clear(input);
    await user.click(screen.getByTestId('policy-save'));
    expect(screen.getByTestId('error-opt_in')).toHaveTextContent('This platform has no opt-in countries');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument();
    expect(setPolicy).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('policy-no-optin'));
    expect(screen.queryByTestId('error-opt_in')).not.toBeInTheDocument();
    expect(input).toBeDisabled();
    await user.click(screen.getByTestId('policy-save'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog).toHaveTextContent('none (every country is opt-out)');
    await user.click(within(dialog).getByTestId('confirm-ok'));

    await waitFor(() => expect(screen.getByTestId('policy-version')).toHaveTextContent('version 2'));
    expect(setPolicy).toHaveBeenCalledTimes(1);
    expect(setPolicy).toHaveBeenCalledWith({ ...KEEP, opt_in: 'none' });
    expect(screen.getByTestId('policy-no-optin')).toBeChecked();
  });

  it('sends the opt-out gate, shows the core’s notice days error inline, and removes the gate with none', async () => {
    const backend = await imported();
    const refused = fixtures.errors.policyNoticeDays;
    backend.refuseNext('setPolicy', refused);
    const setPolicy = vi.spyOn(backend, 'setPolicy');
    const { user } = await openConsent(backend);
    expect(await screen.findByTestId('policy-gate')).toHaveTextContent('None: users could always opt out.');
    expect(screen.getByTestId('policy-notice')).toHaveValue(30);
    expect(screen.queryByTestId('consent-gate')).not.toBeInTheDocument();

    await user.type(screen.getByTestId('policy-optout-from'), '2026-05-01');
    await user.clear(screen.getByTestId('policy-notice'));
    await user.type(screen.getByTestId('policy-notice'), '5000');
    await user.click(screen.getByTestId('policy-save'));
    await user.click(within(screen.getByTestId('confirm-dialog')).getByTestId('confirm-ok'));

    expect(refused.fields.map((f) => f.field)).toEqual(['notice_days']);
    expect(await screen.findByTestId('error-notice_days')).toHaveTextContent(refused.fields[0].message);
    expect(setPolicy).toHaveBeenLastCalledWith({ opt_in: null, opt_out_available_from: '2026-05-01', notice_days: 5000 });
    expect(screen.getByTestId('policy-notice')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(screen.getByTestId('policy-version')).toHaveTextContent('version 1');

    await user.clear(screen.getByTestId('policy-notice'));
    await user.type(screen.getByTestId('policy-notice'), '14');
    await user.click(screen.getByTestId('policy-save'));
    await user.click(within(screen.getByTestId('confirm-dialog')).getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('policy-version')).toHaveTextContent('version 2'));
    expect(setPolicy).toHaveBeenLastCalledWith({ opt_in: null, opt_out_available_from: '2026-05-01', notice_days: 14 });
    expect(screen.getByTestId('policy-gate')).toHaveTextContent(
      "Users could opt out from 2026-05-01. With 14 days' notice, the opt-out default applies from 2026-05-15, to records created from 2026-05-01.",
    );
    expect(screen.getByTestId('consent-gate')).toBeInTheDocument();

    // Clearing the date removes the gate; the unchanged notice days are not sent.
    await user.clear(screen.getByTestId('policy-optout-from'));
    await user.click(screen.getByTestId('policy-save'));
    expect(screen.getByTestId('confirm-dialog')).toHaveTextContent('Opt-out gate: removed.');
    await user.click(within(screen.getByTestId('confirm-dialog')).getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('policy-version')).toHaveTextContent('version 3'));
    expect(setPolicy).toHaveBeenLastCalledWith({ ...KEEP, opt_out_available_from: 'none' });
    expect(screen.getByTestId('policy-gate')).toHaveTextContent('None: users could always opt out.');
    expect(screen.queryByTestId('consent-gate')).not.toBeInTheDocument();
  });
});

describe('opt-out gate card', () => {
  const gate = recorded.overviewGated.gate!;

  async function gated(): Promise<MemoryBackend> {
    const backend = memoryBackend();
    await backend.importRegistry('/data/registry.csv', NO_SKIP);
    await backend.importLedger('/data/ledger.jsonl', NO_SKIP);
    await backend.setPolicy({ ...KEEP, opt_out_available_from: gate.opt_out_available_from });
    return backend;
  }

  it('shows the dates, the users held back per purpose and the records held back in sealed snapshots', async () => {
    const backend = await gated();
    const lab = await addPartner(backend, 'Northwind AI');
    const deal = await dealIn(backend, lab.id, 'signed');
    const sealed = await backend.buildSnapshot(buildRequest(deal.id), () => undefined);
    expect(sealed.held_back_by_gate).toBeGreaterThan(0);
    await openConsent(backend);
    const card = await screen.findByTestId('consent-gate');
    expect(within(card).getByRole('heading', { name: /Opt-out gate/ })).toBeInTheDocument();
    expect(within(card).getByTestId('gate-from')).toHaveTextContent(gate.opt_out_available_from);
    expect(within(card).getByTestId('gate-applies-from')).toHaveTextContent(gate.default_applies_from as string);
    for (const purpose of ['genai-training', 'partner-sharing', 'search']) {
      expect(within(card).getByTestId(`held-back-${purpose}`).textContent).toBe(String(gate.users_held_back[purpose]));
    }
    expect(within(card).getByTestId('gate-records-held-back').textContent).toBe(String(sealed.held_back_by_gate));
  });

  it('says whether the notice period is over, by the date the default applies from', async () => {
    for (const [appliesFrom, status] of [
      ['2020-01-31', 'notice period over'],
      ['2190-07-01', 'notice period running'],
    ]) {
      const backend = await gated();
      vi.spyOn(backend, 'consentOverview').mockResolvedValue({
        ...recorded.overviewGated,
        gate: { ...gate, default_applies_from: appliesFrom },
      });
      const { unmount } = await openConsent(backend);
      const card = await screen.findByTestId('consent-gate');
      expect(within(card).getByTestId('gate-status')).toHaveTextContent(status);
      expect(within(card).getByTestId('gate-applies-from')).toHaveTextContent(appliesFrom);
      unmount();
    }
  });
});
