//! Snapshots in memory. Nothing is read or written: a preview shows the recorded
//! source's first lines; a build ticks through simulated progress towards the recorded
//! totals and seals the recorded snapshot (the one under an opt-out gate when the policy
//! has one) for the deal and request given; verification answers the recorded intact
//! report. The core's checks of a request (source, fields, cut-off, output folder, the
//! deal's status) are not repeated here; a test that needs one of those refusals asks
//! for the recorded one with `refuseNext`.

import type { Snapshot } from '../../bindings';
import type { SnapshotsApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import { dealRow } from './deals';
import { type MemoryState, nextId } from './state';

function snapshotRow(state: MemoryState, id: number): Snapshot {
  const snapshot = state.snapshots.find((s) => s.snapshot_id === id);
  if (!snapshot) throw recorded(fixtures.errors.snapshotNotFound);
  return snapshot;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function snapshotsApi(state: MemoryState): SnapshotsApi {
  return {
    async previewSource(_path, format) {
      const preview = recorded(fixtures.responses.sourcePreview);
      return format === 'csv' || format === 'jsonl' ? { ...preview, format } : preview;
    },

    async buildSnapshot(request, onProgress) {
      state.cancelRequested = false;
      const deal = dealRow(state, request.deal_id);
      const r = fixtures.responses;
      const shape = recorded(state.policy.opt_out_available_from === null ? r.snapshot : r.snapshotGated);
      const started = Date.now();
      for (let tick = 1; tick <= state.buildTicks; tick++) {
        if (state.buildTickMs > 0) await pause(state.buildTickMs);
        if (state.cancelRequested) throw recorded(fixtures.errors.buildCancelled);
        const share = tick / state.buildTicks;
        // Progress is over the file as given: compressed, when it is.
        const fileBytes = shape.source_compressed_bytes ?? shape.source_bytes;
        onProgress({
          bytes_read: Math.round(fileBytes * share),
          bytes_total: fileBytes,
          records: Math.round(shape.records_in * share),
          included: Math.round(shape.records_included * share),
          elapsed_ms: Math.max(Date.now() - started, tick * state.buildTickMs),
        });
      }
      const id = nextId(state.snapshots, (s) => s.snapshot_id);
      const at = state.stamp();
      const snapshot: Snapshot = {
        ...shape,
        snapshot_id: id,
        deal_id: deal.id,
        source: request.source,
        format: request.format === 'csv' || request.format === 'jsonl' ? request.format : shape.format,
        id_field: request.id_field,
        user_field: request.user_field,
        time_field: request.time_field,
        as_of: request.as_of,
        window_from: request.window_from,
        window_to: request.window_to,
        purposes: [...deal.purposes],
        policy_version: state.policy.version,
        out_dir: request.out ?? `${state.location}.snapshots/deal-${deal.id}/snapshot-${id}`,
        created_at: at,
        sealed_at: at,
      };
      state.snapshots.push(snapshot);
      state.record('snapshot.sealed', 'snapshot', id, null, snapshot);
      return recorded(snapshot);
    },

    async cancelBuild() {
      state.cancelRequested = true;
    },

    async listSnapshots(dealId) {
      dealRow(state, dealId);
      const ofDeal = state.snapshots.filter((s) => s.deal_id === dealId && s.sealed);
      return recorded(ofDeal.sort((a, b) => b.snapshot_id - a.snapshot_id));
    },

    async getSnapshot(id) {
      return recorded(snapshotRow(state, id));
    },

    async verifySnapshot(id) {
      const snapshot = snapshotRow(state, id);
      return {
        ...recorded(fixtures.responses.snapshotVerified),
        snapshot_id: id,
        files_checked: snapshot.shards.length,
      };
    },
  };
}
