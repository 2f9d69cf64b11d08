-- The registry's checks worded as the ledger's were by 0009 (issue 11 part 3): the same
-- rules, in a form cheaper per row, since a registry import inserts millions of users.
-- `status IN (...)` of three values makes SQLite build a lookup table in every
-- statement that inserts or updates users and search it for every row (a list of two
-- or fewer is compared value by value); the statuses as comparisons are the same test.
-- A non-empty id as `<> ''` instead of a call of `length()`. The country keeps
-- `length(country) = 2` (two characters, not two bytes, as 0002 said).
--
-- SQLite cannot change a table's checks in place, so the table is made again: the same
-- columns, types, key and layout (WITHOUT ROWID), every row copied in key order. No
-- index, trigger or key refers to users.
-- Landed migrations are never edited; change the schema with a new file.

CREATE TABLE users_new (
    user_id       TEXT PRIMARY KEY CHECK (user_id <> ''),
    country       TEXT NOT NULL CHECK (length(country) = 2),
    birth_date    TEXT,
    status        TEXT NOT NULL CHECK (status = 'active' OR status = 'deleted'
                      OR status = 'suspended'),
    first_seen_at TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO users_new (user_id, country, birth_date, status, first_seen_at, updated_at)
SELECT user_id, country, birth_date, status, first_seen_at, updated_at
FROM users ORDER BY user_id;

DROP TABLE users;

ALTER TABLE users_new RENAME TO users;
