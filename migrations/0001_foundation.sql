-- Partners, deals and the hash-chained audit log.
-- Landed migrations are never edited; change the schema with a new file.

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    kind       TEXT NOT NULL CHECK (kind IN ('ai-lab', 'search-engine', 'research', 'other')),
    country    TEXT CHECK (country IS NULL OR length(country) = 2),
    contact    TEXT,
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE deals (
    id                   INTEGER PRIMARY KEY,
    partner_id           INTEGER NOT NULL REFERENCES partners (id),
    title                TEXT NOT NULL CHECK (length(trim(title)) > 0),
    -- comma-separated purpose tokens in canonical order (src/purpose.rs)
    purposes             TEXT NOT NULL CHECK (length(purposes) > 0),
    start_date           TEXT NOT NULL,
    end_date             TEXT NOT NULL CHECK (end_date >= start_date),
    territory            TEXT NOT NULL,
    exclusive            INTEGER NOT NULL CHECK (exclusive IN (0, 1)),
    retention_days       INTEGER CHECK (retention_days IS NULL OR retention_days > 0),
    attribution_required INTEGER NOT NULL CHECK (attribution_required IN (0, 1)),
    sublicensing_allowed INTEGER NOT NULL CHECK (sublicensing_allowed IN (0, 1)),
    notes                TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN
                             ('draft', 'negotiating', 'signed', 'active', 'expired', 'terminated')),
    -- a renewal points at the deal it renews; a deal is renewed at most once
    renewed_from         INTEGER UNIQUE REFERENCES deals (id),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;

CREATE INDEX deals_by_partner ON deals (partner_id);
CREATE INDEX deals_by_status ON deals (status);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    before    TEXT,
    after     TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE INDEX audit_by_entity ON audit_log (entity, entity_id);

-- The latest entry, kept beside the chain so that deleting the newest entries is
-- detected too.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;

-- Mistakes are refused here; deliberate tampering with the file is caught by
-- `consentry audit verify`.
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
