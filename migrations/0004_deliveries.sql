-- Deliveries (PRODUCT.md §4): signing keys, delivered packages, push receipts,
-- withdrawal notices and the records they withdrew. Landed migrations are never edited.

-- How many days a partner has to act on a withdrawal notice (the notice's due date).
ALTER TABLE deals ADD COLUMN withdrawal_days INTEGER NOT NULL DEFAULT 30
    CHECK (withdrawal_days BETWEEN 1 AND 3650);

-- The store's Ed25519 signing keys: the current one (retired_at NULL) and every earlier
-- one, whose public half still verifies old deliveries. The secret half is never here:
-- it is in the OS secret store or in a file only the user can read (secret_store).
CREATE TABLE signing_keys (
    id           INTEGER PRIMARY KEY,
    key_id       TEXT NOT NULL UNIQUE CHECK (length(key_id) = 16),
    public_key   TEXT NOT NULL,
    secret_store TEXT NOT NULL CHECK (secret_store IN ('keyring', 'file')),
    created_at   TEXT NOT NULL,
    retired_at   TEXT
) STRICT;

CREATE UNIQUE INDEX one_current_signing_key ON signing_keys (retired_at IS NULL)
    WHERE retired_at IS NULL;

-- One delivered package: a sealed snapshot of the deal, a manifest signed with a key,
-- a sequence per deal that only increases.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    deal_id         INTEGER NOT NULL REFERENCES deals (id),
    snapshot_id     INTEGER NOT NULL REFERENCES snapshots (id),
    sequence        INTEGER NOT NULL CHECK (sequence > 0),
    out_dir         TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    files           TEXT NOT NULL,
    records         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (deal_id, sequence)
) STRICT;

CREATE INDEX deliveries_by_snapshot ON deliveries (snapshot_id);

CREATE TRIGGER deliveries_never_change BEFORE UPDATE ON deliveries
BEGIN
    SELECT RAISE(ABORT, 'a delivery never changes');
END;

CREATE TRIGGER deliveries_are_never_deleted BEFORE DELETE ON deliveries
BEGIN
    SELECT RAISE(ABORT, 'a delivery never changes');
END;

-- What a push put where: one row per object, written as soon as the object is stored,
-- so an interrupted push keeps what it did.
CREATE TABLE delivery_receipts (
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    destination TEXT NOT NULL,
    object_key  TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    etag        TEXT,
    version     TEXT,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (delivery_id, destination, object_key)
) STRICT;

-- Signed withdrawal notices: per deal, a sequence that only increases.
CREATE TABLE withdrawal_notices (
    id                 INTEGER PRIMARY KEY,
    deal_id            INTEGER NOT NULL REFERENCES deals (id),
    sequence           INTEGER NOT NULL CHECK (sequence > 0),
    as_of              TEXT NOT NULL,
    issued_at          TEXT NOT NULL,
    due_date           TEXT NOT NULL,
    nonce              TEXT NOT NULL,
    out_file           TEXT NOT NULL,
    notice_sha256      TEXT NOT NULL,
    key_id             TEXT NOT NULL,
    record_count       INTEGER NOT NULL,
    user_count         INTEGER NOT NULL,
    records_sha256     TEXT NOT NULL,
    acknowledged_on    TEXT,
    attestation        TEXT,
    attestation_sha256 TEXT,
    UNIQUE (deal_id, sequence)
) STRICT;

-- Every record a notice withdrew, so that a later notice never lists it again, and the
-- exposure report can say which notice covered a user's records.
CREATE TABLE withdrawn_records (
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    record_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    notice_id   INTEGER NOT NULL REFERENCES withdrawal_notices (id),
    PRIMARY KEY (delivery_id, record_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX withdrawn_records_by_user ON withdrawn_records (user_id, notice_id);

CREATE TRIGGER withdrawn_records_never_change BEFORE UPDATE ON withdrawn_records
BEGIN
    SELECT RAISE(ABORT, 'a withdrawal notice never changes');
END;

CREATE TRIGGER withdrawn_records_are_never_deleted BEFORE DELETE ON withdrawn_records
BEGIN
    SELECT RAISE(ABORT, 'a withdrawal notice never changes');
END;
