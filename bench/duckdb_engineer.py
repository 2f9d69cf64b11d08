#!/usr/bin/env python3
"""The snapshot as a data engineer would write it in DuckDB: the fair peer (issue 11).

Where bench/duckdb_snapshot.py reproduces every rule of PRODUCT.md §2 and §3 to the
byte (raw lines, malformed lines, duplicates, source order), this is the query someone
would write instead of Consentry, on the same files:

- the eligible users from read_csv of the registry and the ledger: the latest decision
  per (user, purpose) as of T with arg_max, then, for each purpose the deal needs, no
  deny on the purpose or its parents, and an allow there or a country outside the
  opt-in list; active accounts, 18 or older on T's date;
- the posts with read_json (newline-delimited, malformed lines skipped), the eligible
  authors' posts created by T kept with a semi-join;
- written with COPY ... (FORMAT JSON), then fsynced (Consentry fsyncs before it seals),
  then hashed with `openssl dgst -sha256` (Consentry hashes what it writes).

Its output is not Consentry's: re-serialized JSON, in no set order, duplicates kept and
nothing counted per reason. So the benchmark compares its time, memory and included
count, not its bytes. Prints one JSON object with --json.
"""

import json
import os
import subprocess
import sys
import time

import duckdb

from duckdb_snapshot import PARENTS, arguments, parsed, sql_list


def chain(purpose):
    """The purpose and its ancestors: a deny on any of them withholds it."""
    out = []
    while purpose is not None:
        out.append(purpose)
        purpose = PARENTS[purpose]
    return out


def query(a):
    checks = []
    for i, p in enumerate(a.purposes):
        checks.append(
            f"bool_or(decision = 'deny' AND purpose IN {tuple(chain(p))!r}) AS deny_{i}, "
            f"bool_or(decision = 'allow' AND purpose IN {tuple(chain(p))!r}) AS allow_{i}"
        )
    passes = "\n      ".join(
        f"AND NOT coalesce(d.deny_{i}, false) "
        f"AND (coalesce(d.allow_{i}, false) OR NOT list_contains({sql_list(a.opt_in)}, u.country))"
        for i in range(len(a.purposes))
    )
    return f"""
WITH latest AS (
    SELECT user_id, purpose, arg_max(decision, effective_at) AS decision
    FROM read_csv('{a.ledger}')
    WHERE effective_at <= TIMESTAMPTZ '{a.as_of}'
    GROUP BY user_id, purpose
),
decisions AS (
    SELECT user_id, {", ".join(checks)}
    FROM latest
    GROUP BY user_id
),
eligible AS (
    SELECT u.user_id
    FROM read_csv('{a.users}') u LEFT JOIN decisions d ON d.user_id = u.user_id
    WHERE u.status = 'active'
      AND u.birth_date <= CAST(TIMESTAMPTZ '{a.as_of}' AS DATE) - INTERVAL 18 YEAR
      {passes}
)
SELECT p.*
FROM read_json('{a.posts}', format = 'newline_delimited', ignore_errors = true) p
WHERE p.author IN (SELECT user_id FROM eligible)
  AND p.created_utc <= epoch(TIMESTAMPTZ '{a.as_of}')"""


def main():
    ap = arguments(__doc__)
    ap.add_argument("--out", required=True, help="the JSON Lines file to write")
    ap.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the query, write nothing"
    )
    a = parsed(ap)

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if a.temp_dir:
        con.execute(f"SET temp_directory = '{a.temp_dir}'")
    q = query(a)
    if a.explain:
        for _, plan in con.execute(f"EXPLAIN ANALYZE {q}").fetchall():
            print(plan)
        return

    started = time.monotonic()
    included = con.execute(f"COPY ({q}) TO '{a.out}' (FORMAT JSON)").fetchone()[0]
    copied = time.monotonic()
    fd = os.open(a.out, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    synced = time.monotonic()
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-r", a.out], check=True, capture_output=True, text=True
    ).stdout.split()[0]
    hashed = time.monotonic()
    result = {
        "included": included,
        "query_s": round(copied - started, 3),
        "fsync_s": round(synced - copied, 3),
        "sha256_s": round(hashed - synced, 3),
        "out_bytes": os.path.getsize(a.out),
        "sha256": digest,
    }
    print(json.dumps(result) if a.json else result)


if __name__ == "__main__":
    main()
