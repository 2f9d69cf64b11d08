-- The ledger's identity uniqueness as a named index (issue 11 part 3), so that an import
-- that at least doubles the ledger can drop it and create it again after its inserts,
-- with one sort, inside its transaction (store::consent::write_events), as it does for
-- the by-user index: inserting millions of events into it one by one, each at a random
-- place, was most of a large ledger import. Creating the index again fails if two
-- events share an identity, so the uniqueness holds as before: the import fails and
-- its transaction rolls back.
--
-- SQLite cannot drop a `UNIQUE` column constraint (its index is the table's own), so
-- the table is made again: the same columns, types and checks, every row with its id,
-- in id order, then the by-user index and the append-only triggers as 0002 made them.
-- Two checks say the same as 0002's in a form cheaper per row, since a large import
-- checks millions of rows: a non-empty text as `<> ''` instead of a call of
-- `length()`, and the purposes as comparisons instead of `IN (...)`, for which SQLite
-- builds a lookup table for every statement and searches it for every row.
-- Nothing references consent_events, so dropping the old table breaks no key.
-- Landed migrations are never edited; change the schema with a new file.

CREATE TABLE consent_events_new (
    id           INTEGER PRIMARY KEY,
    -- the first 16 bytes of the SHA-256 of the normalized event: re-imports add nothing
    -- (unique: consent_events_by_identity)
    identity     BLOB NOT NULL,
    user_id      TEXT NOT NULL CHECK (user_id <> ''),
    purpose      TEXT NOT NULL CHECK (purpose = 'partner-sharing' OR purpose = 'ai-training'
                     OR purpose = 'genai-training' OR purpose = 'ai-inference'
                     OR purpose = 'search' OR purpose = 'data-mining'),
    decision     TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
    effective_at TEXT NOT NULL,
    effective_us INTEGER NOT NULL,
    source       TEXT NOT NULL,
    import_id    INTEGER NOT NULL REFERENCES imports (id)
) STRICT;

INSERT INTO consent_events_new (id, identity, user_id, purpose, decision, effective_at,
                                effective_us, source, import_id)
SELECT id, identity, user_id, purpose, decision, effective_at, effective_us, source,
       import_id
FROM consent_events ORDER BY id;

DROP TABLE consent_events;

ALTER TABLE consent_events_new RENAME TO consent_events;

CREATE UNIQUE INDEX consent_events_by_identity ON consent_events (identity);

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
