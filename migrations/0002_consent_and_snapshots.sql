-- The user registry, the consent ledger, the consent policy, and sealed snapshots.
-- Landed migrations are never edited; change the schema with a new file.

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('registry', 'ledger')),
    file          TEXT NOT NULL,
    rows_read     INTEGER NOT NULL,
    added         INTEGER NOT NULL,
    changed       INTEGER NOT NULL,
    unchanged     INTEGER NOT NULL,
    skipped       INTEGER NOT NULL,
    -- JSON list of {line, message} for the rows skipped with --skip-invalid
    skipped_lines TEXT NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL
) STRICT;

-- The registry as of the latest import. A registry file has no effective times, so the
-- latest known state is what a snapshot is checked against (the stricter choice for
-- deletions and suspensions); every change to a known user is kept in user_changes.
CREATE TABLE users (
    user_id       TEXT PRIMARY KEY CHECK (length(user_id) > 0),
    country       TEXT NOT NULL CHECK (length(country) = 2),
    birth_date    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('active', 'deleted', 'suspended')),
    first_seen_at TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE user_changes (
    id         INTEGER PRIMARY KEY,
    import_id  INTEGER NOT NULL REFERENCES imports (id),
    user_id    TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    before     TEXT NOT NULL,
    after      TEXT NOT NULL
) STRICT;

CREATE INDEX user_changes_by_user ON user_changes (user_id, id);

-- Append-only: an event is never changed, only followed by a later one.
CREATE TABLE consent_events (
    id           INTEGER PRIMARY KEY,
    -- the first 16 bytes of the SHA-256 of the normalized event: re-imports add nothing
    identity     BLOB NOT NULL UNIQUE,
    user_id      TEXT NOT NULL CHECK (length(user_id) > 0),
    purpose      TEXT NOT NULL CHECK (purpose IN ('partner-sharing', 'ai-training',
                     'genai-training', 'ai-inference', 'search', 'data-mining')),
    decision     TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
    effective_at TEXT NOT NULL,
    effective_us INTEGER NOT NULL,
    source       TEXT NOT NULL,
    import_id    INTEGER NOT NULL REFERENCES imports (id)
) STRICT;

-- A snapshot build reads the events of each user in user order, merged with the
-- registry (which is in user order too); the index covers every column it reads, so
-- the read is one sequential scan.
CREATE INDEX consent_events_by_user
    ON consent_events (user_id, identity, effective_us, purpose, decision);

CREATE TRIGGER consent_events_are_append_only_update BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only');
END;

CREATE TRIGGER consent_events_are_append_only_delete BEFORE DELETE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only');
END;

CREATE TABLE policies (
    version          INTEGER PRIMARY KEY,
    -- comma-separated, sorted ISO 3166-1 alpha-2 codes
    opt_in_countries TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    actor            TEXT NOT NULL
) STRICT;

-- Version 1: the EU, the rest of the EEA, the UK and Switzerland.
INSERT INTO policies (version, opt_in_countries, created_at, actor) VALUES (
    1,
    'AT,BE,BG,CH,CY,CZ,DE,DK,EE,ES,FI,FR,GB,GR,HR,HU,IE,IS,IT,LI,LT,LU,LV,MT,NL,NO,PL,PT,RO,SE,SI,SK',
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    'consentry'
);

-- A snapshot row is written as 'building' when a build starts (so that a crash can be
-- cleaned up) and becomes 'sealed' in the one transaction that ends the build. Sealed
-- rows never change.
CREATE TABLE snapshots (
    id                    INTEGER PRIMARY KEY,
    deal_id               INTEGER NOT NULL REFERENCES deals (id),
    state                 TEXT NOT NULL CHECK (state IN ('building', 'sealed')),
    pid                   INTEGER NOT NULL,
    staging_dir           TEXT NOT NULL,
    out_dir               TEXT NOT NULL,
    source_path           TEXT NOT NULL,
    source_format         TEXT NOT NULL CHECK (source_format IN ('jsonl', 'csv')),
    id_field              TEXT NOT NULL,
    user_field            TEXT NOT NULL,
    time_field            TEXT NOT NULL,
    as_of                 TEXT NOT NULL,
    window_from           TEXT,
    window_to             TEXT,
    purposes              TEXT NOT NULL,
    policy_version        INTEGER NOT NULL REFERENCES policies (version),
    -- the rest is filled in when sealed
    records_in            INTEGER,
    records_included      INTEGER,
    excluded              TEXT,
    rejected_lines        TEXT,
    shards                TEXT,
    included_users        INTEGER,
    included_users_sha256 TEXT,
    records_index_sha256  TEXT,
    ledger_sha256         TEXT,
    source_bytes          INTEGER,
    duration_ms           INTEGER,
    created_at            TEXT NOT NULL,
    sealed_at             TEXT
) STRICT;

CREATE INDEX snapshots_by_deal ON snapshots (deal_id);

CREATE TRIGGER sealed_snapshots_never_change BEFORE UPDATE ON snapshots
WHEN OLD.state = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'a sealed snapshot never changes');
END;

CREATE TRIGGER sealed_snapshots_are_never_deleted BEFORE DELETE ON snapshots
WHEN OLD.state = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'a sealed snapshot never changes');
END;

-- Which users each sealed snapshot included, and how many of their records: what
-- exposure reports query. Which record ids exactly is in the snapshot's records index
-- file (records.jsonl beside the shards, hashed in records_index_sha256), read by
-- withdrawal notices; keeping the ids out of the store keeps a build's memory bounded.
-- Rows of a sealed snapshot cannot be updated or deleted. A row added later would not
-- match the sealed included_users_sha256, which `snapshot verify` recomputes; a per-row
-- insert trigger instead would cost a third of the seal.
-- Keyed by user first: "which snapshots included this user" is a key lookup, and a
-- seal inserts its users in user-id order into one tree.
CREATE TABLE snapshot_users (
    user_id     TEXT NOT NULL,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    records     INTEGER NOT NULL CHECK (records > 0),
    PRIMARY KEY (user_id, snapshot_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER snapshot_users_of_sealed_never_change_update BEFORE UPDATE ON snapshot_users
WHEN (SELECT state FROM snapshots WHERE id = OLD.snapshot_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'a sealed snapshot never changes');
END;

CREATE TRIGGER snapshot_users_of_sealed_never_change_delete BEFORE DELETE ON snapshot_users
WHEN (SELECT state FROM snapshots WHERE id = OLD.snapshot_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'a sealed snapshot never changes');
END;
