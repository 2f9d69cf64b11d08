//! An in-memory `Backend` for unit tests and the browser preview. It follows the core's
//! rules closely enough that the UI cannot tell the difference in the cases it handles:
//! field-named validation errors, partner names unique ignoring case, the deal
//! lifecycle, frozen terms, renewals, and one audit entry per mutation. Failures are
//! thrown as `ErrorBody` values, exactly as the Tauri backend rejects.
//!
//! It is not a second implementation of the core: hashes are not SHA-256 and
//! `verifyAudit` only re-checks the links of its own chain. Imports and snapshots read
//! no files: imports add a fixed sample registry and ledger, previews show fixed
//! records, and a build ticks through simulated progress to fixed counts. Paths steer
//! the simulation: one containing `bad` has bad lines, one containing `missing` cannot
//! be read, one containing `not-empty` is an output folder with files in it, and a
//! snapshot written under a folder containing `tampered` fails its check.
//!
//! The opt-out gate (PRODUCT.md §2) is modelled on those fixed counts: a build under a
//! gated policy holds back a fixed number of records that only the regime default
//! included (all of them while the notice period runs at the cut-off, those created
//! before the opt-out date after it), and the overview counts the active users of
//! opt-out countries whom the sample ledger leaves undecided on each purpose's chain.

import type {
  AuditEntry,
  AuditFilter,
  AuditReport,
  BuildRequest,
  ConsentOverview,
  Deal,
  DealFilter,
  DealId,
  DealInput,
  DealStatus,
  ErrorBody,
  FieldError,
  FileFormat,
  GateOverview,
  ImportOptions,
  ImportReport,
  ImportSummary,
  JsonValue,
  LineError,
  Partner,
  PartnerId,
  PartnerInput,
  PartnerKind,
  Policy,
  PolicyInput,
  Progress,
  Purpose,
  RenewInput,
  Shard,
  Snapshot,
  SnapshotId,
  SourcePreview,
  StoreInfo,
  VerifyReport,
} from '../bindings';
import { DEFAULT_OPT_IN } from '../bindings';
import { isCountryCode, WORLD } from '../domain/country';
import { addDays, isInstant, nextTerm, parseDate } from '../domain/dates';
import { canMove, nextStatuses, termsOpen } from '../domain/lifecycle';
import { PARTNER_KINDS } from '../domain/partnerKind';
import { canonicalPurposes, isPurpose, PURPOSES, purposeInfo } from '../domain/purpose';
import type { Backend, PickKind } from './index';

export interface MemoryOptions {
  actor?: string;
  location?: string;
  /** The clock, for predictable audit times in tests. */
  now?: () => Date;
  /** How many progress reports a simulated snapshot build sends (default 6). */
  buildTicks?: number;
  /** The pause before each of them, in milliseconds (default 200; 0 = none). */
  buildTickMs?: number;
}

const GENESIS = '0'.repeat(64);

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function invalid(fields: FieldError[]): ErrorBody {
  return {
    code: 'invalid',
    message: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
    fields,
    lines: [],
  };
}

function blank(value: string | null | undefined): string | null {
  const v = (value ?? '').trim();
  return v === '' ? null : v;
}

/**
 * The core's refusal of control characters (Unicode category Cc) in typed text: none at
 * all in a name, title or id; in notes, line breaks and tabs only.
 */
function refuseControls(problems: FieldError[], field: string, text: string, multiLine = false) {
  const chars = [...text];
  const i = chars.findIndex((c) => {
    const code = c.codePointAt(0) as number;
    const control = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    return control && !(multiLine && (c === '\n' || c === '\t' || c === '\r'));
  });
  if (i >= 0) {
    const escaped = `\\u{${(chars[i].codePointAt(0) as number).toString(16)}}`;
    problems.push({
      field,
      message: `contains the control character ${escaped} at position ${i + 1}: remove it (only printable text is accepted)`,
    });
  }
}

