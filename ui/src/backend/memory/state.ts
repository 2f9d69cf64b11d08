//! What the in-memory backend keeps between calls: the rows the screens list, the audit
//! log, and the clock. Every domain module (partners.ts, deals.ts, ...) works on one
//! shared `MemoryState`.

import type {
  AuditEntry,
  CreditNote,
  FeeTerms,
  FxRateRecord,
  Invoice,
  Payment,
  Deal,
  Delivery,
  ImportKind,
  ImportSummary,
  JsonValue,
  Partner,
  Policy,
  Notice,
  Receipt,
  Snapshot,
} from '../../bindings';
import { DEFAULT_OPT_IN } from '../../bindings';
import { fixtures, recorded } from '../fixtures';

export interface MemoryOptions {
  actor?: string;
  location?: string;
  /** The clock, for predictable audit times in tests. */
  now?: () => Date;
  /** The store failed its integrity check: `storeCheck` refuses as the core does. */
  damaged?: boolean;
  /** How many progress reports a simulated snapshot build sends (default 6). */
  buildTicks?: number;
  /** The pause before each of them, in milliseconds (default 200; 0 = none). */
  buildTickMs?: number;
  /** The pause before each simulated push event, in milliseconds (default 150; 0 = none). */
  pushTickMs?: number;
  /** How many reading reports a simulated import sends (default 4). */
  importTicks?: number;
  /** The pause before each of them, in milliseconds (default 100; 0 = none). */
  importTickMs?: number;
}

/** A deal as kept: its partner's name is looked up when it is handed out. */
export type StoredDeal = Omit<Deal, 'partner_name'>;

const GENESIS = '0'.repeat(64);

export class MemoryState {
  partners: Partner[] = [];
  deals: StoredDeal[] = [];
  audit: AuditEntry[] = [];
  imports: ImportSummary[] = [];
  snapshots: Snapshot[] = [];
  deliveries: Delivery[] = [];
  /** Per delivery id, what its pushes stored. */
  receipts = new Map<number, Receipt[]>();
  notices: Notice[] = [];
  /** Fee schedules by deal id. */
  fees = new Map<number, FeeTerms>();
  invoices: Invoice[] = [];
  payments: Payment[] = [];
  credits: CreditNote[] = [];
  fxRates: FxRateRecord[] = [];
  /** Daily backups to keep (the app's setting). */
  backupKeep = 14;
  /** The core's first policy: version 1 with the default opt-in countries, no gate. */
  policy: Policy = { ...recorded(fixtures.responses.overviewEmpty.policy), opt_in_countries: [...DEFAULT_OPT_IN] };
  registryImported = false;
  ledgerImported = false;
  cancelRequested = false;
  /** Deliveries whose push was asked to stop. */
  readonly pushesCancelled = new Set<number>();
  /** Per kind, whether `cancelImport` was asked since that kind's import started. */
  importCancelled: Record<ImportKind, boolean> = { registry: false, ledger: false };
  importTicks: number;
  importTickMs: number;
  buildTicks: number;
  buildTickMs: number;
  pushTickMs: number;
  readonly actor: string;
  readonly location: string;
  readonly damaged: boolean;
  private readonly now: () => Date;

  constructor(options: MemoryOptions) {
    this.actor = options.actor ?? 'tester';
    this.location = options.location ?? ':memory:';
    this.damaged = options.damaged ?? false;
    this.now = options.now ?? (() => new Date());
    this.buildTicks = Math.max(1, options.buildTicks ?? 6);
    this.buildTickMs = options.buildTickMs ?? 200;
    this.pushTickMs = options.pushTickMs ?? 150;
    this.importTicks = Math.max(1, options.importTicks ?? 4);
    this.importTickMs = options.importTickMs ?? 100;
  }

  /** Now, as RFC 3339 UTC to the second (the shape of every recorded time). */
  stamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /**
   * Appends an audit entry. Its action must be one the core's log holds (the recorded
   * `auditActions`), so that the history the screens render uses the core's words.
   * The hashes are placeholders numbered like the recorded ones, not SHA-256.
   */
  record(action: string, entity: string, entityId: number, before: object | null, after: object | null) {
    if (!fixtures.responses.auditActions.includes(action)) {
      throw new Error(`the core writes no audit action '${action}' (fixtures.json auditActions)`);
    }
    const seq = this.audit.length + 1;
    this.audit.push({
      seq,
      at: this.stamp(),
      actor: this.actor,
      action,
      entity,
      entity_id: entityId,
      before: before === null ? null : (recorded(before) as JsonValue),
      after: after === null ? null : (recorded(after) as JsonValue),
      prev_hash: this.audit.length > 0 ? this.audit[this.audit.length - 1].hash : GENESIS,
      hash: seq.toString(16).padStart(64, '0'),
    });
  }
}

/** The next id after the largest in `rows`. */
export function nextId<T>(rows: readonly T[], id: (row: T) => number): number {
  return rows.reduce((max, row) => Math.max(max, id(row)), 0) + 1;
}
