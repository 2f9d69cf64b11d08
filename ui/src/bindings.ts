// Generated from the Rust core by `make bindings` (src/bindings.rs). Do not edit.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type ErrorCode = "invalid" | "not_found" | "conflict" | "illegal_transition" | "schema_too_new" | "store" | "io" | "cancelled";

export type FieldError = { field: string, message: string, };

export type LineError = { line: number, message: string, };

export type ErrorBody = { code: ErrorCode, message: string, fields: Array<FieldError>, 
/**
 * For a refused file: its bad lines (the first 100).
 */
lines: Array<LineError>, };

export type Purpose = "partner-sharing" | "ai-training" | "genai-training" | "ai-inference" | "search" | "data-mining";

export type PartnerId = number;

export type PartnerKind = "ai-lab" | "search-engine" | "research" | "other";

export type Partner = { id: PartnerId, name: string, kind: PartnerKind, 
/**
 * ISO 3166-1 alpha-2, upper case.
 */
country: string | null, contact: string | null, notes: string, created_at: string, updated_at: string, };

export type PartnerInput = { name: string, 
/**
 * One of ai-lab, search-engine, research, other.
 */
kind: string, country: string | null, contact: string | null, notes: string | null, };

export type DealId = number;

export type DealStatus = "draft" | "negotiating" | "signed" | "active" | "expired" | "terminated";

export type Deal = { id: DealId, partner_id: PartnerId, partner_name: string, title: string, purposes: Array<Purpose>, start_date: string, 
/**
 * Inclusive: the term covers this day.
 */
end_date: string, 
/**
 * `WORLD` or comma-separated ISO 3166-1 alpha-2 codes.
 */
territory: string, exclusive: boolean, 
/**
 * How many days the partner may keep delivered data; `None` means the contract
 * sets no limit.
 */
retention_days: number | null, attribution_required: boolean, sublicensing_allowed: boolean, notes: string, status: DealStatus, 
/**
 * The deal this one renews.
 */
renewed_from: DealId | null, 
/**
 * The deal that renews this one.
 */
renewed_by: DealId | null, created_at: string, updated_at: string, };

export type DealInput = { partner_id: PartnerId, title: string, purposes: Array<Purpose>, start_date: string, end_date: string, 
/**
 * `WORLD` or comma-separated country codes such as `US,CA`.
 */
territory: string, exclusive: boolean, retention_days: number | null, attribution_required: boolean, sublicensing_allowed: boolean, notes: string | null, };

export type DealFilter = { status: DealStatus | null, partner_id: PartnerId | null, };

export type RenewInput = { start_date: string | null, end_date: string | null, };

export type AuditEntry = { 
/**
 * Position in the chain, from 1 with no gaps.
 */
seq: number, 
/**
 * RFC 3339 UTC instant of the transaction.
 */
at: string, actor: string, 
/**
 * e.g. `deal.transitioned`.
 */
action: string, 
/**
 * `partner` or `deal`.
 */
entity: string, entity_id: number, before: JsonValue | null, after: JsonValue | null, prev_hash: string, hash: string, };

export type AuditFilter = { entity: string | null, entity_id: number | null, };

export type AuditProblem = { 
/**
 * The entry at fault, when one can be named.
 */
seq: number | null, message: string, };

export type AuditReport = { ok: boolean, entries: number, 
/**
 * The hash of the newest entry: keep it elsewhere to detect a rewritten chain.
 */
head_hash: string | null, problems: Array<AuditProblem>, };

export type StoreInfo = { location: string, schema_version: number, actor: string, };