/** A stand-in for the core's SHA-256 chain: FNV-1a, widened to 64 hex digits. */
function fakeHash(text: string): string {
  let out = '';
  for (let round = 0; round < 8; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

interface ValidDeal {
  partner_id: PartnerId;
  title: string;
  purposes: Purpose[];
  start_date: string;
  end_date: string;
  territory: string;
  exclusive: boolean;
  retention_days: number | null;
  withdrawal_days: number;
  attribution_required: boolean;
  sublicensing_allowed: boolean;
  notes: string;
}

function validatePartner(input: PartnerInput) {
  const problems: FieldError[] = [];
  const name = input.name.trim();
  if (name === '') problems.push({ field: 'name', message: 'name is required' });
  else if ([...name].length > 200)
    problems.push({ field: 'name', message: 'name is longer than 200 characters' });
  else refuseControls(problems, 'name', name);
  const kind = input.kind.trim();
  if (!PARTNER_KINDS.some((k) => k.value === kind)) {
    problems.push({
      field: 'kind',
      message: `unknown partner kind '${kind}' (known: ai-lab, search-engine, research, other)`,
    });
  }
  let country = blank(input.country);
  if (country !== null) {
    if (isCountryCode(country.toUpperCase())) country = country.toUpperCase();
    else
      problems.push({
        field: 'country',
        message: `'${country}' is not an ISO 3166-1 alpha-2 country code`,
      });
  }
  const contact = blank(input.contact);
  if (contact !== null) refuseControls(problems, 'contact', contact);
  const notes = (input.notes ?? '').trim();
  refuseControls(problems, 'notes', notes, true);
  if (problems.length > 0) throw invalid(problems);
  return { name, kind: kind as PartnerKind, country, contact, notes };
}

function parseDateField(problems: FieldError[], field: string, text: string): string | null {
  const t = text.trim();
  if (t === '') {
    problems.push({ field, message: 'a date is required (YYYY-MM-DD)' });
    return null;
  }
  if (parseDate(t) === null) {
    problems.push({ field, message: `'${t}' is not a date: write YYYY-MM-DD with a four-digit year, e.g. 2026-01-31` });
    return null;
  }
  const year = Number(t.slice(0, 4));
  if (year < 1970 || year > 2199) {
    problems.push({ field, message: `${t} is out of range: dates must lie in the years 1970 to 2199` });
    return null;
  }
  return t;
}

function checkOrder(problems: FieldError[], start: string | null, end: string | null) {
  if (start !== null && end !== null && end < start) {
    problems.push({ field: 'end_date', message: `end date ${end} is before start date ${start}` });
  }
}

function parseTerritory(problems: FieldError[], text: string): string | null {
  const t = text.trim();
  if (t === '') {
    problems.push({
      field: 'territory',
      message: 'territory is required: WORLD or country codes such as US,CA',
    });
    return null;
  }
  if (t.toUpperCase() === WORLD) return WORLD;
  const codes = new Set<string>();
  for (const part of t.split(',')) {
    const code = part.trim().toUpperCase();
    if (!isCountryCode(code)) {
      problems.push({
        field: 'territory',
        message: `'${part.trim()}' is not an ISO 3166-1 alpha-2 country code`,
      });
      return null;
    }
    codes.add(code);
  }
  return [...codes].sort().join(',');
}

function validateDeal(input: DealInput): ValidDeal {
  const problems: FieldError[] = [];
  const title = input.title.trim();
  if (title === '') problems.push({ field: 'title', message: 'title is required' });
  else if ([...title].length > 300)
    problems.push({ field: 'title', message: 'title is longer than 300 characters' });
  else refuseControls(problems, 'title', title);
  const unknown = input.purposes.find((p) => !isPurpose(p));
  const purposes = canonicalPurposes(input.purposes.filter(isPurpose));
  if (unknown !== undefined) {
    problems.push({ field: 'purposes', message: `unknown purpose '${unknown}'` });
  } else if (purposes.length === 0) {
    problems.push({ field: 'purposes', message: 'at least one purpose is required' });
  }
  const start = parseDateField(problems, 'start_date', input.start_date);
  const end = parseDateField(problems, 'end_date', input.end_date);
  checkOrder(problems, start, end);
  const territory = parseTerritory(problems, input.territory);
  const days = input.retention_days;
  if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= 4_294_967_295)) {
    problems.push({
      field: 'retention_days',
      message: `retention must be a positive number of days, not ${days}`,
    });
  }
  const notes = (input.notes ?? '').trim();
  refuseControls(problems, 'notes', notes, true);
  if (problems.length > 0) throw invalid(problems);
  return {
    partner_id: input.partner_id,
    title,
    purposes,
    start_date: start as string,
    end_date: end as string,
    territory: territory as string,
    exclusive: input.exclusive,
    retention_days: days,
    withdrawal_days: input.withdrawal_days ?? 30,
    attribution_required: input.attribution_required,
    sublicensing_allowed: input.sublicensing_allowed,
    notes,
  };
}

type StoredDeal = Omit<Deal, 'partner_name'>;

export class MemoryBackend implements Backend {
  private partners: Partner[] = [];
  private deals: StoredDeal[] = [];
  private audit: AuditEntry[] = [];
  private readonly actor: string;
  private readonly location: string;
  private readonly now: () => Date;
  private buildTicks: number;
  private buildTickMs: number;
  private policy: Policy = {
    version: 1,
    opt_in_countries: [...DEFAULT_OPT_IN],
    opt_out_available_from: null,
    notice_days: 30,
  };
  private registryLoaded = false;
  private ledgerLoaded = false;
  /** `kind:path` of every file imported, to report a re-import as unchanged. */
  private importedFiles = new Set<string>();
  private imports: ImportSummary[] = [];
  private snapshots: Snapshot[] = [];
  private cancelRequested = false;

  constructor(options: MemoryOptions = {}) {
    this.actor = options.actor ?? 'tester';
    this.location = options.location ?? ':memory:';
    this.now = options.now ?? (() => new Date());
    this.buildTicks = Math.max(1, options.buildTicks ?? 6);
    this.buildTickMs = options.buildTickMs ?? 200;
  }

  /** Changes how long simulated builds take (the demo seeds its snapshot instantly). */
  setBuildPace(ticks: number, tickMs: number) {
    this.buildTicks = Math.max(1, ticks);
    this.buildTickMs = tickMs;
  }

  async storeInfo(): Promise<StoreInfo> {
    return { location: this.location, schema_version: 1, actor: this.actor };
  }

  async listPartners(): Promise<Partner[]> {
    const sorted = [...this.partners].sort(
      (a, b) =>
        a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.id - b.id,
    );
    return clone(sorted);
  }

