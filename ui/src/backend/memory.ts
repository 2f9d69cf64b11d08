//! An in-memory `Backend` for unit tests and the browser preview. It follows the core's
//! rules closely enough that the UI cannot tell the difference in the cases it handles:
//! field-named validation errors, partner names unique ignoring case, the deal
//! lifecycle, frozen terms, renewals, and one audit entry per mutation. Failures are
//! thrown as `ErrorBody` values, exactly as the Tauri backend rejects.
//!
//! It is not a second implementation of the core: hashes are not SHA-256 and
//! `verifyAudit` only re-checks the links of its own chain.

import type {
  AuditEntry,
  AuditFilter,
  AuditReport,
  Deal,
  DealFilter,
  DealId,
  DealInput,
  DealStatus,
  ErrorBody,
  FieldError,
  JsonValue,
  Partner,
  PartnerId,
  PartnerInput,
  PartnerKind,
  Purpose,
  RenewInput,
  StoreInfo,
} from '../bindings';
import { isCountryCode, WORLD } from '../domain/country';
import { nextTerm, parseDate } from '../domain/dates';
import { canMove, nextStatuses, termsOpen } from '../domain/lifecycle';
import { PARTNER_KINDS } from '../domain/partnerKind';
import { canonicalPurposes, isPurpose } from '../domain/purpose';
import type { Backend } from './index';

export interface MemoryOptions {
  actor?: string;
  location?: string;
  /** The clock, for predictable audit times in tests. */
  now?: () => Date;
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
  if (problems.length > 0) throw invalid(problems);
  return {
    name,
    kind: kind as PartnerKind,
    country,
    contact: blank(input.contact),
    notes: (input.notes ?? '').trim(),
  };
}

function parseDateField(problems: FieldError[], field: string, text: string): string | null {
  const t = text.trim();
  if (t === '') {
    problems.push({ field, message: 'a date is required (YYYY-MM-DD)' });
    return null;
  }
  if (parseDate(t) === null) {
    problems.push({ field, message: `'${t}' is not a date (YYYY-MM-DD)` });
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
    attribution_required: input.attribution_required,
    sublicensing_allowed: input.sublicensing_allowed,
    notes: (input.notes ?? '').trim(),
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

  constructor(options: MemoryOptions = {}) {
    this.actor = options.actor ?? 'tester';
    this.location = options.location ?? ':memory:';
    this.now = options.now ?? (() => new Date());
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

  // ---- internals -----------------------------------------------------------------

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
