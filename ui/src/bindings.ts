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
 * The entry at fault, or the entry that vouches for the data at fault, when one
 * can be named.
 */
seq: number | null, 
/**
 * The table where the difference is: `audit_log` for the chain itself, else the
 * data table (`deals`, `consent_events`, `users`, ...).
 */
table?: string | null, 
/**
 * The row in that table (its id, or the user id), when one can be named.
 */
row?: string | null, 
/**
 * A sentence for people that names the table and row too.
 */
message: string, };

export type AuditReport = { 
/**
 * True when the chain is whole and every table it vouches for matches it.
 */
ok: boolean, entries: number, 
/**
 * The hash of the newest entry: keep it elsewhere to detect a rewritten chain.
 */
head_hash: string | null, 
/**
 * The seq of the newest entry; with `head_hash`, what `--expect-head` takes.
 */
head_seq?: number | null, 
/**
 * Chain problems first, then differences in the data.
 */
problems: Array<AuditProblem>, };

export type AuditHead = { seq: number, hash: string, };

export type StoreInfo = { location: string, schema_version: number, actor: string, };

export type Policy = { version: number, opt_in_countries: Array<string>, 
/**
 * The day the opt-out setting reached users (UTC), if sharing began before it.
 */
opt_out_available_from: string | null, 
/**
 * Days of notice after `opt_out_available_from` before the default applies.
 */
notice_days: number, };

export type FileFormat = "csv" | "jsonl";

export type ImportOptions = { 
/**
 * Import the good rows of a file that has bad ones, and report the bad ones.
 */
skip_invalid: boolean, 
/**
 * Override the format that the extension implies.
 */
format: FileFormat | null, };

export type ImportReport = { import_id: number, file: string, rows_read: number, 
/**
 * New users or new events.
 */
added: number, 
/**
 * Registry rows that changed a known user.
 */
changed: number, 
/**
 * Rows already known exactly as they are.
 */
unchanged: number, skipped: number, 
/**
 * The first skipped lines, with why.
 */
skipped_lines: Array<LineError>, duration_ms: number, rows_per_second: number, 
/**
 * SHA-256 of what the import left, computed at its end inside its transaction: for
 * a registry import the whole `users` table (rows in user-id order), for a ledger
 * import the identities of the events it added (in id order). Recorded in the
 * import's audit entry, recomputed by `audit verify`. `None` in entries written
 * before Consentry recorded it: such an import's data is not checked this way,
 * which is not a failure.
 */
content_sha256?: string | null, 
/**
 * A 2 KiB hex sketch of the same rows that lets `audit verify` name the rows that
 * differ (see `integrity::digest`); `None` where `content_sha256` is.
 */
content_sketch?: string | null, 
/**
 * For a registry import, SHA-256 of the `user_changes` rows it recorded (the
 * history withdrawal notices read), in id order; its sketch beside it. `None` for a
 * ledger import and in older entries.
 */
changes_sha256?: string | null, changes_sketch?: string | null, };

export type ImportSummary = { id: number, kind: string, file: string, rows_read: number, added: number, changed: number, skipped: number, at: string, actor: string, };

export type ConsentOverview = { policy: Policy, users: number, 
/**
 * active, deleted, suspended
 */
by_status: { [key in string]: number }, 
/**
 * Registry users in opt-in countries (consent needed) and elsewhere.
 */
opt_in_regime: number, opt_out_regime: number, events: number, 
/**
 * Per purpose: users whose latest decision, as of now, is deny / allow.
 */
denied: { [key in string]: number }, allowed: { [key in string]: number }, imports: Array<ImportSummary>, 
/**
 * The current policy's opt-out gate and what it holds back, when it has one.
 */
gate: GateOverview | null, };

export type GateOverview = { opt_out_available_from: string, notice_days: number, 
/**
 * The first day the regime default includes anyone; `None`: never.
 */
default_applies_from: string | null, 
/**
 * Per purpose: registry users whom, as of now, only the regime default would
 * include. While the notice period runs they are held back entirely; after it,
 * their records created before the opt-out date are.
 */
users_held_back: { [key in string]: number }, 
/**
 * Records held back by the gate, summed over the sealed snapshots.
 */
records_held_back: number, };

export type PolicyInput = { 
/**
 * Comma-separated ISO 3166-1 alpha-2 codes, or `none` for a platform with no
 * opt-in countries. Blank is refused: it would silently drop every protection.
 */
opt_in: string | null, 
/**
 * `YYYY-MM-DD`: the day the opt-out setting reached users; `none` removes the gate.
 */
opt_out_available_from: string | null, 
/**
 * Days of notice after that day before the regime default applies (default 30).
 */
notice_days: number | null, };

export type SnapshotId = number;

export type BuildRequest = { deal_id: DealId, source: string, 
/**
 * `jsonl` or `csv`; default: from the file name.
 */
format: string | null, id_field: string, user_field: string, time_field: string, 
/**
 * The cut-off instant `T`, RFC 3339.
 */
as_of: string, 
/**
 * First day of the content window (inclusive, UTC), if any.
 */
window_from: string | null, 
/**
 * Last day of the content window (inclusive, UTC), if any.
 */
window_to: string | null, shard_bytes: number | null, 
/**
 * The folder to create for the snapshot: new or empty. Default:
 * `<store file>.snapshots/deal-<id>/snapshot-<id>-<time>` beside the store.
 */
out: string | null, 
/**
 * Fail without sealing when more than this percentage of lines are rejected.
 */
max_rejected_pct: number | null, };