  async createPartner(input: PartnerInput): Promise<Partner> {
    const fields = validatePartner(input);
    this.refuseDuplicateName(fields.name, null);
    const at = this.stamp();
    const partner: Partner = {
      id: this.partners.reduce((max, p) => Math.max(max, p.id), 0) + 1,
      ...fields,
      created_at: at,
      updated_at: at,
    };
    this.partners.push(partner);
    this.record('partner.created', 'partner', partner.id, null, partner, at);
    return clone(partner);
  }

  async updatePartner(id: PartnerId, input: PartnerInput): Promise<Partner> {
    const fields = validatePartner(input);
    const partner = this.partner(id);
    this.refuseDuplicateName(fields.name, id);
    const before = clone(partner);
    const at = this.stamp();
    Object.assign(partner, fields, { updated_at: at });
    this.record('partner.updated', 'partner', id, before, partner, at);
    return clone(partner);
  }

  async listDeals(filter: DealFilter): Promise<Deal[]> {
    return this.deals
      .filter((d) => filter.status === null || d.status === filter.status)
      .filter((d) => filter.partner_id === null || d.partner_id === filter.partner_id)
      .sort((a, b) => b.id - a.id)
      .map((d) => this.view(d));
  }

  async getDeal(id: DealId): Promise<Deal> {
    return this.view(this.deal(id));
  }

  async createDeal(input: DealInput): Promise<Deal> {
    const fields = validateDeal(input);
    this.requirePartner(fields.partner_id);
    return this.insertDeal(fields, null, 'deal.created');
  }

  async updateDeal(id: DealId, input: DealInput): Promise<Deal> {
    const fields = validateDeal(input);
    const deal = this.deal(id);
    if (!termsOpen(deal.status)) {
      throw {
        code: 'conflict',
        message: `deal ${id} is ${deal.status}: its terms are frozen once signed; renew it to agree new terms`,
        fields: [],
        lines: [],
      } satisfies ErrorBody;
    }
    this.requirePartner(fields.partner_id);
    const before = this.view(deal);
    const at = this.stamp();
    Object.assign(deal, fields, { updated_at: at });
    const after = this.view(deal);
    this.record('deal.updated', 'deal', id, before, after, at);
    return after;
  }

  async transitionDeal(id: DealId, to: DealStatus): Promise<Deal> {
    const deal = this.deal(id);
    if (!canMove(deal.status, to)) {
      const allowed = nextStatuses(deal.status);
      throw {
        code: 'illegal_transition',
        message:
          `deal ${id} cannot move from ${deal.status} to ${to}; from ${deal.status} it may move to: ` +
          (allowed.length === 0 ? 'nothing (it is final)' : allowed.join(', ')),
        fields: [],
        lines: [],
      } satisfies ErrorBody;
    }
    const before = this.view(deal);
    const at = this.stamp();
    deal.status = to;
    deal.updated_at = at;
    const after = this.view(deal);
    this.record('deal.transitioned', 'deal', id, before, after, at);
    return after;
  }

  async renewDeal(id: DealId, input: RenewInput): Promise<Deal> {
    const old = this.deal(id);
    if (old.status !== 'signed' && old.status !== 'active' && old.status !== 'expired') {
      throw {
        code: 'conflict',
        message: `deal ${id} is ${old.status}: only a signed, active or expired deal can be renewed`,
        fields: [],
        lines: [],
      } satisfies ErrorBody;
    }
    if (old.renewed_by !== null) {
      throw {
        code: 'conflict',
        message: `deal ${id} is already renewed by deal ${old.renewed_by}`,
        fields: [],
        lines: [],
      } satisfies ErrorBody;
    }
    const [defaultStart, defaultEnd] = nextTerm(old.start_date, old.end_date) as [string, string];
    const problems: FieldError[] = [];
    const startText = blank(input.start_date);
    const endText = blank(input.end_date);
    const start =
      startText === null ? defaultStart : parseDateField(problems, 'start_date', startText);
    const end = endText === null ? defaultEnd : parseDateField(problems, 'end_date', endText);
    checkOrder(problems, start, end);
    if (problems.length > 0) throw invalid(problems);
    const renewal = this.insertDeal(
      {
        partner_id: old.partner_id,
        title: old.title,
        purposes: [...old.purposes],
        start_date: start as string,
        end_date: end as string,
        territory: old.territory,
        exclusive: old.exclusive,
        retention_days: old.retention_days,
        withdrawal_days: old.withdrawal_days,
        attribution_required: old.attribution_required,
        sublicensing_allowed: old.sublicensing_allowed,
        notes: old.notes,
      },
      id,
      'deal.renewed',
    );
    old.renewed_by = renewal.id;
    return renewal;
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    return clone(
      this.audit
        .filter((e) => filter.entity === null || e.entity === filter.entity)
        .filter((e) => filter.entity_id === null || e.entity_id === filter.entity_id),
    );
  }

  async verifyAudit(): Promise<AuditReport> {
    const problems = this.audit.flatMap((e, i) => {
      const prev = i === 0 ? GENESIS : this.audit[i - 1].hash;
      return e.prev_hash === prev && e.seq === i + 1
        ? []
        : [{ seq: e.seq, message: `entry ${e.seq} does not follow the one before it` }];
    });
    return {
      ok: problems.length === 0,
      entries: this.audit.length,
      head_hash: this.audit.length > 0 ? this.audit[this.audit.length - 1].hash : null,
      problems,
    };
  }


