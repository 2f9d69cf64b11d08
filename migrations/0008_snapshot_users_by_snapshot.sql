-- snapshot_users keyed by snapshot first. Keyed by user first (0002), every seal put
-- its users between the rows of every earlier snapshot: a seal rewrote the whole table
-- (0.5 s of a 2,000,000-post build's seal with ten snapshots in the store, growing with
-- each), and reading one snapshot's users (`audit verify`, `snapshot verify`) scanned
-- every snapshot's. Keyed by snapshot, a seal appends its users in user-id order to the
-- end of the tree, and a snapshot's users are one range. "Which snapshots included this
-- user" (the exposure report) is then a key lookup per sealed snapshot, from the
-- snapshots table. Rows and the sealed-rows triggers are kept as they were. Landed
-- migrations are never edited.

CREATE TABLE snapshot_users_by_snapshot (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    user_id     TEXT NOT NULL,
    records     INTEGER NOT NULL CHECK (records > 0),
    PRIMARY KEY (snapshot_id, user_id)
) STRICT, WITHOUT ROWID;

INSERT INTO snapshot_users_by_snapshot (snapshot_id, user_id, records)
SELECT snapshot_id, user_id, records FROM snapshot_users ORDER BY snapshot_id, user_id;

DROP TABLE snapshot_users;

ALTER TABLE snapshot_users_by_snapshot RENAME TO snapshot_users;

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
