"""SQLite's own floor for a ledger import (issue 11 part 3).

Given a store into which a ledger was just imported, writes the same events again into
a fresh SQLite file with the store's own schema for them (the table, its checks and its
indexes, read from the store), as SQLite alone would: one `INSERT ... SELECT` in id
order, the indexes created after it, one commit with the pragmas an import uses (WAL,
`synchronous=FULL`, foreign keys checked, a 256 MiB cache for the inserts, two sorter
threads and a 2 MiB cache for the index builds), then the close, which checkpoints the
WAL into the file. No file is read, parsed or hashed: what it measures is about the
least time any import into this schema can take on this machine (an import's own
SQLite may be a little faster or slower), and its rows/s about the most any can reach.

    python3 bench/ledger_floor.py STORE SCRATCH_DIR

Prints one line per phase and a last line `floor <rows> <seconds> <rows/s>`. Python's
`sqlite3` module is used: its SQLite is Debian's (the version is printed), not the one
Consentry bundles, and the two differ by a few releases.
"""

import os
import sqlite3
import sys
import time


def main() -> None:
    store, scratch = sys.argv[1], sys.argv[2]
    target = os.path.join(scratch, "ledger-floor.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    table, indexes = schema(source)
    rows = source.execute("SELECT count(*) FROM consent_events").fetchone()[0]
    source.close()

    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA cache_size = -262144")
    db.execute("CREATE TABLE imports (id INTEGER PRIMARY KEY)")
    db.execute(table)
    db.execute("ATTACH ? AS src", (f"file:{store}?mode=ro",))
    # The source's pages are read once beforehand, so that reading them is not timed.
    db.execute("SELECT count(*), sum(length(source)) FROM src.consent_events").fetchone()
    phases = []
    started = time.perf_counter()

    def phase(name: str) -> None:
        phases.append((name, time.perf_counter()))

    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO imports (id) SELECT DISTINCT import_id FROM src.consent_events")
    db.execute("INSERT INTO main.consent_events SELECT * FROM src.consent_events ORDER BY id")
    phase("insert")
    db.execute("PRAGMA threads = 2")
    db.execute("PRAGMA cache_size = -2048")
    for name, sql in indexes:
        db.execute(sql)
        phase(f"index {name}")
    db.execute("COMMIT")
    phase("commit")
    db.execute("DETACH src")
    db.close()
    phase("close")
    print(f"SQLite {sqlite3.sqlite_version}; {len(indexes)} index(es); {rows:,} events")
    last = started
    for name, at in phases:
        print(f"  {name}: {at - last:.2f} s")
        last = at
    total = last - started
    print(f"floor {rows} {total:.2f} {rows / total:.0f}")
    os.remove(target)


def schema(conn: sqlite3.Connection) -> tuple[str, list[tuple[str, str]]]:
    """The ledger table's statement and its indexes' (name, statement), as stored."""
    table = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'consent_events'"
    ).fetchone()[0]
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' "
        "AND tbl_name = 'consent_events' AND sql IS NOT NULL ORDER BY name"
    ).fetchall()
    return table, indexes


if __name__ == "__main__":
    main()