  async importRegistry(path: string, options: ImportOptions): Promise<ImportReport> {
    const sample = registryRows();
    const report = this.importFile('registry', path, options, sample, REGISTRY_BAD_LINES, 14);
    this.registryLoaded = true;
    return report;
  }

  async importLedger(path: string, options: ImportOptions): Promise<ImportReport> {
    const report = this.importFile('ledger', path, options, LEDGER_EVENTS, LEDGER_BAD_LINES, 0);
    this.ledgerLoaded = true;
    return report;
  }

  async consentOverview(): Promise<ConsentOverview> {
    const byStatus: Record<string, number> = {};
    let users = 0;
    let optIn = 0;
    if (this.registryLoaded) {
      for (const [country, active, deleted, suspended] of SAMPLE_REGISTRY) {
        const n = active + deleted + suspended;
        users += n;
        if (this.policy.opt_in_countries.includes(country)) optIn += n;
        byStatus.active = (byStatus.active ?? 0) + active;
        byStatus.deleted = (byStatus.deleted ?? 0) + deleted;
        byStatus.suspended = (byStatus.suspended ?? 0) + suspended;
      }
    }
    const denied: Record<string, number> = {};
    const allowed: Record<string, number> = {};
    for (const [purpose, deny, allow] of SAMPLE_DECISIONS) {
      denied[purpose] = this.ledgerLoaded ? deny : 0;
      allowed[purpose] = this.ledgerLoaded ? allow : 0;
    }
    return clone({
      policy: this.policy,
      users,
      by_status: byStatus,
      opt_in_regime: optIn,
      opt_out_regime: users - optIn,
      events: this.ledgerLoaded ? LEDGER_EVENTS : 0,
      denied,
      allowed,
      imports: this.imports.slice(0, 10),
      gate: this.gateOverview(),
    });
  }

  async setPolicy(input: PolicyInput): Promise<Policy> {
    const after = applyPolicy(this.policy, input);
    const before = this.policy;
    this.policy = after;
    this.record('policy.changed', 'policy', after.version, before, after, this.stamp());
    return clone(after);
  }

  async previewSource(path: string, format: string | null): Promise<SourcePreview> {
    const source = path.trim();
    const resolved = resolveFormat(source, format);
    if (source === '' || source.includes('missing')) {
      throw invalid([{ field: 'source', message: `cannot read ${source}: No such file or directory (os error 2)` }]);
    }
    const first = resolved === 'csv' ? 2 : 1;
    return {
      format: resolved,
      bytes: SOURCE_BYTES,
      fields: [...PREVIEW_FIELDS],
      lines: PREVIEW_RECORDS.map((values, i) =>
        source.includes('bad') && i === 2
          ? {
              line: first + i,
              values: {},
              error:
                resolved === 'csv'
                  ? 'found record with 4 fields, but the previous record has 7 fields'
                  : 'not a JSON object: expected value at line 1 column 1',
            }
          : { line: first + i, values: { ...values }, error: null },
      ),
    };
  }

  async buildSnapshot(request: BuildRequest, onProgress: (progress: Progress) => void): Promise<Snapshot> {
    this.cancelRequested = false;
    const deal = this.deal(request.deal_id);
    const format = checkBuild(request);
    if (deal.status !== 'signed' && deal.status !== 'active') {
      throw {
        code: 'conflict',
        message: `deal_id: deal ${deal.id} is ${deal.status}: snapshots are built only for signed or active deals`,
        fields: [
          { field: 'deal_id', message: `deal ${deal.id} is ${deal.status}: snapshots are built only for signed or active deals` },
        ],
        lines: [],
      } satisfies ErrorBody;
    }
    const out = blank(request.out);
    if (out !== null) this.checkOut(out);
    const source = request.source.trim();
    const rejected = source.includes('bad') ? 1_850 : 3;
    const excluded: Record<string, number> = {
      rejected,
      duplicate_id: 12,
      after_cutoff: 1_204,
      outside_window: request.window_from || request.window_to ? 9_870 : 0,
      unknown_user: 57,
      account_status: 2_318,
      age_unknown: 1_466,
      minor: 3_105,
      no_consent: 11_920 + 1_500 * (deal.purposes.length - 1),
    };
    const heldBack = heldBackByGate(this.policy, request.as_of);
    excluded.no_consent += heldBack;
    const included = RECORDS_IN - Object.values(excluded).reduce((a, b) => a + b, 0);

    const started = Date.now();
    for (let tick = 1; tick <= this.buildTicks; tick++) {
      if (this.buildTickMs > 0) await new Promise((resolve) => setTimeout(resolve, this.buildTickMs));
      if (this.cancelRequested) {
        throw { code: 'cancelled', message: 'the build was cancelled; nothing was kept', fields: [], lines: [] } satisfies ErrorBody;
      }
      const share = tick / this.buildTicks;
      onProgress({
        bytes_read: Math.round(SOURCE_BYTES * share),
        bytes_total: SOURCE_BYTES,
        records: Math.round(RECORDS_IN * share),
        included: Math.round(included * share),
        elapsed_ms: Math.max(Date.now() - started, tick * this.buildTickMs),
      });
    }

    const maxPct = request.max_rejected_pct ?? 1;
    const rejectedLines: LineError[] = REJECTED_LINES.slice(0, Math.min(rejected, 100));
    if ((rejected / RECORDS_IN) * 100 > maxPct) {
      throw {
        code: 'invalid',
        message: `${source}: ${((rejected / RECORDS_IN) * 100).toFixed(2)}% of lines rejected, above the ${maxPct}% limit; not sealed`,
        fields: [],
        lines: rejectedLines,
      } satisfies ErrorBody;
    }

    const id = this.snapshots.reduce((max, x) => Math.max(max, x.snapshot_id), 0) + 1;
    const at = this.stamp();
    const snapshot: Snapshot = {
      snapshot_id: id,
      deal_id: deal.id,
      sealed: true,
      source,
      format,
      id_field: request.id_field.trim(),
      user_field: request.user_field.trim(),
      time_field: request.time_field.trim(),
      as_of: request.as_of.trim(),
      window_from: blank(request.window_from),
      window_to: blank(request.window_to),
      purposes: [...deal.purposes],
      policy_version: this.policy.version,
      out_dir: out ?? this.defaultOut(deal.id, id, at),
      records_in: RECORDS_IN,
      records_included: included,
      excluded,
      rejected,
      rejected_lines: rejectedLines,
      shards: shards(id, included, request.shard_bytes ?? 256 * 1024 * 1024),
      included_users: 688,
      included_users_sha256: fakeHash(`users:${id}`),
      ledger_sha256: fakeHash(`ledger:${this.ledgerLoaded}`),
      records_index_sha256: fakeHash(`index:${id}`),
      source_bytes: SOURCE_BYTES,
      duration_ms: Math.max(Date.now() - started, 1),
      held_back_by_gate: heldBack,
      created_at: at,
      sealed_at: at,
    };
    this.snapshots.push(snapshot);
    this.record('snapshot.sealed', 'snapshot', id, null, snapshot, at);
    return clone(snapshot);
  }

