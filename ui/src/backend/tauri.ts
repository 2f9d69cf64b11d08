//! The backend of the desktop app: each method is one Tauri command of the shell. This
//! is the only module that imports `@tauri-apps/api`. Argument names are camelCase in
//! `invoke`'s object; Tauri maps them onto the commands' snake_case parameters.

import { invoke } from '@tauri-apps/api/core';

import type {
  AuditEntry,
  AuditFilter,
  AuditReport,
  Deal,
  DealFilter,
  DealId,
  DealInput,
  DealStatus,
  Partner,
  PartnerId,
  PartnerInput,
  RenewInput,
  StoreInfo,
} from '../bindings';
import { toErrorBody, type Backend } from './index';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toErrorBody(error);
  }
}

export class TauriBackend implements Backend {
  storeInfo(): Promise<StoreInfo> {
    return call('store_info');
  }
  listPartners(): Promise<Partner[]> {
    return call('list_partners');
  }
  createPartner(input: PartnerInput): Promise<Partner> {
    return call('create_partner', { input });
  }
  updatePartner(id: PartnerId, input: PartnerInput): Promise<Partner> {
    return call('update_partner', { id, input });
  }
  listDeals(filter: DealFilter): Promise<Deal[]> {
    return call('list_deals', { filter });
  }
  getDeal(id: DealId): Promise<Deal> {
    return call('get_deal', { id });
  }
  createDeal(input: DealInput): Promise<Deal> {
    return call('create_deal', { input });
  }
  updateDeal(id: DealId, input: DealInput): Promise<Deal> {
    return call('update_deal', { id, input });
  }
  transitionDeal(id: DealId, to: DealStatus): Promise<Deal> {
    return call('transition_deal', { id, to });
  }
  renewDeal(id: DealId, input: RenewInput): Promise<Deal> {
    return call('renew_deal', { id, input });
  }
  listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    return call('list_audit', { filter });
  }
  verifyAudit(): Promise<AuditReport> {
    return call('verify_audit');
  }
}
