// Generated from the Rust core by `make bindings` (src/bindings.rs). Do not edit.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type ErrorCode = "invalid" | "not_found" | "conflict" | "illegal_transition" | "schema_too_new" | "store" | "io" | "cancelled" | "unreachable";

export type FieldError = { 
/**
 * The request struct's field name, e.g. `end_date`.
 */
field: string, 
/**
 * What is wrong with it, for a person to read.
 */
message: string, };

export type LineError = { 
/**
 * 1-based line number in the file.
 */
line: number, 
/**
 * What is wrong with that line, for a person to read.
 */
message: string, };

export type ErrorBody = { 
/**
 * What a caller may branch on.
 */
code: ErrorCode, 
/**
 * The whole error in one sentence, for a person to read.
 */
message: string, 
/**
 * The request fields it is about, for inline display in forms; empty if none.
 */
fields: Array<FieldError>, 
/**
 * For a refused file: its bad lines (the first 100).
 */
lines: Array<LineError>, 
/**
 * For a refused file: how many lines were bad in all (`lines` lists the first
 * 100). Absent from other errors.
 */
lines_total?: number, 
/**
 * For a refused import: how many rows the file has, good and bad; equal to
 * `lines_total` when every row is bad. Absent from other errors.
 */
rows_read?: number, };

export type Purpose = "partner-sharing" | "ai-training" | "genai-training" | "ai-inference" | "search" | "data-mining";

export type PartnerId = number;

export type PartnerKind = "ai-lab" | "search-engine" | "research" | "other";

export type Partner = { 
/**
 * Assigned by the store when the partner is added; what other commands name it by.
 */
id: PartnerId, 
/**
 * Unique among partners ignoring letter case; one line, at most 200 characters.
 */
name: string, 
/**
 * What kind of company it is.
 */
kind: PartnerKind, 
/**
 * ISO 3166-1 alpha-2, upper case.
 */
country: string | null, 
/**
 * Who to reach at the partner (a name, an e-mail address), one line; `None` if not given.
 */
contact: string | null, 
/**
 * Free text; may hold line breaks and tabs; empty if none.
 */
notes: string, 
/**
 * When the partner was added, RFC 3339 UTC with milliseconds.
 */
created_at: string, 
/**
 * When the partner last changed, RFC 3339 UTC with milliseconds.
 */
updated_at: string, };

export type PartnerInput = { 
/**
 * Required, at most 200 characters, one line; trimmed. Must not match another
 * partner's name, ignoring letter case.
 */
name: string, 
/**
 * One of ai-lab, search-engine, research, other.
 */
kind: string, 
/**
 * Where the partner is based: an ISO 3166-1 alpha-2 code in any letter case; blank or
 * `None`: not given.
 */
country: string | null, 
/**
 * Who to reach at the partner, one line; blank or `None`: not given.
 */
contact: string | null, 
/**
 * Free text; line breaks and tabs allowed, no other control characters.
 */
notes: string | null, };

export type DealId = number;

export type DealStatus = "draft" | "negotiating" | "signed" | "active" | "expired" | "terminated";

export type Deal = { 
/**
 * Assigned by the store when the deal is created; what other commands name it by.
 */
id: DealId, 
/**
 * The partner the deal is with.
 */
partner_id: PartnerId, 
/**
 * That partner's current name (read from the partner, not part of the terms).
 */
partner_name: string, 
/**
 * The deal's title, one line.
 */
title: string, 
/**
 * What the deal permits; non-empty, canonical order, no repeats.
 */
purposes: Array<Purpose>, 
/**
 * First day of the term.
 */
start_date: string, 
/**
 * Inclusive: the term covers this day.
 */
end_date: string, 
/**
 * `WORLD` or comma-separated ISO 3166-1 alpha-2 codes.
 */
territory: string, 
/**
 * Whether the partner has exclusive rights to the data.
 */
exclusive: boolean, 
/**
 * How many days the partner may keep delivered data; `None` means the contract
 * sets no limit.
 */
retention_days: number | null, 
/**
 * How many days the partner has to act on a withdrawal notice (its due date).
 */
withdrawal_days: number, 
/**
 * Whether the partner must credit the platform when using the data.
 */
attribution_required: boolean, 
/**
 * Whether the partner may license the data on to third parties.
 */
sublicensing_allowed: boolean, 
/**
 * Free text; may hold line breaks and tabs; empty if none.
 */
notes: string, 
/**
 * Where the deal is in its lifecycle.
 */
status: DealStatus, 
/**
 * The deal this one renews.
 */
renewed_from: DealId | null, 
/**
 * The deal that renews this one.
 */
renewed_by: DealId | null, 
/**
 * When the deal was created, RFC 3339 UTC with milliseconds.
 */
created_at: string, 
/**
 * When the deal's terms or status last changed, RFC 3339 UTC with milliseconds.
 */
updated_at: string, };

export type DealInput = { 
/**
 * The partner the deal is with; it must exist.
 */
partner_id: PartnerId, 
/**
 * Required, one line, at most 300 characters; trimmed.
 */
title: string, 
/**
 * At least one; order and repeats do not matter.
 */
purposes: Array<Purpose>, 
/**
 * First day of the term, `YYYY-MM-DD`.
 */
start_date: string, 
/**
 * Last day of the term, inclusive, `YYYY-MM-DD`; not before `start_date`.
 */
end_date: string, 
/**
 * `WORLD` or comma-separated country codes such as `US,CA`.
 */
territory: string, 
/**
 * Whether the partner has exclusive rights to the data; default `false`.
 */
exclusive: boolean, 
/**
 * How many days (at least 1) the partner may keep delivered data; `None`: the
 * contract sets no limit.
 */
retention_days: number | null, 
/**
 * Days the partner has to act on a withdrawal notice, 1 to 3650; `None`: the
 * default, [`DEFAULT_WITHDRAWAL_DAYS`].
 */
withdrawal_days: number | null, 
/**
 * Whether the partner must credit the platform; default `false`.
 */
attribution_required: boolean, 
/**
 * Whether the partner may license the data on to third parties; default `false`.
 */
sublicensing_allowed: boolean, 
/**
 * Free text; line breaks and tabs allowed, no other control characters.
 */
notes: string | null, };

export type DealFilter = { 
/**
 * Only deals in this state.
 */
status: DealStatus | null, 
/**
 * Only deals with this partner.
 */
partner_id: PartnerId | null, };

export type RenewInput = { 
/**
 * First day of the renewal's term, `YYYY-MM-DD`; blank: the day after the old term ends.
 */
start_date: string | null, 
/**
 * Last day of the renewal's term, inclusive, `YYYY-MM-DD`; blank: as long as the old term.
 */
end_date: string | null, };

export type AuditEntry = { 
/**
 * Position in the chain, from 1 with no gaps.
 */
seq: number, 
/**
 * RFC 3339 UTC instant of the transaction.
 */
at: string, 
/**
 * Who made the change: `--actor`, else `$CONSENTRY_ACTOR`, else the OS login name;
 * not authenticated.
 */
actor: string, 
/**
 * e.g. `deal.transitioned`.
 */
action: string, 
/**
 * What the entry is about: `partner`, `deal`, `import`, `policy` or `snapshot`.
 */
entity: string, 
/**
 * The id of that entity: a partner, deal, import or snapshot id, or a policy version.
 */
entity_id: number, 
/**
 * The entity as it was before, as JSON; `None` when the entry created it (a new
 * partner, deal or renewal, an import, a seal).
 */
before: JsonValue | null, 
/**
 * The entity as it is after, as JSON (for an import, its report).
 */
after: JsonValue | null, 
/**
 * The `hash` of the entry before this one; 64 zeros ([`GENESIS`]) for the first.
 */
prev_hash: string, 
/**
 * SHA-256, hex, of this entry's content and `prev_hash`.
 */
hash: string, };