  async cancelBuild(): Promise<void> {
    this.cancelRequested = true;
  }

  async listSnapshots(dealId: DealId): Promise<Snapshot[]> {
    this.deal(dealId);
    return clone(this.snapshots.filter((x) => x.deal_id === dealId && x.sealed).sort((a, b) => b.snapshot_id - a.snapshot_id));
  }

  async getSnapshot(id: SnapshotId): Promise<Snapshot> {
    return clone(this.snapshot(id));
  }

  async verifySnapshot(id: SnapshotId): Promise<VerifyReport> {
    const snapshot = this.snapshot(id);
    const problems = snapshot.out_dir.includes('tampered')
      ? [`${snapshot.shards[0]?.file ?? 'part-00000.jsonl'}: SHA-256 differs from the sealed record`]
      : [];
    return { snapshot_id: id, ok: problems.length === 0, files_checked: snapshot.shards.length, problems };
  }

  async pickFile(_kind: PickKind): Promise<string | null> {
    // No native dialog in a browser or a test: as if the user cancelled it.
    return null;
  }

  // ---- internals -----------------------------------------------------------------

  private importFile(
    kind: 'registry' | 'ledger',
    path: string,
    options: ImportOptions,
    rows: number,
    badLines: LineError[],
    changedOnReimport: number,
  ): ImportReport {
    const file = path.trim();
    resolveFormat(file, options.format, 'format');
    if (file === '' || file.includes('missing')) {
      throw { code: 'io', message: `cannot read ${file}: No such file or directory (os error 2)`, fields: [], lines: [] } satisfies ErrorBody;
    }
    const bad = file.includes('bad') ? badLines : [];
    if (bad.length > 0 && !options.skip_invalid) {
      throw {
        code: 'invalid',
        message: `${file}: ${bad.length} bad line(s), nothing was written: ${bad.map((l) => `line ${l.line}: ${l.message}`).join('; ')}`,
        fields: [],
        lines: clone(bad),
      } satisfies ErrorBody;
    }
    const key = `${kind}:${file}`;
    const loaded = kind === 'registry' ? this.registryLoaded : this.ledgerLoaded;
    const again = this.importedFiles.has(key);
    this.importedFiles.add(key);
    const added = loaded ? 0 : rows;
    const changed = loaded && !again ? changedOnReimport : 0;
    const rowsRead = rows + bad.length;
    const durationMs = 40 + Math.round(rowsRead / 60);
    const id = this.imports.reduce((max, i) => Math.max(max, i.id), 0) + 1;
    const at = this.stamp();
    const report: ImportReport = {
      import_id: id,
      file,
      rows_read: rowsRead,
      added,
      changed,
      unchanged: rows - added - changed,
      skipped: bad.length,
      skipped_lines: clone(bad),
      duration_ms: durationMs,
      rows_per_second: Math.round(rowsRead / (durationMs / 1000)),
    };
    this.imports.unshift({ id, kind, file, rows_read: rowsRead, added, changed, skipped: bad.length, at, actor: this.actor });
    this.record(`${kind}.imported`, 'import', id, null, report, at);
    return clone(report);
  }

