//! The store itself, in memory: where it says it is and who it says the actor is (the
//! options), in the shape the core answers. No file picker: as if the user cancelled.
//! Backups: none are written; the retention setting is kept as given.

import type { StoreApi } from '../index';
import { fixtures, recorded } from '../fixtures';
import type { MemoryState } from './state';

export function storeApi(state: MemoryState): StoreApi {
  return {
    async storeInfo() {
      return { ...recorded(fixtures.responses.storeInfo), location: state.location, actor: state.actor };
    },

    async storeCheck() {
      if (state.damaged) throw recorded(fixtures.errors.storeDamaged);
    },

    async backupStatus() {
      return { dir: '/data/backups', keep: state.backupKeep, last: null, error: null };
    },

    async setBackupKeep(keep) {
      state.backupKeep = keep;
      return { dir: '/data/backups', keep, last: null, error: null };
    },

    async pickFile() {
      return null;
    },

    async pickSaveFile() {
      return null;
    },
  };
}
