//! The import card while an import runs and after it ends: progress (the card's bar and
//! the jobs indicator), Cancel, a file that is not a registry at all (under the field,
//! from the core's recorded refusal), and the bad-lines refusal, which suggests skipping
//! only when some rows are good. Outcomes stay on the card after leaving the screen.

import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { ImportProgress } from './bindings';
import { fixtures } from './backend/fixtures';
import { formatCount } from './domain/units';
import { memoryBackend, renderApp } from './test/helpers';

const MiB = 1024 * 1024;
const errors = fixtures.errors;

async function openConsent(backend = memoryBackend()) {
  const rendered = renderApp(backend);
  await rendered.user.click(await screen.findByTestId('nav-consent'));
  await screen.findByTestId('consent-overview');
  return { ...rendered, backend };
}

/** Leaves the consent screen and comes back to it. */
async function leaveAndComeBack(user: ReturnType<typeof renderApp>['user']) {
  await user.click(screen.getByTestId('nav-deals'));
  await waitFor(() => expect(screen.queryByTestId('consent-overview')).not.toBeInTheDocument());
  await user.click(screen.getByTestId('nav-consent'));
  await screen.findByTestId('consent-overview');
}

describe('an import in progress', () => {
  it('shows bytes and rows read on the card and a fraction in the jobs indicator', async () => {
    const { user, backend } = await openConsent();
    let finish: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const real = backend.importRegistry.bind(backend);
    const reading: ImportProgress = {
      phase: 'reading',
      bytes_read: 312 * MiB,
      bytes_total: 755 * MiB,
      rows_read: 1_200_000,
      bad_rows: 0,
      rows_written: 0,
    };
    vi.spyOn(backend, 'importRegistry').mockImplementation(async (path, options, onProgress) => {
      onProgress?.(reading);
      await held;
      return real(path, options);
    });
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry.csv');
    await user.click(screen.getByTestId('import-registry-submit'));

    const detail = await screen.findByTestId('import-registry-progress-detail');
    expect(detail.textContent).toBe(`312 MiB of 755 MiB · ${formatCount(1_200_000)} rows`);
    const bar = within(screen.getByTestId('import-registry-progress')).getByRole('progressbar');
    expect(bar).toHaveAttribute('aria-valuenow', '41');
    const job = screen.getByTestId('job-import:registry');
    expect(within(job).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '41');
    expect(job).toHaveTextContent('312 MiB of 755 MiB');

    finish();
    await screen.findByTestId('import-result');
    expect(screen.queryByTestId('import-registry-progress')).not.toBeInTheDocument();
  });

  it('cancels from the card: nothing is imported and the card says so, also later', async () => {
    const backend = memoryBackend({ importTicks: 50, importTickMs: 20 });
    const { user } = await openConsent(backend);
    const cancelImport = vi.spyOn(backend, 'cancelImport');
    await user.type(screen.getByTestId('import-ledger-path'), '/data/ledger.jsonl');
    await user.click(screen.getByTestId('import-ledger-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('import-ledger-progress-detail').textContent).toMatch(/ of .* · .* rows/),
    );

    await user.click(screen.getByTestId('import-ledger-cancel'));
    expect(cancelImport).toHaveBeenCalledWith('ledger');
    expect(await screen.findByTestId('import-ledger-cancelled')).toHaveTextContent('nothing was imported');
    expect(screen.getByTestId('job-import:ledger')).toHaveAttribute('data-status', 'cancelled');
    expect(screen.queryByTestId('import-result')).not.toBeInTheDocument();
    expect((await backend.consentOverview()).imports).toHaveLength(0);

    await leaveAndComeBack(user);
    expect(screen.getByTestId('import-ledger-cancelled')).toBeInTheDocument();
  });
});

describe('a refused import', () => {
  it('says under the file field that a posts file is not a registry, and keeps saying it', async () => {
    const { user, backend } = await openConsent();
    const refusal = errors.importNotRegistry;
    expect(refusal).toMatchObject({ code: 'invalid', lines: [] });
    expect(refusal.fields.map((f) => f.field)).toEqual(['file']);
    backend.refuseNext('importRegistry', refusal);
    await user.type(screen.getByTestId('import-registry-path'), '/data/posts.jsonl');
    await user.click(screen.getByTestId('import-registry-submit'));

    const error = await screen.findByTestId('error-import-registry-path');
    expect(error).toHaveTextContent(refusal.fields[0].message);
    expect(error).toHaveTextContent('does not look like a registry');
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
    expect(screen.getByTestId('job-outcome-import:registry')).toHaveTextContent('does not look like a registry');

    await leaveAndComeBack(user);
    expect(screen.getByTestId('error-import-registry-path')).toHaveTextContent('does not look like a registry');
    // Another file: the refusal was about the old one.
    await user.type(screen.getByTestId('import-registry-path'), 'x');
    expect(screen.queryByTestId('error-import-registry-path')).not.toBeInTheDocument();
  });

  it('names a missing CSV column under the file field', async () => {
    const { user, backend } = await openConsent();
    backend.refuseNext('importRegistry', errors.importMissingColumn);
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry-no-status.csv');
    await user.click(screen.getByTestId('import-registry-submit'));
    expect(await screen.findByTestId('error-import-registry-path')).toHaveTextContent(
      'its header has no "status" column',
    );
  });

  it('asks to choose the format in its own words, and passes the chosen one', async () => {
    const { user, backend } = await openConsent();
    backend.refuseNext('importRegistry', errors.importNoFormat);
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry.txt');
    await user.click(screen.getByTestId('import-registry-submit'));
    const error = await screen.findByTestId('error-import-registry-path');
    expect(error).toHaveTextContent('choose the format');
    expect(error.textContent).not.toMatch(/--|csv\|jsonl/);

    const importRegistry = vi.spyOn(backend, 'importRegistry');
    await user.selectOptions(screen.getByTestId('import-registry-format'), 'csv');
    await user.click(screen.getByTestId('import-registry-submit'));
    await screen.findByTestId('import-result');
    expect(importRegistry).toHaveBeenCalledWith(
      '/data/registry.txt',
      { skip_invalid: false, format: 'csv' },
      expect.any(Function),
    );
  });

  it('counts the bad rows and suggests skipping them when some rows are good', async () => {
    const { user, backend } = await openConsent();
    const refused = errors.importBadLines;
    const bad = refused.lines_total ?? 0;
    const rows = refused.rows_read ?? 0;
    expect(0 < bad && bad < rows).toBe(true);
    backend.refuseNext('importRegistry', refused);
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry-bad.csv');
    await user.click(screen.getByTestId('import-registry-submit'));
    const note = await screen.findByTestId('import-refused-note');
    expect(note).toHaveTextContent(`${bad} of ${rows} rows are bad`);
    expect(note).toHaveTextContent('“Skip invalid rows”');
    expect(note.textContent).not.toContain('--');

    await leaveAndComeBack(user);
    expect(screen.getByTestId('import-refused-note')).toHaveTextContent(`${bad} of ${rows} rows are bad`);
    expect(within(screen.getByTestId('import-errors')).getAllByRole('listitem')).toHaveLength(refused.lines.length);
  });

  it('does not suggest skipping when every row is bad: the file is not a registry', async () => {
    const { user, backend } = await openConsent();
    const refused = errors.importAllBad;
    expect(refused.lines_total).toBe(refused.rows_read);
    backend.refuseNext('importRegistry', refused);
    await user.type(screen.getByTestId('import-registry-path'), '/data/registry-all-bad.csv');
    await user.click(screen.getByTestId('import-registry-submit'));
    const note = await screen.findByTestId('import-refused-note');
    expect(note).toHaveTextContent('does not look like a registry file');
    expect(note.textContent).not.toMatch(/skip/i);
    expect(screen.getByTestId('job-outcome-import:registry')).toHaveTextContent('does not look like a registry');
  });
});