  /** The overview's gate, on the sample data (see the module docs). */
  private gateOverview(): GateOverview | null {
    const from = this.policy.opt_out_available_from;
    if (from === null) return null;
    // The sample registry has no birth dates: every active user counts as an adult.
    const optOutActive = this.registryLoaded
      ? SAMPLE_REGISTRY.filter(([country]) => !this.policy.opt_in_countries.includes(country)).reduce(
          (sum, [, active]) => sum + active,
          0,
        )
      : 0;
    const usersHeldBack: Record<string, number> = {};
    for (const p of PURPOSES) {
      // The sample ledger's decisions fall evenly over the registry, and whoever decided
      // on a narrower purpose of the chain also decided on its most decided one.
      const decided = this.ledgerLoaded ? Math.max(...chainOf(p.token).map(decisionsOn)) : 0;
      usersHeldBack[p.token] = Math.round(optOutActive * (1 - decided / registryRows()));
    }
    return {
      opt_out_available_from: from,
      notice_days: this.policy.notice_days,
      default_applies_from: addDays(from, this.policy.notice_days),
      users_held_back: usersHeldBack,
      records_held_back: this.snapshots.filter((x) => x.sealed).reduce((sum, x) => sum + x.held_back_by_gate, 0),
    };
  }

  /** The core's checks of an output folder: new or empty, and no other snapshot's. */
  private checkOut(out: string) {
    if (out.includes('not-empty')) {
      throw invalid([
        {
          field: 'out',
          message: `${out} is a folder that is not empty: give a new or empty folder (Consentry never writes into, or removes, what is already there)`,
        },
      ]);
    }
    const other = this.snapshots.find((x) => x.out_dir === out);
    if (other) {
      const message = `${out}: snapshot ${other.snapshot_id} was sealed there; give another folder`;
      throw { code: 'conflict', message: `out: ${message}`, fields: [{ field: 'out', message }], lines: [] } satisfies ErrorBody;
    }
  }

  private snapshot(id: SnapshotId): Snapshot {
    const snapshot = this.snapshots.find((x) => x.snapshot_id === id);
    if (!snapshot) {
      throw { code: 'not_found', message: `snapshot ${id} not found`, fields: [], lines: [] } satisfies ErrorBody;
    }
    return snapshot;
  }

  /** `<store file>.snapshots/deal-<id>/snapshot-<id>-<time>`, as the core names it. */
  private defaultOut(dealId: DealId, id: SnapshotId, at: string): string {
    const root = this.location === ':memory:' ? '/tmp/consentry-memory' : `${this.location}.snapshots`;
    return `${root}/deal-${dealId}/snapshot-${id}-${at.replace(/[^A-Za-z0-9]/g, '')}`;
  }