export type AuditFilter = { 
/**
 * Only entries about this kind of entity: `partner`, `deal`, `import`, `policy` or
 * `snapshot`.
 */
entity: string | null, 
/**
 * Only entries about the entity with this id (a policy's is its version).
 */
entity_id: number | null, 
/**
 * Only entries about this deal and what belongs to it: the deal, its fee schedule,
 * snapshots, deliveries and their push receipts, withdrawal notices, invoices, and
 * the invoices' payments and credit notes (a deal's History).
 */
deal_id?: number | null, };

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
ok: boolean, 
/**
 * How many entries the log holds.
 */
entries: number, 
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

export type AuditHead = { 
/**
 * The entry's position in the chain; 0 (with [`GENESIS`]) stands for an empty log.
 */
seq: number, 
/**
 * The entry's hash: 64 lower-case hex digits.
 */
hash: string, };

export type StoreInfo = { 
/**
 * The store file's path, or `:memory:`.
 */
location: string, 
/**
 * The schema version this build writes ([`SCHEMA_VERSION`]); the store has been
 * migrated to it.
 */
schema_version: number, 
/**
 * Who the audit log names for this session's changes.
 */
actor: string, };

export type Policy = { 
/**
 * The version number: 1 for the default the store starts with, one more per change.
 */
version: number, 
/**
 * The opt-in countries, ISO 3166-1 alpha-2 codes, sorted; empty for a platform with
 * none. Users of every other country are in the opt-out regime.
 */
opt_in_countries: Array<string>, 
/**
 * The day the opt-out setting reached users (UTC), if sharing began before it.
 */
opt_out_available_from: string | null, 
/**
 * Days of notice after `opt_out_available_from` before the default applies.
 */
notice_days: number, };

export type FileFormat = "csv" | "jsonl";

export type Compression = "none" | "gzip" | "zstd";

export type ImportOptions = { 
/**
 * Import the good rows of a file that has bad ones, and report the bad ones.
 */
skip_invalid: boolean, 
/**
 * Override the format that the extension implies.
 */
format: FileFormat | null, };

export type ImportReport = { 
/**
 * The import's id: the entity id of its audit entry.
 */
import_id: number, 
/**
 * The imported file's path, as given.
 */
file: string, 
/**
 * Data rows read (header excluded), good and bad.
 */
rows_read: number, 
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
unchanged: number, 
/**
 * Bad rows left out under `skip_invalid`; 0 otherwise (a bad row refuses the file).
 */
skipped: number, 
/**
 * The first skipped lines, with why.
 */
skipped_lines: Array<LineError>, 
/**
 * Wall-clock time of the import, in milliseconds, reading and writing.
 */
duration_ms: number, 
/**
 * `rows_read` per second of `duration_ms`, rounded down.
 */
rows_per_second: number, 
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
changes_sha256?: string | null, 
/**
 * The 2 KiB hex sketch of the same `user_changes` rows (see `content_sketch`); `None`
 * where `changes_sha256` is.
 */
changes_sketch?: string | null, };

export type ImportSummary = { 
/**
 * The import's id: the entity id of its audit entry.
 */
id: number, 
/**
 * `registry` or `ledger`.
 */
kind: string, 
/**
 * The imported file's path, as given.
 */
file: string, 
/**
 * Data rows read, good and bad.
 */
rows_read: number, 
/**
 * New users or new events.
 */
added: number, 
/**
 * Registry rows that changed a known user; 0 for a ledger import.
 */
changed: number, 
/**
 * Bad rows left out under `skip_invalid`.
 */
skipped: number, 
/**
 * When the import ran (its transaction), RFC 3339 UTC with milliseconds.
 */
at: string, 
/**
 * Who ran it, as the audit log names them.
 */
actor: string, };

export type ImportKind = "registry" | "ledger";

export type ImportPhase = "reading" | "checking" | "writing";

export type ImportProgress = { 
/**
 * What the import is doing.
 */
phase: ImportPhase, 
/**
 * Bytes of the file read so far; equal to `bytes_total` once it is all read.
 */
bytes_read: number, 
/**
 * The file's size in bytes when the import opened it; 0 when it has none (a pipe).
 */
bytes_total: number, 
/**
 * Data rows read so far (header excluded), good and bad.
 */
rows_read: number, 
/**
 * Of those, the bad ones.
 */
bad_rows: number, 
/**
 * Rows written so far, while `writing`; the good rows (`rows_read - bad_rows`) in
 * all.
 */
rows_written: number, };

export type ConsentOverview = { 
/**
 * The consent policy in force: its latest version.
 */
policy: Policy, 
/**
 * Users in the registry, whatever their status.
 */
users: number, 
/**
 * active, deleted, suspended
 */
by_status: { [key in string]: number }, 
/**
 * Registry users in opt-in countries (consent needed) and elsewhere.
 */
opt_in_regime: number, 
/**
 * Registry users in every other country: included by default unless they opt out.
 */
opt_out_regime: number, 
/**
 * Ledger events stored, whatever their effective time.
 */
events: number, 
/**
 * Per purpose: users whose latest decision, as of now, is deny / allow.
 */
denied: { [key in string]: number }, 
/**
 * Per purpose: users whose latest decision, as of now, is allow; every purpose is
 * listed, with 0 if none.
 */
allowed: { [key in string]: number }, 
/**
 * The ten most recent imports, newest first.
 */
imports: Array<ImportSummary>, 
/**
 * The current policy's opt-out gate and what it holds back, when it has one.
 */
gate: GateOverview | null, };

