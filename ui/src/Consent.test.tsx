import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { memoryBackend, renderApp } from './test/helpers';

const NO_SKIP = { skip_invalid: false, format: null };

async function openConsent(backend = memoryBackend()) {
  const rendered = renderApp(backend);
  await rendered.user.click(await screen.findByTestId('nav-consent'));
  await screen.findByTestId('consent-overview');
  return rendered;
}

describe('consent imports', () => {
  it('imports a registry and shows the summary and the new totals', async () => {
    const { user, backend } = await openConsent();
    expect(screen.getByTestId('nav-consent')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByTestId('consent-empty')).toBeInTheDocument();
    const importRegistry = vi.spyOn(backend, 'importRegistry');

    await user.type(screen.getByTestId('import-registry-path'), '  /data/registry.csv ');
    await user.click(screen.getByTestId('import-registry-submit'));

    const result = await screen.findByTestId('import-result');
    expect(importRegistry).toHaveBeenCalledWith('/data/registry.csv', NO_SKIP);
    expect(result).toHaveTextContent('registry.csv');
    expect(within(result).getByTestId('import-rows_read').textContent).toBe('1250');
    expect(within(result).getByTestId('import-added').textContent).toBe('1250');
    expect(within(result).getByTestId('import-changed').textContent).toBe('0');
    expect(within(result).getByTestId('import-skipped').textContent).toBe('0');
    expect(within(result).getByTestId('import-rows_per_second').textContent).not.toBe('0');
    await waitFor(() => expect(screen.getByTestId('overview-users').textContent).toBe('1250'));
    expect(screen.getByTestId('status-active').textContent).toBe('1188');
    expect(screen.getByTestId('recent-imports')).toHaveTextContent('registry.csv');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();

    // The same file again: every row is already known.
    await user.click(screen.getByTestId('import-registry-submit'));
    await waitFor(() => expect(screen.getByTestId('import-unchanged').textContent).toBe('1250'));
    expect(screen.getByTestId('import-added').textContent).toBe('0');
  });

  it('lists the bad lines of a refused file, not in the banner, and can skip them', async () => {
    const { user, backend } = await openConsent();
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry-bad.csv');
    await user.click(screen.getByTestId('import-registry-submit'));

    const errors = await screen.findByTestId('import-errors');
    const items = within(errors).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent("line 4: birth_date: '1990-02-30' is not a date");
    expect(items[1]).toHaveTextContent('line 9: country:');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(screen.queryByTestId('import-result')).not.toBeInTheDocument();
    expect((await backend.consentOverview()).users).toBe(0);

    await user.click(screen.getByTestId('import-registry-skip'));
    await user.click(screen.getByTestId('import-registry-submit'));
    const result = await screen.findByTestId('import-result');
    expect(screen.queryByTestId('import-errors')).not.toBeInTheDocument();
    expect(within(result).getByTestId('import-skipped').textContent).toBe('3');
    expect(within(result).getByTestId('import-rows_read').textContent).toBe('1253');
    expect(within(screen.getByTestId('import-skipped-lines')).getAllByRole('listitem')[2]).toHaveTextContent(
      "line 17: status: unknown status 'banned'",
    );
  });

  it('shows an unreadable file and an empty path under the path field', async () => {
    const { user, backend } = await openConsent();
    const importLedger = vi.spyOn(backend, 'importLedger');
    await user.click(screen.getByTestId('import-ledger-submit'));
    expect(screen.getByTestId('error-import-ledger-path')).toHaveTextContent('Enter the path');
    expect(importLedger).not.toHaveBeenCalled();

    await user.type(screen.getByTestId('import-ledger-path'), '/data/missing.jsonl');
    await user.click(screen.getByTestId('import-ledger-submit'));
    expect(await screen.findByTestId('error-import-ledger-path')).toHaveTextContent(
      'cannot read /data/missing.jsonl',
    );
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
    await waitFor(() => expect(within(overview).getByTestId('optout-genai-training').textContent).toBe('318'));
    expect(within(overview).getByTestId('optout-partner-sharing').textContent).toBe('61');
    expect(within(overview).getByTestId('optout-search').textContent).toBe('22');
    expect(within(overview).getByTestId('optin-search').textContent).toBe('530');
    expect(within(overview).getByTestId('overview-events').textContent).toBe('4812');
    expect(within(overview).getByTestId('regime-opt-in').textContent).toBe('460');
    expect(within(overview).getByTestId('regime-opt-out').textContent).toBe('790');
    expect(screen.getAllByTestId(/^import-row-/)).toHaveLength(2);
  });

  it('saves new opt-in countries after a confirmation, and the regimes follow', async () => {
    const backend = await imported();
    const setPolicy = vi.spyOn(backend, 'setPolicy');
    const { user } = await openConsent(backend);
    expect(await screen.findByTestId('policy-version')).toHaveTextContent('version 1');
    expect(screen.getByTestId('policy-save')).toBeDisabled();

    const input = screen.getByTestId('policy-optin');
    await user.clear(input);
    await user.type(input, 'us, de,ZZ');
    await user.click(screen.getByTestId('policy-save'));
    expect(screen.getByTestId('error-opt_in_countries')).toHaveTextContent('ZZ');
    expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument();

    await user.clear(input);
    await user.type(input, 'us, de');
    await user.click(screen.getByTestId('policy-save'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog).toHaveTextContent('Save policy version 2?');
    expect(dialog).toHaveTextContent('Added: US');
    await user.click(within(dialog).getByTestId('confirm-ok'));

    await waitFor(() => expect(screen.getByTestId('policy-version')).toHaveTextContent('version 2'));
    expect(setPolicy).toHaveBeenCalledWith('DE,US');
    expect(screen.getByTestId('policy-optin')).toHaveValue('DE, US');
    // 412 users in the US and 138 in DE are now in the opt-in regime.
    expect(screen.getByTestId('regime-opt-in').textContent).toBe('550');
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
});