  private stamp(): string {
    // RFC 3339 UTC, seconds precision, as the core writes it.
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private partner(id: PartnerId): Partner {
    const partner = this.partners.find((p) => p.id === id);
    if (!partner) {
      throw { code: 'not_found', message: `partner ${id} not found`, fields: [], lines: [] } satisfies ErrorBody;
    }
    return partner;
  }

  private deal(id: DealId): StoredDeal {
    const deal = this.deals.find((d) => d.id === id);
    if (!deal) {
      throw { code: 'not_found', message: `deal ${id} not found`, fields: [], lines: [] } satisfies ErrorBody;
    }
    return deal;
  }

  private view(deal: StoredDeal): Deal {
    const partner = this.partners.find((p) => p.id === deal.partner_id);
    return clone({ ...deal, partner_name: partner?.name ?? '' });
  }

  private requirePartner(id: PartnerId) {
    if (!this.partners.some((p) => p.id === id)) {
      throw invalid([{ field: 'partner_id', message: `no partner with id ${id}` }]);
    }
  }

  private refuseDuplicateName(name: string, except: PartnerId | null) {
    const existing = this.partners.find((p) => p.name.toLowerCase() === name.toLowerCase());
    if (existing && existing.id !== except) {
      throw {
        code: 'conflict',
        message: `name: a partner named '${existing.name}' already exists (id ${existing.id})`,
        fields: [
          {
            field: 'name',
            message: `a partner named '${existing.name}' already exists (id ${existing.id})`,
          },
        ],
        lines: [],
      } satisfies ErrorBody;
    }
  }

  private insertDeal(fields: ValidDeal, renewedFrom: DealId | null, action: string): Deal {
    const at = this.stamp();
    const deal: StoredDeal = {
      id: this.deals.reduce((max, d) => Math.max(max, d.id), 0) + 1,
      ...fields,
      status: 'draft',
      renewed_from: renewedFrom,
      renewed_by: null,
      created_at: at,
      updated_at: at,
    };
    this.deals.push(deal);
    const view = this.view(deal);
    this.record(action, 'deal', deal.id, null, view, at);
    return view;
  }

  private record(
    action: string,
    entity: string,
    entityId: number,
    before: object | null,
    after: object | null,
    at: string,
  ) {
    const seq = this.audit.length + 1;
    const prev_hash =
      this.audit.length > 0 ? this.audit[this.audit.length - 1].hash : GENESIS;
    const b = before === null ? null : (clone(before) as JsonValue);
    const a = after === null ? null : (clone(after) as JsonValue);
    const hash = fakeHash(JSON.stringify([seq, at, this.actor, action, entity, entityId, b, a, prev_hash]));
    this.audit.push({
      seq,
      at,
      actor: this.actor,
      action,
      entity,
      entity_id: entityId,
      before: b,
      after: a,
      prev_hash,
      hash,
    });
  }
}

// ---- sample consent data and snapshot simulation ---------------------------------------

/** Country, then users by status: active, deleted, suspended. */
const SAMPLE_REGISTRY: readonly [string, number, number, number][] = [
  ['US', 391, 13, 8],
  ['DE', 131, 4, 3],
  ['IN', 160, 5, 3],
  ['GB', 115, 4, 2],
  ['BR', 91, 3, 2],
  ['FR', 84, 3, 1],
  ['CA', 70, 3, 1],
  ['NL', 45, 1, 1],
  ['ES', 39, 1, 1],
  ['JP', 38, 1, 1],
  ['SE', 24, 1, 0],
];

function registryRows(): number {
  return SAMPLE_REGISTRY.reduce((sum, [, a, d, s]) => sum + a + d + s, 0);
}

/** Purpose, then users whose latest decision is deny, and allow. */
const SAMPLE_DECISIONS: readonly [Purpose, number, number][] = [
  ['partner-sharing', 61, 402],
  ['ai-training', 142, 356],
  ['genai-training', 318, 288],
  ['ai-inference', 97, 311],
  ['search', 22, 530],
  ['data-mining', 75, 205],
];

const LEDGER_EVENTS = 4_812;

/** Users whose latest decision on `purpose` itself is deny or allow, in the sample ledger. */
function decisionsOn(purpose: Purpose): number {
  const row = SAMPLE_DECISIONS.find(([p]) => p === purpose);
  return row ? row[1] + row[2] : 0;
}

/** `purpose` and its ancestors, nearest first. */
function chainOf(purpose: Purpose): Purpose[] {
  const chain: Purpose[] = [];
  for (let p: Purpose | null = purpose; p !== null; p = purposeInfo(p).parent) chain.push(p);
  return chain;
}

/** The core's `PolicyInput::apply`: `current` with the fields `input` gives, as a new version. */
function applyPolicy(current: Policy, input: PolicyInput): Policy {
  const problems: FieldError[] = [];
  if (input.opt_in === null && input.opt_out_available_from === null && input.notice_days === null) {
    problems.push({
      field: 'opt_in',
      message: 'nothing to change: give the opt-in countries, the opt-out date or the notice days',
    });
  }
  const optIn = input.opt_in === null ? current.opt_in_countries : parseOptIn(problems, input.opt_in);
  // undefined: the date given is not one.
  let from: string | null | undefined = current.opt_out_available_from;
  const fromText = input.opt_out_available_from?.trim() ?? null;
  if (fromText !== null) {
    from = fromText.toLowerCase() === 'none' ? null : (parseDateField(problems, 'opt_out_available_from', fromText) ?? undefined);
  }
  const days = input.notice_days;
  if (days !== null && !(Number.isInteger(days) && days >= 0 && days <= 3650)) {
    problems.push({ field: 'notice_days', message: `${days} is not a notice period: give 0 to 3650 days` });
  }
  if (days !== null && from === null) {
    problems.push({ field: 'notice_days', message: 'a notice period applies only from an opt-out date: give that date too' });
  }
  if (problems.length > 0) throw invalid(problems);
  return {
    version: current.version + 1,
    opt_in_countries: [...(optIn as string[])],
    opt_out_available_from: from as string | null,
    notice_days: days ?? current.notice_days,
  };
}

/** `none`, or a non-empty list of country codes, sorted and de-duplicated. */
function parseOptIn(problems: FieldError[], text: string): string[] | null {
  if (text.trim().toLowerCase() === 'none') return [];
  const codes = new Set<string>();
  for (const part of text.split(',').map((c) => c.trim()).filter((c) => c !== '')) {
    const code = part.toUpperCase();
    if (!isCountryCode(code)) {
      problems.push({ field: 'opt_in', message: `'${part}' is not an ISO 3166-1 alpha-2 country code` });
      return null;
    }
    codes.add(code);
  }
  if (codes.size === 0) {
    problems.push({
      field: 'opt_in',
      message:
        "an empty list would make every country opt-out: give the opt-in country codes, or 'none' for a platform with no opt-in countries",
    });
    return null;
  }
  return [...codes].sort();
}

/**
 * Sample records that only the opt-out regime's default includes: under a gated policy
 * all of them are held back while the notice period runs at the cut-off `asOf`, and
 * after it those created before the opt-out date.
 */
const INCLUDED_BY_DEFAULT = 6_144;
const CREATED_BEFORE_OPT_OUT = 2_048;

function heldBackByGate(policy: Policy, asOf: string): number {
  if (policy.opt_out_available_from === null) return 0;
  const appliesFrom = parseDate(addDays(policy.opt_out_available_from, policy.notice_days) ?? '');
  const noticeOver = appliesFrom !== null && Date.parse(asOf) >= appliesFrom * 86_400_000;
  return noticeOver ? CREATED_BEFORE_OPT_OUT : INCLUDED_BY_DEFAULT;
}

const REGISTRY_BAD_LINES: LineError[] = [
  { line: 4, message: "birth_date: '1990-02-30' is not a date (YYYY-MM-DD)" },
  { line: 9, message: "country: 'XX' is not an ISO 3166-1 alpha-2 country code" },
  { line: 17, message: "status: unknown status 'banned' (active, deleted or suspended)" },
];

const LEDGER_BAD_LINES: LineError[] = [
  { line: 3, message: "purpose: unknown purpose 'ads'" },
  { line: 12, message: "effective_at: '2025-13-01T00:00:00Z' is not an RFC 3339 instant" },
];

const SOURCE_BYTES = 50_331_648;
const RECORDS_IN = 61_440;

const PREVIEW_FIELDS = ['id', 'author', 'created_utc', 'subreddit', 'title', 'body', 'score'] as const;

const PREVIEW_RECORDS: Record<string, string>[] = [
  ['t3_9x1a', 'maple_leaf', '1735689600', 'AskHistorians', 'Why did medieval bridges last?', 'Most surviving ones were overbuilt…', '412'],
  ['t3_9x1b', 'quiet_river', '1735693211', 'cooking', 'Cast iron after ten years', 'Season thin, cook often, never soak.', '88'],
  ['t3_9x1c', 'nordlicht', '1735696802', 'de', 'Bahnstreik nächste Woche?', 'Laut GDL ab Montag.', '19'],
  ['t3_9x1d', 'pixel_pusher', '1735700400', 'gamedev', 'Shipping my first game', 'Two years of evenings, finally done.', '1203'],
  ['t3_9x1e', 'ana_b', '1735704013', 'books', 'Long books worth it?', 'Middlemarch changed my mind.', '57'],
].map((row) => Object.fromEntries(PREVIEW_FIELDS.map((f, i) => [f, row[i]])));

const REJECTED_LINES: LineError[] = Array.from({ length: 100 }, (_, i) => ({
  line: 1_207 + i * 331,
  message: i % 3 === 0 ? 'created_utc: is empty' : i % 3 === 1 ? 'not a JSON object: EOF while parsing a string' : "created_utc: 'yesterday' is neither epoch seconds nor RFC 3339",
}));

function formatOf(path: string): FileFormat | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'jsonl' || ext === 'ndjson' || ext === 'json') return 'jsonl';
  return null;
}

