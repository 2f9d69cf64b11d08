//! Consent in memory. Imports read no file: each answers with a recorded report (the
//! first registry import, a repeat of it, one that skipped bad lines, the ledger) under
//! the path given, after simulated progress (`importTicks` reports over a file of 40
//! bytes a row, then the writing phase); `cancelImport` stops it with the core's
//! recorded cancellation. The overview is the recorded one for what has been imported (nothing,
//! the registry, the registry and the ledger) with this backend's policy and imports;
//! its counts do not follow policy changes. Under an opt-out gate it shows the recorded
//! gate, with the records held back by this backend's snapshots. A policy change stores
//! what it was given as the next version, unchecked: the core's rules for it (country
//! codes, the notice period) are not repeated here.

import type { ImportKind, ImportProgress, ImportReport, ImportSummary, Policy, PolicyInput } from '../../bindings';
import type { ConsentApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import { type MemoryState, nextId } from './state';

/** `current` with what `input` gives: null keeps a field, `none` clears it. */
function nextPolicy(current: Policy, input: PolicyInput): Policy {
  const none = (text: string) => text.trim().toLowerCase() === 'none';
  const optIn = input.opt_in;
  const from = input.opt_out_available_from;
  return {
    version: current.version + 1,
    opt_in_countries:
      optIn === null ? [...current.opt_in_countries] : none(optIn) ? [] : optIn.split(',').map((c) => c.trim()),
    opt_out_available_from: from === null ? current.opt_out_available_from : none(from) ? null : from.trim(),
    notice_days: input.notice_days ?? current.notice_days,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A simulated file's size: the recorded report's rows at 40 bytes each. */
const ROW_BYTES = 40;

export function consentApi(state: MemoryState): ConsentApi {
  /** Reports reading, checking and writing `shape`'s rows; stops if cancelled. */
  async function progress(kind: ImportKind, shape: ImportReport, onProgress: (p: ImportProgress) => void) {
    const total = shape.rows_read * ROW_BYTES;
    const good = shape.rows_read - shape.skipped;
    const at = (share: number, phase: ImportProgress['phase']): ImportProgress => ({
      phase,
      bytes_read: Math.round(total * Math.min(share, 1)),
      bytes_total: total,
      rows_read: Math.round(shape.rows_read * Math.min(share, 1)),
      bad_rows: Math.round(shape.skipped * Math.min(share, 1)),
      rows_written: phase === 'writing' ? good : 0,
    });
    for (let tick = 0; tick <= state.importTicks; tick++) {
      if (tick > 0 && state.importTickMs > 0) await pause(state.importTickMs);
      if (state.importCancelled[kind]) throw recorded(fixtures.errors.importCancelled);
      onProgress(at(tick / state.importTicks, 'reading'));
    }
    onProgress(at(1, 'checking'));
    onProgress(at(1, 'writing'));
  }

  function imported(kind: 'registry' | 'ledger', path: string, shape: ImportReport): ImportReport {
    const id = nextId(state.imports, (i) => i.id);
    const report: ImportReport = { ...recorded(shape), import_id: id, file: path };
    const summary: ImportSummary = {
      id,
      kind,
      file: path,
      rows_read: report.rows_read,
      added: report.added,
      changed: report.changed,
      skipped: report.skipped,
      at: state.stamp(),
      actor: state.actor,
    };
    state.imports.unshift(summary);
    state.record(`${kind}.imported`, 'import', id, null, report);
    return recorded(report);
  }

  return {
    async importRegistry(path, options, onProgress = () => undefined) {
      state.importCancelled.registry = false;
      const r = fixtures.responses;
      const shape = options.skip_invalid ? r.registrySkipped : state.registryImported ? r.registryReimport : r.registryImport;
      await progress('registry', shape, onProgress);
      const report = imported('registry', path, shape);
      state.registryImported = true;
      return report;
    },

    async importLedger(path, _options, onProgress = () => undefined) {
      state.importCancelled.ledger = false;
      await progress('ledger', fixtures.responses.ledgerImport, onProgress);
      const report = imported('ledger', path, fixtures.responses.ledgerImport);
      state.ledgerImported = true;
      return report;
    },

    async cancelImport(kind) {
      state.importCancelled[kind] = true;
    },

    async consentOverview() {
      const r = fixtures.responses;
      const base = state.ledgerImported ? r.overviewImported : state.registryImported ? r.overviewRegistry : r.overviewEmpty;
      const gate =
        state.policy.opt_out_available_from === null || r.overviewGated.gate === null
          ? null
          : {
              ...r.overviewGated.gate,
              records_held_back: state.snapshots.reduce((sum, s) => sum + s.held_back_by_gate, 0),
            };
      return recorded({ ...base, policy: state.policy, imports: state.imports.slice(0, 10), gate });
    },

    async setPolicy(input) {
      const before = state.policy;
      state.policy = nextPolicy(before, input);
      state.record('policy.changed', 'policy', state.policy.version, before, state.policy);
      return recorded(state.policy);
    },
  };
}