export type GateOverview = { 
/**
 * The day the opt-out setting reached users (UTC).
 */
opt_out_available_from: string, 
/**
 * Days of notice after that day before the regime default includes anyone.
 */
notice_days: number, 
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

export type BuildRequest = { 
/**
 * The deal to build for; it must be signed or active.
 */
deal_id: DealId, 
/**
 * Path of the source file: one record per line, JSONL or CSV with a header; plain,
 * or gzip- or zstd-compressed (told by its first bytes).
 */
source: string, 
/**
 * `jsonl` or `csv`; default: from the file name (under any `.gz` or `.zst`).
 */
format: string | null, 
/**
 * The source field holding each record's id; a repeated id is excluded as `duplicate_id`.
 */
id_field: string, 
/**
 * The source field holding each record's author: a user id of the registry.
 */
user_field: string, 
/**
 * The source field holding each record's creation time: epoch seconds or RFC 3339.
 */
time_field: string, 
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
window_to: string | null, 
/**
 * The size a shard may reach, in bytes: at least 1024, default 256 MiB. A record
 * larger than that has a shard of its own.
 */
shard_bytes: number | null, 
/**
 * The folder to create for the snapshot: new or empty. Default:
 * `<store file>.snapshots/deal-<id>/snapshot-<id>-<time>` beside the store.
 */
out: string | null, 
/**
 * Fail without sealing when more than this percentage of lines are rejected.
 */
max_rejected_pct: number | null, };

export type Progress = { 
/**
 * Bytes of the source file read so far: of the file as given, so compressed bytes
 * for a compressed source (its text is larger; the time left is in proportion).
 */
bytes_read: number, 
/**
 * Size of the source file in bytes, as given (compressed, when it is).
 */
bytes_total: number, 
/**
 * Records read so far, rejected lines included.
 */
records: number, 
/**
 * Records written to the shards so far.
 */
included: number, 
/**
 * Milliseconds since the build started.
 */
elapsed_ms: number, };

export type Shard = { 
/**
 * The file's name in the snapshot folder, e.g. `part-00000.jsonl`.
 */
file: string, 
/**
 * How many records it holds (a CSV shard's header line is not one).
 */
records: number, 
/**
 * Its size in bytes (a CSV shard's header line included).
 */
bytes: number, 
/**
 * Hex SHA-256 of its content.
 */
sha256: string, };

export type Snapshot = { 
/**
 * Assigned when the build starts; what `snapshot show` and `snapshot verify` take.
 */
snapshot_id: SnapshotId, 
/**
 * The deal the snapshot is for.
 */
deal_id: DealId, 
/**
 * Whether the build finished and sealed the row; `false` while it builds (or after a
 * crash, until the leftovers are cleaned).
 */
sealed: boolean, 
/**
 * The source file's absolute path, as read (symbolic links resolved).
 */
source: string, 
/**
 * The source's format: `jsonl` or `csv`.
 */
format: string, 
/**
 * The source field holding each record's id.
 */
id_field: string, 
/**
 * The source field holding each record's author.
 */
user_field: string, 
/**
 * The source field holding each record's creation time.
 */
time_field: string, 
/**
 * The cut-off instant `T`, RFC 3339 UTC with microseconds.
 */
as_of: string, 
/**
 * First day of the content window, `YYYY-MM-DD`, from 00:00 UTC; `None`: no lower
 * bound.
 */
window_from: string | null, 
/**
 * Last day of the content window, `YYYY-MM-DD`, inclusive to the end of that day UTC;
 * `None`: no upper bound.
 */
window_to: string | null, 
/**
 * The deal's permitted purposes when the build started: every included author
 * consented to all of them.
 */
purposes: Array<Purpose>, 
/**
 * The version of the consent policy the build applied.
 */
policy_version: number, 
/**
 * The snapshot's folder, absolute: the shards and `records.jsonl`.
 */
out_dir: string, 
/**
 * Records read from the source, rejected lines included (blank lines are not records).
 */
records_in: number, 
/**
 * Records written to the shards.
 */
records_included: number, 
/**
 * Every exclusion reason with its count (zero included).
 */
excluded: { [key in string]: number }, 
/**
 * Lines rejected as malformed: `excluded["rejected"]`.
 */
rejected: number, 
/**
 * The first rejected lines, with why.
 */
rejected_lines: Array<LineError>, 
/**
 * The shard files, in source order.
 */
shards: Array<Shard>, 
/**
 * How many distinct authors have at least one included record.
 */
included_users: number, 
/**
 * Hex SHA-256 of the included authors' ids, sorted, each followed by `\n`; empty
 * until sealed.
 */
included_users_sha256: string, 
/**
 * Hex SHA-256 of the identities of the ledger events effective at `T` that the build
 * considered, in user id then identity order; empty until sealed.
 */
ledger_sha256: string, 
/**
 * Hex SHA-256 of `records.jsonl` (see [`RECORDS_INDEX`]); empty until sealed.
 */
records_index_sha256: string, 
/**
 * Size of the source's text in bytes, as the build read it: decompressed, when the
 * source is compressed.
 */
source_bytes: number, 
/**
 * How the source file was compressed (`none`, `gzip`, `zstd`), from its first bytes.
 */
source_compression: Compression, 
/**
 * The compressed source file's size in bytes, as the build read it; `None` for an
 * uncompressed source (whose size is `source_bytes`).
 */
source_compressed_bytes: number | null, 
/**
 * How long the build took, from the request to the seal, in milliseconds.
 */
duration_ms: number, 
/**
 * Records excluded as `no_consent` only because of the policy's opt-out gate
 * (included by the regime default otherwise).
 */
held_back_by_gate: number, 
/**
 * When the build started, RFC 3339 UTC with milliseconds.
 */
created_at: string, 
/**
 * When the snapshot was sealed, RFC 3339 UTC with milliseconds; `None` until then.
 */
sealed_at: string | null, };

export type VerifyReport = { 
/**
 * The snapshot checked.
 */
snapshot_id: SnapshotId, 
/**
 * True when every file matches the sealed row, nothing else is in the folder and the
 * stored user list matches its digest.
 */
ok: boolean, 
/**
 * Files re-hashed: every shard and `records.jsonl`.
 */
files_checked: number, 
/**
 * Each difference found, one sentence naming the file or the count; empty when `ok`.
 */
problems: Array<string>, };

export type SourcePreview = { 
/**
 * `jsonl` or `csv`: as given, or from the file name.
 */
format: string, 
/**
 * How the file is compressed, from its first bytes.
 */
compression: Compression, 
/**
 * Size of the whole file in bytes, as given (compressed, when it is).
 */
bytes: number, 
/**
 * Field names seen in the first lines (the CSV header, or the JSON keys).
 */
fields: Array<string>, 
/**
 * The first lines of the file, each with its values or why it does not parse.
 */
lines: Array<PreviewLine>, };

export type PreviewLine = { 
/**
 * 1-based line number in the file.
 */
line: number, 
/**
 * Each field's value as text (strings as they are, other values as JSON), cut to
 * 200 characters; empty when the line does not parse.
 */
values: { [key in string]: string }, 
/**
 * Why the line does not parse, if it does not.
 */
error: string | null, };

export type DeliveryId = number;

export type PackageFile = { 
/**
 * The file's name in the package folder (no folders, no `..`).
 */
name: string, 
/**
 * Size in bytes.
 */
bytes: number, 
/**
 * SHA-256, hex.
 */
sha256: string, };

export type DeliveryRequest = { 
/**
 * The deal; it must be signed or active.
 */
deal_id: DealId, 
/**
 * A sealed snapshot of that deal.
 */
snapshot_id: SnapshotId, 
/**
 * The package folder: new or empty.
 */
out: string, 
/**
 * The platform licensing the data, as the manifest names the assigner; default:
 * `$CONSENTRY_PLATFORM`, else "The platform".
 */
platform: string | null, };

export type Delivery = { 
/**
 * Assigned by the store.
 */
delivery_id: DeliveryId, 
/**
 * The deal delivered under.
 */
deal_id: DealId, 
/**
 * The snapshot delivered.
 */
snapshot_id: SnapshotId, 
/**
 * Per deal, starting at 1; only increases. Re-delivering a snapshot is a new one.
 */
sequence: number, 
/**
 * The package folder, absolute.
 */
out_dir: string, 
/**
 * SHA-256 of `manifest.json`, hex.
 */
manifest_sha256: string, 
/**
 * The signing key's id.
 */
key_id: string, 
/**
 * The data files the manifest lists (not the manifest and its signatures).
 */
files: Array<PackageFile>, 
/**
 * Records delivered.
 */
records: number, 
/**
 * When it was made, RFC 3339 UTC with milliseconds.
 */
created_at: string, };

export type PackageReport = { 
/**
 * The folder checked.
 */
dir: string, 
/**
 * Whether every check passed.
 */
ok: boolean, 
/**
 * The deal and sequence the manifest claims (when it could be read).
 */
deal_id: DealId | null, 
/**
 * The delivery sequence the manifest claims.
 */
sequence: number | null, 
/**
 * The key that signed it, when the signature could be read.
 */
key_id: string | null, 
/**
 * Data files whose size and SHA-256 were checked.
 */
files_checked: number, 
/**
 * Every problem, each naming the file or check that failed.
 */
problems: Array<string>, };

export type Receipt = { 
/**
 * The destination URL pushed to.
 */
destination: string, 
/**
 * The object's key at the destination.
 */
key: string, 
/**
 * Its size in bytes.
 */
bytes: number, 
/**
 * Its SHA-256, hex (also in the object's metadata).
 */
sha256: string, 
/**
 * The server's ETag, if it gave one.
 */
etag: string | null, 
/**
 * The server's object version, if it keeps versions.
 */
version: string | null, 
/**
 * When the object was stored (or found), RFC 3339 UTC.
 */
uploaded_at: string, };

export type PushReport = { 
/**
 * The delivery pushed.
 */
delivery_id: DeliveryId, 
/**
 * Where to.
 */
destination: string, 
/**
 * Objects sent by this push.
 */
uploaded: number, 
/**
 * Objects already there, the same (size and SHA-256): not sent again.
 */
skipped: number, 
/**
 * Every object of the package at the destination, in upload order.
 */
receipts: Array<Receipt>, };

export type PushProgress = { "kind": "started", 
/**
 * The object's key at the destination.
 */
key: string, 
/**
 * Its size in bytes.
 */
bytes: number, } | { "kind": "part", 
/**
 * The object's key at the destination.
 */
key: string, 
/**
 * Bytes of completed parts so far.
 */
sent: number, 
/**
 * The object's size in bytes.
 */
bytes: number, } | { "kind": "retrying", 
/**
 * The object's key at the destination.
 */
key: string, 
/**
 * Failed attempts for this key so far.
 */
failures: number, 
/**
 * What failed.
 */
reason: string, } | { "kind": "done", 
/**
 * The object's key at the destination.
 */
key: string, 
/**
 * Its size in bytes.
 */
bytes: number, 
/**
 * Already there with the same size and SHA-256: not sent again.
 */
skipped: boolean, };

export type SecretStore = "keyring" | "file";

export type SigningKey = { 
/**
 * minisign's key id (16 hex digits), also in every signature it made.
 */
key_id: string, 
/**
 * The `RW…` line: `minisign -P` takes it.
 */
minisign: string, 
/**
 * The public key as a PEM SubjectPublicKeyInfo: `openssl pkeyutl -pubin -inkey`.
 */
pem: string, 
/**
 * Where the secret half is.
 */
secret_store: SecretStore, 
/**
 * When the key was made, RFC 3339 UTC.
 */
created_at: string, 
/**
 * When `key rotate` replaced it; `None` for the current key.
 */
retired_at: string | null, };

export type KeyReport = { 
/**
 * The key new deliveries and notices are signed with.
 */
current: SigningKey, 
/**
 * Earlier keys, newest first.
 */
retired: Array<SigningKey>, 
/**
 * Where the current secret is: the keyring entry or the file path.
 */
secret_location: string, 
/**
 * Whether `key show` made the key just now (first use).
 */
created: boolean, };

export type NoticeId = number;

export type Notice = { 
/**
 * `pending`, `overdue` (past the due date, not acknowledged) or `acknowledged`.
 */
status: string, 
/**
 * Assigned by the store.
 */
notice_id: NoticeId, 
/**
 * The deal whose deliveries it amends.
 */
deal_id: DealId, 
/**
 * Per deal, starting at 1.
 */
sequence: number, 
/**
 * The instant eligibility was evaluated at, RFC 3339 UTC.
 */
as_of: string, 
/**
 * When it was issued, RFC 3339 UTC.
 */
issued_at: string, 
/**
 * The day the partner must have acted by (issue day + the deal's withdrawal days).
 */
due_date: string, 
/**
 * A random value that makes every notice unique.
 */
nonce: string, 
/**
 * The notice file.
 */
file: string, 
/**
 * SHA-256 of the notice file, hex.
 */
notice_sha256: string, 
/**
 * The signing key's id.
 */
key_id: string, 
/**
 * Records withdrawn.
 */
record_count: number, 
/**
 * Users whose records they are.
 */
user_count: number, 
/**
 * SHA-256 of the withdrawn `delivery_id \t record_id` lines in key order, which
 * `audit verify` recomputes from `withdrawn_records`.
 */
records_sha256: string, 
/**
 * The day the partner acknowledged it.
 */
acknowledged_on: string | null, 
/**
 * The partner's deletion attestation: a reference, or the file kept beside the store.
 */
attestation: string | null, 
/**
 * SHA-256 of the attestation file, when one was given.
 */
attestation_sha256: string | null, };

export type NoticeDelivery = { 
/**
 * The delivery amended.
 */
delivery_id: DeliveryId, 
/**
 * Its sequence.
 */
sequence: number, 
/**
 * SHA-256 of its manifest: the notice chains to it.
 */
manifest_sha256: string, 
/**
 * Ids of the records to delete, in the delivery's order.
 */
record_ids: Array<string>, };

export type NoticeReport = { 
/**
 * The records per delivery.
 */
deliveries: Array<NoticeDelivery>, 
/**
 * Per reason (`opted_out`, `deleted`, ...), how many users.
 */
users_by_reason: { [key in string]: number }, 
/**
 * `pending`, `overdue` (past the due date, not acknowledged) or `acknowledged`.
 */
status: string, 
/**
 * Assigned by the store.
 */
notice_id: NoticeId, 
/**
 * The deal whose deliveries it amends.
 */
deal_id: DealId, 
/**
 * Per deal, starting at 1.
 */
sequence: number, 
/**
 * The instant eligibility was evaluated at, RFC 3339 UTC.
 */
as_of: string, 
/**
 * When it was issued, RFC 3339 UTC.
 */
issued_at: string, 
/**
 * The day the partner must have acted by (issue day + the deal's withdrawal days).
 */
due_date: string, 
/**
 * A random value that makes every notice unique.
 */
nonce: string, 
/**
 * The notice file.
 */
file: string, 
/**
 * SHA-256 of the notice file, hex.
 */
notice_sha256: string, 
/**
 * The signing key's id.
 */
key_id: string, 
/**
 * Records withdrawn.
 */
record_count: number, 
/**
 * Users whose records they are.
 */
user_count: number, 
/**
 * SHA-256 of the withdrawn `delivery_id \t record_id` lines in key order, which
 * `audit verify` recomputes from `withdrawn_records`.
 */
records_sha256: string, 
/**
 * The day the partner acknowledged it.
 */
acknowledged_on: string | null, 
/**
 * The partner's deletion attestation: a reference, or the file kept beside the store.
 */
attestation: string | null, 
/**
 * SHA-256 of the attestation file, when one was given.
 */
attestation_sha256: string | null, };

export type NoticeRequest = { 
/**
 * The deal whose earlier deliveries to amend.
 */
deal_id: DealId, 
/**
 * The instant to evaluate eligibility at, RFC 3339; default: now.
 */
as_of: string | null, 
/**
 * The notice file to write; it must not exist.
 */
out: string, };

export type AckRequest = { 
/**
 * The notice acknowledged.
 */
notice_id: NoticeId, 
/**
 * The day the partner acknowledged it, `YYYY-MM-DD`.
 */
date: string, 
/**
 * The partner's deletion attestation: a file (hashed into the audit chain) …
 */
attestation_file: string | null, 
/**
 * … or a reference (a ticket, a letter).
 */
reference: string | null, };

export type PendingUser = { 
/**
 * The user.
 */
user_id: string, 
/**
 * Why they are no longer eligible (a snapshot exclusion reason).
 */
reason: string, 
/**
 * Their delivered records not yet withdrawn.
 */
records: number, };

export type ExposedSnapshot = { 
/**
 * The snapshot.
 */
snapshot_id: SnapshotId, 
/**
 * Its deal.
 */
deal_id: DealId, 
/**
 * The user's records in it.
 */
records: number, };

export type ExposedNotice = { 
/**
 * The notice.
 */
notice_id: NoticeId, 
/**
 * Its sequence for the deal.
 */
sequence: number, 
/**
 * The user's records it withdrew from this delivery.
 */
records: number, 
/**
 * `pending`, `overdue` or `acknowledged`.
 */
status: string, 
/**
 * When the partner acknowledged it.
 */
acknowledged_on: string | null, };

export type ExposedDelivery = { 
/**
 * The delivery.
 */
delivery_id: DeliveryId, 
/**
 * Its sequence for the deal.
 */
sequence: number, 
/**
 * The snapshot delivered.
 */
snapshot_id: SnapshotId, 
/**
 * The deal.
 */
deal_id: DealId, 
/**
 * The partner that received it.
 */
partner_id: PartnerId, 
/**
 * The partner's name.
 */
partner_name: string, 
/**
 * When it was made.
 */
delivered_at: string, 
/**
 * The user's records in it.
 */
records: number, 
/**
 * Notices that withdrew some of them.
 */
notices: Array<ExposedNotice>, };

export type ExposureReport = { 
/**
 * The user.
 */
user_id: string, 
/**
 * Whether the registry knows the user.
 */
registered: boolean, 
/**
 * Sealed snapshots that included their records.
 */
snapshots: Array<ExposedSnapshot>, 
/**
 * Deliveries that carried them, with the notices that covered them.
 */
deliveries: Array<ExposedDelivery>, };

export type InvoiceId = number;

export type FeeInput = { 
/**
 * ISO 4217, e.g. `USD`; it sets how many decimals every amount may have.
 */
currency: string, 
/**
 * The first contract year's fee, major units.
 */
annual_fee: string, 
/**
 * Percent per contract year, 0 to 100; default 0.
 */
escalator_pct: string | null, 
/**
 * `annual`, `quarterly` or `monthly`; default `annual`.
 */
billing: string | null, 
/**
 * Days after issue an invoice is due, 0 to 3650; default 30.
 */
terms_days: number | null, 
/**
 * `ratable` (ongoing access) or `point-in-time` (one-off deliveries); default
 * `ratable`.
 */
recognition: string | null, 
/**
 * A fee per delivery, major units; default 0.
 */
per_delivery: string | null, 
/**
 * A fee per 1,000 delivered records, major units (may have more decimals than the
 * currency: it is a rate); default 0.
 */
per_1k_records: string | null, 
/**
 * A minimum annual guarantee, major units; default 0 (none).
 */
minimum: string | null, };

export type FeeTerms = { 
/**
 * The deal they belong to.
 */
deal_id: DealId, 
/**
 * ISO 4217 code.
 */
currency: string, 
/**
 * The first contract year's fee, minor units.
 */
annual_fee_minor: number, 
/**
 * Percent per contract year, exact decimal text (`3`, `2.5`).
 */
escalator_pct: string, 
/**
 * `annual`, `quarterly` or `monthly`.
 */
billing: string, 
/**
 * Days after issue an invoice is due.
 */
terms_days: number, 
/**
 * `ratable` or `point-in-time`.
 */
recognition: string, 
/**
 * Fee per delivery, minor units.
 */
per_delivery_minor: number, 
/**
 * Fee per 1,000 delivered records, in minor units of the currency (a rate: the
 * usage invoice rounds half to even).
 */
per_1k_records_minor: string, 
/**
 * Minimum annual guarantee, minor units (0: none).
 */
minimum_minor: number, 
/**
 * When they were last set, RFC 3339 UTC.
 */
updated_at: string, };

export type InvoiceRecord = { 
/**
 * Assigned by the store.
 */
id: InvoiceId, 
/**
 * `INV-<year of issue>-<seq>`, sequential per year, never reused.
 */
number: string, 
/**
 * The deal billed.
 */
deal_id: DealId, 
/**
 * `installment`, `delivery`, `usage` or `minimum`.
 */
kind: string, 
/**
 * What it bills, unique per deal: `installment:<year>:<index>`, `delivery:<id>`,
 * `usage:<id>`, `minimum:<year>`.
 */
source: string, 
/**
 * First day of the period billed.
 */
period_start: string, 
/**
 * Last day of the period billed.
 */
period_end: string, 
/**
 * When it is issued.
 */
issue_date: string, 
/**
 * When it is due.
 */
due_date: string, 
/**
 * ISO 4217.
 */
currency: string, 
/**
 * The amount billed, minor units.
 */
amount_minor: number, 
/**
 * When it was voided, if it was.
 */
voided_at: string | null, 
/**
 * Why.
 */
void_reason: string | null, 
/**
 * When it was recorded.
 */
created_at: string, };

export type Invoice = { 
/**
 * Paid so far, minor units.
 */
paid_minor: number, 
/**
 * Credited so far, minor units.
 */
credited_minor: number, 
/**
 * What is still owed: amount - credited - paid (0 for a void invoice).
 */
balance_minor: number, 
/**
 * What it billed for days after the deal's termination, not yet credited: owed
 * back to the partner.
 */
owed_back_minor: number, 
/**
 * `issued`, `partially_paid`, `paid`, `overdue` or `void`.
 */
status: string, 
/**
 * Assigned by the store.
 */
id: InvoiceId, 
/**
 * `INV-<year of issue>-<seq>`, sequential per year, never reused.
 */
number: string, 
/**
 * The deal billed.
 */
deal_id: DealId, 
/**
 * `installment`, `delivery`, `usage` or `minimum`.
 */
kind: string, 
/**
 * What it bills, unique per deal: `installment:<year>:<index>`, `delivery:<id>`,
 * `usage:<id>`, `minimum:<year>`.
 */
source: string, 
/**
 * First day of the period billed.
 */
period_start: string, 
/**
 * Last day of the period billed.
 */
period_end: string, 
/**
 * When it is issued.
 */
issue_date: string, 
/**
 * When it is due.
 */
due_date: string, 
/**
 * ISO 4217.
 */
currency: string, 
/**
 * The amount billed, minor units.
 */
amount_minor: number, 
/**
 * When it was voided, if it was.
 */
voided_at: string | null, 
/**
 * Why.
 */
void_reason: string | null, 
/**
 * When it was recorded.
 */
created_at: string, };

export type InvoicePage = { 
/**
 * This page's invoices, newest first.
 */
invoices: Array<Invoice>, 
/**
 * Every invoice the filter matches, of which `invoices` is a page.
 */
total: number, };

export type Payment = { 
/**
 * Assigned by the store.
 */
id: number, 
/**
 * The invoice paid.
 */
invoice_id: InvoiceId, 
/**
 * Amount, minor units of the invoice's currency, > 0.
 */
amount_minor: number, 
/**
 * The day it was received.
 */
paid_on: string, 
/**
 * The bank's or the partner's reference; may be empty.
 */
reference: string, 
/**
 * When it was recorded.
 */
created_at: string, };

export type PaymentInput = { 
/**
 * The invoice paid.
 */
invoice_id: InvoiceId, 
/**
 * Major units, exact decimal text.
 */
amount: string, 
/**
 * `YYYY-MM-DD`.
 */
date: string, 
/**
 * Optional reference.
 */
reference: string | null, };

export type CreditNote = { 
/**
 * Assigned by the store.
 */
id: number, 
/**
 * `CN-<year>-<seq>`, sequential per year.
 */
number: string, 
/**
 * The invoice corrected.
 */
invoice_id: InvoiceId, 
/**
 * Amount credited, minor units, > 0.
 */
amount_minor: number, 
/**
 * Why.
 */
reason: string, 
/**
 * The day it was issued.
 */
issued_on: string, 
/**
 * When it was recorded.
 */
created_at: string, };

export type FxRateRecord = { 
/**
 * Assigned by the store.
 */
id: number, 
/**
 * When it was recorded.
 */
created_at: string, 
/**
 * `YYYY-MM-DD`.
 */
on_date: string, 
/**
 * ISO 4217 code.
 */
from_currency: string, 
/**
 * ISO 4217 code.
 */
to_currency: string, 
/**
 * Units of `to_currency` per unit of `from_currency`, exact decimal text, > 0.
 */
rate: string, };

export type ReportRequest = { "report": "revenue", 
/**
 * First day, `YYYY-MM-DD`.
 */
from: string, 
/**
 * Last day, `YYYY-MM-DD`.
 */
to: string, 
/**
 * Months, quarters or years.
 */
group: Grouping, 
/**
 * One deal, or all.
 */
deal_id: DealId | null, 
/**
 * Also converted to this currency.
 */
base: string | null, } | { "report": "deferred", 
/**
 * The day, `YYYY-MM-DD`.
 */
at: string, 
/**
 * One deal, or all.
 */
deal_id: DealId | null, 
/**
 * Also converted to this currency.
 */
base: string | null, } | { "report": "aging", 
/**
 * The day, `YYYY-MM-DD`.
 */
at: string, 
/**
 * One deal, or all.
 */
deal_id: DealId | null, 
/**
 * Also converted to this currency.
 */
base: string | null, };

export type CsvExport = { 
/**
 * Where it was written.
 */
path: string, 
/**
 * Data rows, the header not counted.
 */
rows: number, 
/**
 * Size of the file.
 */
bytes: number, };

export type Grouping = "month" | "quarter" | "year";

export type FxRate = { 
/**
 * `YYYY-MM-DD`.
 */
on_date: string, 
/**
 * ISO 4217 code.
 */
from_currency: string, 
/**
 * ISO 4217 code.
 */
to_currency: string, 
/**
 * Units of `to_currency` per unit of `from_currency`, exact decimal text, > 0.
 */
rate: string, };

export type FxRateInput = { 
/**
 * `YYYY-MM-DD`, in the term years.
 */
date: string, 
/**
 * ISO 4217 code converted from.
 */
from: string, 
/**
 * ISO 4217 code converted to.
 */
to: string, 
/**
 * Units of `to` per unit of `from`: digits with an optional decimal point, > 0.
 */
rate: string, };

export type AppliedRate = { 
/**
 * The row's date.
 */
on_date: string, 
/**
 * The row's `from_currency`.
 */
from_currency: string, 
/**
 * The row's `to_currency`.
 */
to_currency: string, 
/**
 * The row's rate, as stored.
 */
rate: string, 
/**
 * True when the row is for the inverse pair, so amounts were divided by the rate.
 */
inverted: boolean, };

export type RevenueInBase = { 
/**
 * The base currency.
 */
currency: string, 
/**
 * The rate used; `null` when the row is in the base currency already.
 */
rate: AppliedRate | null, 
/**
 * Recognized, base minor units.
 */
recognized_minor: number, 
/**
 * Billed, base minor units.
 */
billed_minor: number, 
/**
 * Collected, base minor units.
 */
collected_minor: number, };

export type RevenueRow = { 
/**
 * `2024-02`, `2024-Q1` or `2024`.
 */
period: string, 
/**
 * The period's first day, clipped to the report's `from`.
 */
period_start: string, 
/**
 * The period's last day, clipped to the report's `to`.
 */
period_end: string, 
/**
 * The deal.
 */
deal_id: DealId, 
/**
 * The deal's partner.
 */
partner_name: string, 
/**
 * The deal's currency (ISO 4217).
 */
currency: string, 
/**
 * Revenue recognized in the period, minor units (negative for a reversal).
 */
recognized_minor: number, 
/**
 * Invoiced in the period minus credit notes issued in it, minor units.
 */
billed_minor: number, 
/**
 * Payments received in the period, minor units.
 */
collected_minor: number, 
/**
 * The same in the base currency, converted at `period_end`; `null` without a base.
 */
in_base: RevenueInBase | null, };

export type RevenueSums = { 
/**
 * Recognized, minor units.
 */
recognized_minor: number, 
/**
 * Billed net of credit notes, minor units.
 */
billed_minor: number, 
/**
 * Collected, minor units.
 */
collected_minor: number, };

export type BaseRevenueTotals = { 
/**
 * The base currency.
 */
currency: string, 
/**
 * Recognized, minor units.
 */
recognized_minor: number, 
/**
 * Billed net of credit notes, minor units.
 */
billed_minor: number, 
/**
 * Collected, minor units.
 */
collected_minor: number, };

export type RevenueReport = { 
/**
 * The first day reported.
 */
from: string, 
/**
 * The last day reported.
 */
to: string, 
/**
 * How rows are grouped.
 */
group: Grouping, 
/**
 * Per (period, deal), in period then deal order; all-zero rows left out.
 */
rows: Array<RevenueRow>, 
/**
 * Recognized per currency, minor units: the sum of the rows.
 */
totals: { [key in string]: number }, 
/**
 * Recognized, billed and collected per currency: the sums of the rows.
 */
sums: { [key in string]: RevenueSums }, 
/**
 * With a base currency: the sums of the rows' converted amounts.
 */
in_base: BaseRevenueTotals | null, };

export type DeferredInBase = { 
/**
 * The base currency.
 */
currency: string, 
/**
 * The rate used; `null` when already in the base currency (and in totals).
 */
rate: AppliedRate | null, 
/**
 * Deferred, base minor units.
 */
deferred_minor: number, 
/**
 * Receivable, base minor units.
 */
receivable_minor: number, 
/**
 * Owed back, base minor units.
 */
owed_back_minor: number, };

export type DeferredRow = { 
/**
 * The deal.
 */
deal_id: DealId, 
/**
 * The deal's partner.
 */
partner_name: string, 
/**
 * The deal's currency.
 */
currency: string, 
/**
 * Billed through the day, net of credit notes, minor units.
 */
billed_minor: number, 
/**
 * Recognized through the day, minor units.
 */
recognized_minor: number, 
/**
 * billed - recognized: negative when revenue was recognized before it was billed.
 */
deferred_minor: number, 
/**
 * Still to be paid on invoices issued by the day (credits and payments by then
 * deducted), minor units.
 */
receivable_minor: number, 
/**
 * What invoices billed for days after the deal's termination and credit notes have
 * not yet returned, minor units (0 unless terminated by the day).
 */
owed_back_minor: number, 
/**
 * The same in the base currency at the day; `null` without a base.
 */
in_base: DeferredInBase | null, };

export type DeferredSums = { 
/**
 * Billed, minor units.
 */
billed_minor: number, 
/**
 * Recognized, minor units.
 */
recognized_minor: number, 
/**
 * Deferred, minor units.
 */
deferred_minor: number, 
/**
 * Receivable, minor units.
 */
receivable_minor: number, 
/**
 * Owed back, minor units.
 */
owed_back_minor: number, };

export type DeferredReport = { 
/**
 * The day (balances at its end).
 */
at: string, 
/**
 * One per deal with anything to show, in deal order.
 */
rows: Array<DeferredRow>, 
/**
 * Per currency: the sums of the rows.
 */
totals: { [key in string]: DeferredSums }, 
/**
 * With a base currency: the sums of the rows' converted amounts.
 */
in_base: DeferredInBase | null, };

export type AgingBucket = "current" | "1-30" | "31-60" | "61-90" | "over_90";

export type AgingInvoice = { 
/**
 * The invoice.
 */
invoice_id: InvoiceId, 
/**
 * Its number.
 */
number: string, 
/**
 * Its deal.
 */
deal_id: DealId, 
/**
 * The deal's partner.
 */
partner_name: string, 
/**
 * ISO 4217.
 */
currency: string, 
/**
 * Issued on.
 */
issue_date: string, 
/**
 * Due on.
 */
due_date: string, 
/**
 * The amount billed, minor units.
 */
amount_minor: number, 
/**
 * Credited by the day, minor units.
 */
credited_minor: number, 
/**
 * Paid by the day, minor units.
 */
paid_minor: number, 
/**
 * amount - credited - paid, > 0.
 */
balance_minor: number, 
/**
 * Days from the due date to the report's date; 0 or less when not yet late.
 */
days_past_due: number, 
/**
 * Its bucket.
 */
bucket: AgingBucket, };

export type AgingTotals = { 
/**
 * Not yet late, minor units.
 */
current: number, 
/**
 * 1 to 30 days late.
 */
"1-30": number, 
/**
 * 31 to 60 days late.
 */
"31-60": number, 
/**
 * 61 to 90 days late.
 */
"61-90": number, 
/**
 * Over 90 days late.
 */
over_90: number, 
/**
 * All of them.
 */
total: number, };

export type BaseAgingTotals = { 
/**
 * The base currency.
 */
currency: string, 
/**
 * Not yet late, minor units.
 */
current: number, 
/**
 * 1 to 30 days late.
 */
"1-30": number, 
/**
 * 31 to 60 days late.
 */
"31-60": number, 
/**
 * 61 to 90 days late.
 */
"61-90": number, 
/**
 * Over 90 days late.
 */
over_90: number, 
/**
 * All of them.
 */
total: number, };

export type AgingReport = { 
/**
 * The day.
 */
at: string, 
/**
 * The open invoices, by due date then number.
 */
invoices: Array<AgingInvoice>, 
/**
 * Per currency, per bucket: the sums of the balances.
 */
totals: { [key in string]: AgingTotals }, 
/**
 * With a base currency: per bucket, the sums of the converted balances.
 */
in_base: BaseAgingTotals | null, };

export type PartnerRevenue = { 
/**
 * The partner, by name (as the report's rows name it).
 */
partner_name: string, 
/**
 * ISO 4217: the currency of the partner's deals summed here.
 */
currency: string, 
/**
 * Recognized per period (index into the summary's `periods`), minor units.
 */
recognized_minor: Array<number>, 
/**
 * Billed per period, net of credit notes, minor units.
 */
billed_minor: Array<number>, 
/**
 * Collected per period, minor units.
 */
collected_minor: Array<number>, };

export type RevenueSummary = { 
/**
 * The first day reported.
 */
from: string, 
/**
 * The last day reported.
 */
to: string, 
/**
 * How periods are grouped.
 */
group: Grouping, 
/**
 * Every period of the range, in order, labelled as the report's rows (`2024-02`),
 * those with no amount too.
 */
periods: Array<string>, 
/**
 * Per partner and currency with any amount in the range, by currency then partner
 * name.
 */
partners: Array<PartnerRevenue>, 
/**
 * Recognized, billed and collected per currency: the report's `sums`.
 */
sums: { [key in string]: RevenueSums }, };

export type FinanceSummary = { 
/**
 * The day (balances at its end).
 */
at: string, 
/**
 * Per currency: billed, recognized, deferred, receivable and owed back, the sums of
 * the deferred report's rows.
 */
deferred: { [key in string]: DeferredSums }, 
/**
 * How many deals the deferred report has a row for (anything billed, recognized,
 * receivable or owed back by the day).
 */
deals: number, 
/**
 * Per currency, per bucket: the open balances, the aging report's totals.
 */
aging: { [key in string]: AgingTotals }, 
/**
 * Invoices open at the day (the aging report's list).
 */
open_invoices: number, 
/**
 * Of those, past their due date (not in the `current` bucket).
 */
overdue_invoices: number, };

export type BackupReport = { 
/**
 * The backup file, as an absolute path where it could be made one.
 */
file: string, 
/**
 * Its size in bytes.
 */
bytes: number, 
/**
 * Its SHA-256, hex: ties the file to the audit entry that recorded it.
 */
sha256: string, 
/**
 * The newest audit entry the backup holds (seq 0 and 64 zeros for an empty log):
 * the backup is the store exactly as of that entry.
 */
head: AuditHead, 
/**
 * The backup's schema version (`PRAGMA user_version`).
 */
schema_version: number, 
/**
 * The `store.backed_up` entry appended to the store afterwards; `None` when it
 * could not be written (`audit_error` says why). The backup file is kept anyway.
 */
audit_seq?: number | null, 
/**
 * Why the audit entry could not be written, if it could not.
 */
audit_error?: string | null, };

export type DailyReport = { 
/**
 * The folder of the daily backups.
 */
dir: string, 
/**
 * Today's backup, if this run wrote it; `None` when it existed already.
 */
created: BackupReport | null, 
/**
 * The daily backups kept, oldest first (file names).
 */
kept: Array<string>, 
/**
 * The daily backups removed because more than `keep` were there (file names).
 */
removed: Array<string>, };

export type RestoreReport = { 
/**
 * The store that was restored, as an absolute path where it could be made one.
 */
store: string, 
/**
 * The backup file it was restored from.
 */
from: string, 
/**
 * The backup file's size in bytes.
 */
bytes: number, 
/**
 * The backup file's SHA-256, hex, as read.
 */
sha256: string, 
/**
 * The backup's newest audit entry, verified before anything was replaced.
 */
head: AuditHead, 
/**
 * The backup's schema version; older ones were migrated before verifying.
 */
schema_version: number, 
/**
 * Where the replaced store was kept (`<store>.before-restore-<time>`); `None` when
 * there was no store.
 */
replaced: string | null, 
/**
 * The replaced store's newest audit entry, when it could be read.
 */
replaced_head: AuditHead | null, 
/**
 * The `store.restored` entry appended to the restored store.
 */
audit_seq?: number | null, };

export type BackupStatus = { 
/**
 * Where the daily backups go.
 */
dir: string, 
/**
 * How many daily backups are kept.
 */
keep: number, 
/**
 * The last run's report: the backup it wrote (none if today's existed), the ones
 * kept and removed.
 */
last: DailyReport | null, 
/**
 * Why the last run failed, if it did.
 */
error: string | null, };

export type Dashboard = { 
/**
 * The day the figures are for.
 */
today: string, 
/**
 * Per deal status and currency: the deals with a fee schedule and their annual value.
 */
contracted: Array<ContractedValue>, 
/**
 * Signed or active deals ending within [`RENEWAL_WINDOW_DAYS`] days and not yet
 * renewed, soonest first.
 */
renewals_due: Array<RenewalDue>, 
/**
 * Withdrawal notices not yet acknowledged.
 */
notices: Array<OpenNotice>, 
/**
 * Per deal with a delivery: users no notice listed yet who are no longer eligible.
 */
pending_withdrawals: Array<PendingWithdrawals>, };

export type ContractedValue = { 
/**
 * The deals' status.
 */
status: DealStatus, 
/**
 * ISO 4217.
 */
currency: string, 
/**
 * How many deals.
 */
deals: number, 
/**
 * The sum of their annual values, minor units (see [`annual_value`]).
 */
annual_minor: number, };

export type RenewalDue = { 
/**
 * The deal.
 */
deal_id: DealId, 
/**
 * Its title.
 */
title: string, 
/**
 * Its partner.
 */
partner_name: string, 
/**
 * Its status: signed or active.
 */
status: DealStatus, 
/**
 * The last day of its term.
 */
end_date: string, 
/**
 * Days from today to the end date (0: it ends today).
 */
days_left: number, };

export type OpenNotice = { 
/**
 * The notice.
 */
notice_id: NoticeId, 
/**
 * Its deal.
 */
deal_id: DealId, 
/**
 * Its number within the deal.
 */
sequence: number, 
/**
 * When the acknowledgement is due.
 */
due_date: string, 
/**
 * `pending` or `overdue`.
 */
status: string, };

export type PendingWithdrawals = { 
/**
 * The deal.
 */
deal_id: DealId, 
/**
 * Users the next notice would list.
 */
users: number, 
/**
 * Their delivered records.
 */
records: number, };

export type ConsentHealth = { 
/**
 * One point per month end, oldest first; the last is today.
 */
points: Array<HealthPoint>, };

export type HealthPoint = { 
/**
 * The day (a month's last day, or today).
 */
on: string, 
/**
 * Users in the registry.
 */
users: number, 
/**
 * Per purpose: users whose posts a snapshot for that purpose alone would include on
 * that day (explicit allow, or the opt-out regime's default after the gate).
 */
eligible: { [key in string]: number }, };

export type DemoOptions = { 
/**
 * Registry users to generate, 100 to 5,000,000; default 100,000.
 */
users: number | null, 
/**
 * Posts to generate, 100 to 20,000,000; default 300,000.
 */
posts: number | null, 
/**
 * The folder for the generated files, new or empty; default
 * `<the store's folder>/consentry-demo`.
 */
dir: string | null, 
/**
 * The generator's seed; default 1. The same seed on the same day gives the same
 * files.
 */
seed: number | null, };

export type DemoStep = "registry" | "ledger" | "posts" | "consent" | "deals" | "snapshots" | "deliveries" | "finance" | "withdrawals";

export type DemoProgress = { 
/**
 * The step running.
 */
step: DemoStep, 
/**
 * Its 1-based number.
 */
step_number: number, 
/**
 * How many steps there are.
 */
steps: number, 
/**
 * What it does, for a person to read.
 */
label: string, 
/**
 * Done so far in this step (users, posts, bytes, deals: the label says).
 */
done: number, 
/**
 * The step's total in the same unit; 0 when unknown.
 */
total: number, };

export type DemoShape = "training-and-search" | "api-access" | "research" | "expired" | "renewal";

export type DemoDeal = { 
/**
 * The deal.
 */
deal_id: DealId, 
/**
 * Its shape.
 */
shape: DemoShape, 
/**
 * Its title.
 */
title: string, 
/**
 * Its partner.
 */
partner_name: string, 
/**
 * Its status at the end of the seed.
 */
status: DealStatus, 
/**
 * Its sealed snapshots, in build order.
 */
snapshots: Array<SnapshotId>, 
/**
 * Its deliveries, in sequence order.
 */
deliveries: Array<DeliveryId>, 
/**
 * Invoices issued for it.
 */
invoices: number, 
/**
 * Users whose delivered records wait for a withdrawal notice.
 */
pending_withdrawals: number, };

export type DemoFile = { 
/**
 * Its name in the folder.
 */
name: string, 
/**
 * Its size in bytes.
 */
bytes: number, 
/**
 * Data lines (the header excluded).
 */
rows: number, };

export type DemoReport = { 
/**
 * The folder of the generated files, absolute.
 */
dir: string, 
/**
 * The seed used.
 */
seed: number, 
/**
 * The day the demo is relative to (UTC): terms, consent dates and invoices are
 * placed around it.
 */
today: string, 
/**
 * Registry users generated.
 */
users: number, 
/**
 * Consent events imported, after the deliveries' opt-outs included.
 */
events: number, 
/**
 * Posts generated (duplicate and malformed lines included).
 */
posts: number, 
/**
 * The generated files.
 */
files: Array<DemoFile>, 
/**
 * The partners made.
 */
partners: Array<PartnerId>, 
/**
 * The deals made, one per shape.
 */
deals: Array<DemoDeal>, 
/**
 * Invoices issued, over every deal.
 */
invoices: number, 
/**
 * Payments recorded.
 */
payments: number, 
/**
 * Invoices overdue today.
 */
overdue: number, 
/**
 * Wall-clock time of the seed, in milliseconds.
 */
duration_ms: number, };

/** The moves each deal status allows, in the order the UI offers them. */
export const DEAL_LIFECYCLE: Record<DealStatus, DealStatus[]> = {"draft":["negotiating","terminated"],"negotiating":["signed","terminated"],"signed":["active","terminated"],"active":["expired","terminated"],"expired":[],"terminated":[]};

/** The purposes in canonical order, with their parent and vocabulary tokens. */
export const PURPOSE_TABLE: Array<{ token: Purpose; parent: Purpose | null; cawg: string | null; aipref: string | null; tdmrep: string | null }> = [{"token":"partner-sharing","parent":null,"cawg":null,"aipref":null,"tdmrep":null},{"token":"ai-training","parent":"partner-sharing","cawg":"cawg.ai_training","aipref":"train-ai","tdmrep":"tdm-reservation"},{"token":"genai-training","parent":"ai-training","cawg":"cawg.ai_generative_training","aipref":"train-genai","tdmrep":"tdm-reservation"},{"token":"ai-inference","parent":"partner-sharing","cawg":"cawg.ai_inference","aipref":"ai-use","tdmrep":null},{"token":"search","parent":"partner-sharing","cawg":null,"aipref":"search","tdmrep":null},{"token":"data-mining","parent":"partner-sharing","cawg":"cawg.data_mining","aipref":null,"tdmrep":"tdm-reservation"}];

/** Every ISO 3166-1 alpha-2 code the core accepts, sorted. */
export const COUNTRY_CODES: string[] = ["AD","AE","AF","AG","AI","AL","AM","AO","AQ","AR","AS","AT","AU","AW","AX","AZ","BA","BB","BD","BE","BF","BG","BH","BI","BJ","BL","BM","BN","BO","BQ","BR","BS","BT","BV","BW","BY","BZ","CA","CC","CD","CF","CG","CH","CI","CK","CL","CM","CN","CO","CR","CU","CV","CW","CX","CY","CZ","DE","DJ","DK","DM","DO","DZ","EC","EE","EG","EH","ER","ES","ET","FI","FJ","FK","FM","FO","FR","GA","GB","GD","GE","GF","GG","GH","GI","GL","GM","GN","GP","GQ","GR","GS","GT","GU","GW","GY","HK","HM","HN","HR","HT","HU","ID","IE","IL","IM","IN","IO","IQ","IR","IS","IT","JE","JM","JO","JP","KE","KG","KH","KI","KM","KN","KP","KR","KW","KY","KZ","LA","LB","LC","LI","LK","LR","LS","LT","LU","LV","LY","MA","MC","MD","ME","MF","MG","MH","MK","ML","MM","MN","MO","MP","MQ","MR","MS","MT","MU","MV","MW","MX","MY","MZ","NA","NC","NE","NF","NG","NI","NL","NO","NP","NR","NU","NZ","OM","PA","PE","PF","PG","PH","PK","PL","PM","PN","PR","PS","PT","PW","PY","QA","RE","RO","RS","RU","RW","SA","SB","SC","SD","SE","SG","SH","SI","SJ","SK","SL","SM","SN","SO","SR","SS","ST","SV","SX","SY","SZ","TC","TD","TF","TG","TH","TJ","TK","TL","TM","TN","TO","TR","TT","TV","TW","TZ","UA","UG","UM","US","UY","UZ","VA","VC","VE","VG","VI","VN","VU","WF","WS","YE","YT","ZA","ZM","ZW"];

/** The opt-in countries of the built-in policy (version 1). */
export const DEFAULT_OPT_IN: string[] = ["AT","BE","BG","CH","CY","CZ","DE","DK","EE","ES","FI","FR","GB","GR","HR","HU","IE","IS","IT","LI","LT","LU","LV","MT","NL","NO","PL","PT","RO","SE","SI","SK"];

/** Every currency amounts can be kept in (ISO 4217), with its minor-unit exponent. */
export const CURRENCY_EXPONENTS: Record<string, number> = {"AED":2,"AFN":2,"ALL":2,"AMD":2,"AOA":2,"ARS":2,"AUD":2,"AWG":2,"AZN":2,"BAM":2,"BBD":2,"BDT":2,"BGN":2,"BHD":3,"BIF":0,"BMD":2,"BND":2,"BOB":2,"BOV":2,"BRL":2,"BSD":2,"BTN":2,"BWP":2,"BYN":2,"BZD":2,"CAD":2,"CDF":2,"CHE":2,"CHF":2,"CHW":2,"CLF":4,"CLP":0,"CNY":2,"COP":2,"COU":2,"CRC":2,"CUC":2,"CUP":2,"CVE":2,"CZK":2,"DJF":0,"DKK":2,"DOP":2,"DZD":2,"EGP":2,"ERN":2,"ETB":2,"EUR":2,"FJD":2,"FKP":2,"GBP":2,"GEL":2,"GHS":2,"GIP":2,"GMD":2,"GNF":0,"GTQ":2,"GYD":2,"HKD":2,"HNL":2,"HRK":2,"HTG":2,"HUF":2,"IDR":2,"ILS":2,"INR":2,"IQD":3,"IRR":2,"ISK":0,"JMD":2,"JOD":3,"JPY":0,"KES":2,"KGS":2,"KHR":2,"KMF":0,"KPW":2,"KRW":0,"KWD":3,"KYD":2,"KZT":2,"LAK":2,"LBP":2,"LKR":2,"LRD":2,"LSL":2,"LYD":3,"MAD":2,"MDL":2,"MGA":2,"MKD":2,"MMK":2,"MNT":2,"MOP":2,"MRU":2,"MUR":2,"MVR":2,"MWK":2,"MXN":2,"MXV":2,"MYR":2,"MZN":2,"NAD":2,"NGN":2,"NIO":2,"NOK":2,"NPR":2,"NZD":2,"OMR":3,"PAB":2,"PEN":2,"PGK":2,"PHP":2,"PKR":2,"PLN":2,"PYG":0,"QAR":2,"RON":2,"RSD":2,"RUB":2,"RWF":0,"SAR":2,"SBD":2,"SCR":2,"SDG":2,"SEK":2,"SGD":2,"SHP":2,"SLE":2,"SLL":2,"SOS":2,"SRD":2,"SSP":2,"STN":2,"SVC":2,"SYP":2,"SZL":2,"THB":2,"TJS":2,"TMT":2,"TND":3,"TOP":2,"TRY":2,"TTD":2,"TWD":2,"TZS":2,"UAH":2,"UGX":0,"USD":2,"USN":2,"UYI":0,"UYU":2,"UYW":4,"UZS":2,"VED":2,"VES":2,"VND":0,"VUV":0,"WST":2,"XAD":2,"XAF":0,"XCD":2,"XCG":2,"XOF":0,"XPF":0,"YER":2,"ZAR":2,"ZMW":2,"ZWG":2,"ZWL":2};
