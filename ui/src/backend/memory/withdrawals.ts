//! Withdrawal notices and exposure in memory. Nothing is evaluated: while a deal has a
//! delivery and no notice, its pending users are the recorded ones, and after a notice
//! the recorded (empty) list; a notice is the recorded one for the deal and file asked
//! for; an acknowledgement records the day and attestation given. The exposure of the
//! recorded user is the recorded report (acknowledged once a notice is); any other user
//! gets the recorded unknown user's. Refusals ("nothing to withdraw", a date before the
//! issue, ...) are the recorded ones, asked for with `refuseNext`.

import type { Notice } from '../../bindings';
import type { WithdrawalsApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import { dealRow } from './deals';
import { type MemoryState, nextId } from './state';

function noticeRow(state: MemoryState, id: number): Notice {
  const notice = state.notices.find((n) => n.notice_id === id);
  if (!notice) throw recorded(fixtures.errors.noticeNotFound);
  return notice;
}

export function withdrawalsApi(state: MemoryState): WithdrawalsApi {
  return {
    async pendingWithdrawals(dealId) {
      dealRow(state, dealId);
      const delivered = state.deliveries.some((d) => d.deal_id === dealId);
      const noticed = state.notices.some((n) => n.deal_id === dealId);
      const r = fixtures.responses;
      return recorded(delivered && !noticed ? r.pendingUsers : r.pendingAfterNotice);
    },

    async listNotices(dealId) {
      dealRow(state, dealId);
      return recorded(state.notices.filter((n) => n.deal_id === dealId).sort((a, b) => b.notice_id - a.notice_id));
    },

    async createNotice(request) {
      dealRow(state, request.deal_id);
      const report = recorded(fixtures.responses.notice);
      const ofDeal = state.notices.filter((n) => n.deal_id === request.deal_id);
      const { deliveries, users_by_reason, ...shape } = report;
      const notice: Notice = {
        ...shape,
        notice_id: nextId(state.notices, (n) => n.notice_id),
        deal_id: request.deal_id,
        sequence: ofDeal.length + 1,
        file: request.out,
        issued_at: state.stamp(),
      };
      state.notices.push(notice);
      state.record('withdrawal.issued', 'withdrawal_notice', notice.notice_id, null, notice);
      return { ...recorded(notice), deliveries, users_by_reason };
    },

    async acknowledgeNotice(request) {
      const notice = noticeRow(state, request.notice_id);
      const before = recorded(notice);
      const file = request.attestation_file?.trim() || null;
      Object.assign(notice, {
        status: 'acknowledged',
        acknowledged_on: request.date,
        attestation: file ?? (request.reference?.trim() || null),
        attestation_sha256: file ? fixtures.responses.noticeAcknowledged.attestation_sha256 : null,
      });
      state.record('withdrawal.acknowledged', 'withdrawal_notice', notice.notice_id, before, notice);
      return recorded(notice);
    },

    async exposure(userId) {
      const r = fixtures.responses;
      if (userId.trim() !== r.exposure.user_id) return { ...recorded(r.exposureUnknown), user_id: userId.trim() };
      const acknowledged = state.notices.some((n) => n.status === 'acknowledged');
      return recorded(acknowledged ? r.exposureAcknowledged : r.exposure);
    },
  };
}