export type Progress = { bytes_read: number, bytes_total: number, records: number, included: number, elapsed_ms: number, };

export type Shard = { file: string, records: number, bytes: number, sha256: string, };

export type Snapshot = { snapshot_id: SnapshotId, deal_id: DealId, sealed: boolean, source: string, format: string, id_field: string, user_field: string, time_field: string, as_of: string, window_from: string | null, window_to: string | null, purposes: Array<Purpose>, policy_version: number, out_dir: string, records_in: number, records_included: number, 
/**
 * Every exclusion reason with its count (zero included).
 */
excluded: { [key in string]: number }, rejected: number, 
/**
 * The first rejected lines, with why.
 */
rejected_lines: Array<LineError>, shards: Array<Shard>, included_users: number, included_users_sha256: string, ledger_sha256: string, records_index_sha256: string, source_bytes: number, duration_ms: number, 
/**
 * Records excluded as `no_consent` only because of the policy's opt-out gate
 * (included by the regime default otherwise).
 */
held_back_by_gate: number, created_at: string, sealed_at: string | null, };

export type VerifyReport = { snapshot_id: SnapshotId, ok: boolean, files_checked: number, problems: Array<string>, };

export type SourcePreview = { format: string, bytes: number, 
/**
 * Field names seen in the first lines (the CSV header, or the JSON keys).
 */
fields: Array<string>, lines: Array<PreviewLine>, };

export type PreviewLine = { line: number, 
/**
 * Each field's value as text (strings as they are, other values as JSON), cut to
 * 200 characters; empty when the line does not parse.
 */
values: { [key in string]: string }, 
/**
 * Why the line does not parse, if it does not.
 */
error: string | null, };

/** The moves each deal status allows, in the order the UI offers them. */
export const DEAL_LIFECYCLE: Record<DealStatus, DealStatus[]> = {"draft":["negotiating","terminated"],"negotiating":["signed","terminated"],"signed":["active","terminated"],"active":["expired","terminated"],"expired":[],"terminated":[]};

/** The purposes in canonical order, with their parent and vocabulary tokens. */
export const PURPOSE_TABLE: Array<{ token: Purpose; parent: Purpose | null; cawg: string | null; aipref: string | null }> = [{"token":"partner-sharing","parent":null,"cawg":null,"aipref":null},{"token":"ai-training","parent":"partner-sharing","cawg":"cawg.ai_training","aipref":null},{"token":"genai-training","parent":"ai-training","cawg":"cawg.ai_generative_training","aipref":"train-ai"},{"token":"ai-inference","parent":"partner-sharing","cawg":"cawg.ai_inference","aipref":"ai-use"},{"token":"search","parent":"partner-sharing","cawg":null,"aipref":"search"},{"token":"data-mining","parent":"partner-sharing","cawg":"cawg.data_mining","aipref":null}];

/** Every ISO 3166-1 alpha-2 code the core accepts, sorted. */
export const COUNTRY_CODES: string[] = ["AD","AE","AF","AG","AI","AL","AM","AO","AQ","AR","AS","AT","AU","AW","AX","AZ","BA","BB","BD","BE","BF","BG","BH","BI","BJ","BL","BM","BN","BO","BQ","BR","BS","BT","BV","BW","BY","BZ","CA","CC","CD","CF","CG","CH","CI","CK","CL","CM","CN","CO","CR","CU","CV","CW","CX","CY","CZ","DE","DJ","DK","DM","DO","DZ","EC","EE","EG","EH","ER","ES","ET","FI","FJ","FK","FM","FO","FR","GA","GB","GD","GE","GF","GG","GH","GI","GL","GM","GN","GP","GQ","GR","GS","GT","GU","GW","GY","HK","HM","HN","HR","HT","HU","ID","IE","IL","IM","IN","IO","IQ","IR","IS","IT","JE","JM","JO","JP","KE","KG","KH","KI","KM","KN","KP","KR","KW","KY","KZ","LA","LB","LC","LI","LK","LR","LS","LT","LU","LV","LY","MA","MC","MD","ME","MF","MG","MH","MK","ML","MM","MN","MO","MP","MQ","MR","MS","MT","MU","MV","MW","MX","MY","MZ","NA","NC","NE","NF","NG","NI","NL","NO","NP","NR","NU","NZ","OM","PA","PE","PF","PG","PH","PK","PL","PM","PN","PR","PS","PT","PW","PY","QA","RE","RO","RS","RU","RW","SA","SB","SC","SD","SE","SG","SH","SI","SJ","SK","SL","SM","SN","SO","SR","SS","ST","SV","SX","SY","SZ","TC","TD","TF","TG","TH","TJ","TK","TL","TM","TN","TO","TR","TT","TV","TW","TZ","UA","UG","UM","US","UY","UZ","VA","VC","VE","VG","VI","VN","VU","WF","WS","YE","YT","ZA","ZM","ZW"];

/** The opt-in countries of the built-in policy (version 1). */
export const DEFAULT_OPT_IN: string[] = ["AT","BE","BG","CH","CY","CZ","DE","DK","EE","ES","FI","FR","GB","GR","HR","HU","IE","IS","IT","LI","LT","LU","LV","MT","NL","NO","PL","PT","RO","SE","SI","SK"];
