//! Deliveries in memory. Nothing is packaged, signed or uploaded: a delivery is the
//! recorded one for the deal, snapshot and folder asked for, numbered after the deal's
//! last; verification answers the recorded intact report; a push ticks through the
//! recorded receipts as progress events (started, done) and keeps them. The signing key
//! is the recorded one once a delivery exists. The core's checks (the deal's status, the
//! snapshot, the folder, the destination) are not repeated: a test that needs one of
//! those refusals asks for the recorded one with `refuseNext`.

import type { Delivery, Receipt } from '../../bindings';
import type { DeliveriesApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import { dealRow } from './deals';
import { type MemoryState, nextId } from './state';

export function deliveryRow(state: MemoryState, id: number): Delivery {
  const delivery = state.deliveries.find((d) => d.delivery_id === id);
  if (!delivery) throw recorded(fixtures.errors.deliveryNotFound);
  return delivery;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function deliveriesApi(state: MemoryState): DeliveriesApi {
  return {
    async signingKey() {
      return state.deliveries.length > 0 || state.notices.length > 0 ? recorded(fixtures.responses.signingKey) : null;
    },

    async listDeliveries(dealId) {
      dealRow(state, dealId);
      return recorded(state.deliveries.filter((d) => d.deal_id === dealId).sort((a, b) => a.sequence - b.sequence));
    },

    async createDelivery(request) {
      dealRow(state, request.deal_id);
      const snapshot = state.snapshots.find((s) => s.snapshot_id === request.snapshot_id);
      if (!snapshot) throw recorded(fixtures.errors.snapshotNotFound);
      const shape = recorded(fixtures.responses.delivery);
      const ofDeal = state.deliveries.filter((d) => d.deal_id === request.deal_id);
      const delivery: Delivery = {
        ...shape,
        delivery_id: nextId(state.deliveries, (d) => d.delivery_id),
        deal_id: request.deal_id,
        snapshot_id: request.snapshot_id,
        sequence: ofDeal.reduce((max, d) => Math.max(max, d.sequence), 0) + 1,
        out_dir: request.out,
        records: snapshot.records_included,
        created_at: state.stamp(),
      };
      state.deliveries.push(delivery);
      state.record('delivery.created', 'delivery', delivery.delivery_id, null, delivery);
      return recorded(delivery);
    },

    async verifyDelivery(id) {
      const delivery = deliveryRow(state, id);
      return {
        ...recorded(fixtures.responses.deliveryVerified),
        dir: delivery.out_dir,
        deal_id: delivery.deal_id,
        sequence: delivery.sequence,
        key_id: delivery.key_id,
      };
    },

    async deliveryReceipts(id) {
      deliveryRow(state, id);
      return recorded(state.receipts.get(id) ?? []);
    },

    async pushDelivery(id, to, onProgress) {
      deliveryRow(state, id);
      state.pushesCancelled.delete(id);
      const kept = state.receipts.get(id) ?? [];
      const report = recorded(fixtures.responses.pushReport);
      const receipts: Receipt[] = [];
      let uploaded = 0;
      let skipped = 0;
      for (const shape of report.receipts) {
        const key = shape.key;
        onProgress({ kind: 'started', key, bytes: shape.bytes });
        if (state.pushTickMs > 0) await pause(state.pushTickMs);
        const already = kept.some((r) => r.destination === to && r.key === key);
        onProgress({ kind: 'done', key, bytes: shape.bytes, skipped: already });
        if (already) skipped++;
        else uploaded++;
        const receipt = { ...shape, destination: to, key, uploaded_at: state.stamp() };
        receipts.push(receipt);
        // As the core: each object's receipt is kept as soon as it is there.
        if (!already) {
          state.receipts.set(id, [...(state.receipts.get(id) ?? []), receipt]);
          state.record('delivery.pushed', 'delivery_receipt', id, null, receipt);
        }
        if (state.pushesCancelled.delete(id)) throw recorded(fixtures.errors.pushStopped);
      }
      return { ...report, delivery_id: id, destination: to, uploaded, skipped, receipts };
    },

    async cancelPush(id) {
      state.pushesCancelled.add(id);
    },

    async openDeliveryFolder(id) {
      deliveryRow(state, id);
    },
  };
}