/** The explicit format, else the one the file name implies; else an error on `field`. */
function resolveFormat(path: string, format: string | null, field = 'format'): FileFormat {
  const explicit = blank(format);
  if (explicit !== null) {
    if (explicit === 'csv' || explicit === 'jsonl') return explicit;
    throw invalid([{ field, message: `unknown format '${explicit}' (csv or jsonl)` }]);
  }
  const implied = formatOf(path);
  if (implied === null) {
    throw invalid([{ field, message: 'cannot tell the format from the file name: give jsonl or csv' }]);
  }
  return implied;
}

/** The core's checks of a build request, in its order; returns the format. */
function checkBuild(req: BuildRequest): FileFormat {
  const problems: FieldError[] = [];
  const source = req.source.trim();
  if (source === '') problems.push({ field: 'source', message: 'a source file is required' });
  else if (source.includes('missing')) problems.push({ field: 'source', message: `${source} is not a readable file` });
  let format: FileFormat | null = null;
  try {
    if (source !== '' || blank(req.format) !== null) format = resolveFormat(source, req.format);
  } catch (e) {
    problems.push(...(e as ErrorBody).fields);
  }
  for (const [field, value] of [
    ['id_field', req.id_field],
    ['user_field', req.user_field],
    ['time_field', req.time_field],
  ] as const) {
    if (value.trim() === '') problems.push({ field, message: 'a field name is required' });
  }
  if (!isInstant(req.as_of)) {
    problems.push({ field: 'as_of', message: `'${req.as_of.trim()}' is not an RFC 3339 instant` });
  }
  const from = blank(req.window_from);
  const to = blank(req.window_to);
  for (const [field, value] of [
    ['window_from', from],
    ['window_to', to],
  ] as const) {
    if (value !== null && parseDate(value) === null) {
      problems.push({ field, message: `'${value}' is not a date (YYYY-MM-DD)` });
    }
  }
  if (from && to && parseDate(from) !== null && parseDate(to) !== null && to < from) {
    problems.push({ field: 'window_to', message: `window end ${to} is before window start ${from}` });
  }
  if (req.shard_bytes !== null && req.shard_bytes < 1024) {
    problems.push({ field: 'shard_bytes', message: 'shards must be at least 1024 bytes' });
  }
  if (req.max_rejected_pct !== null && !(req.max_rejected_pct >= 0 && req.max_rejected_pct <= 100)) {
    problems.push({ field: 'max_rejected_pct', message: 'must be between 0 and 100' });
  }
  if (problems.length > 0) throw invalid(problems);
  return format as FileFormat;
}

/** The shards of `included` records of about 819 bytes each, at most `shardBytes` each. */
function shards(id: SnapshotId, included: number, shardBytes: number): Shard[] {
  const total = Math.round((included * SOURCE_BYTES) / RECORDS_IN);
  const count = Math.min(500, Math.max(1, Math.ceil(total / shardBytes)));
  return Array.from({ length: count }, (_, i) => {
    const records = Math.floor(included / count) + (i < included % count ? 1 : 0);
    return {
      file: `part-${String(i).padStart(5, '0')}.jsonl`,
      records,
      bytes: Math.round((records * SOURCE_BYTES) / RECORDS_IN),
      sha256: fakeHash(`shard:${id}:${i}`),
    };
  });
}
