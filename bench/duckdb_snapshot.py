#!/usr/bin/env python3
"""The Consentry snapshot rules as ONE DuckDB SQL query: the benchmark's reference.

Reads the same three inputs as `consentry snapshot build` (posts JSONL, registry CSV,
consent ledger CSV), applies PRODUCT.md §2 and §3, and writes the included post lines
byte for byte, in source order, to one JSONL file. Prints the included count and the
query's wall time (and, with --json, a JSON object).

How the rules map to SQL:
- posts are read as raw lines (one VARCHAR column; no quoting, no escaping), numbered
  in file order with row_number() OVER (); a line is well-formed when it is valid JSON,
  with a non-empty string `id`, a non-empty string `author` and a numeric
  `created_utc`; everything else is rejected;
- duplicates: among well-formed lines only, the first line of each id wins, whatever
  happens to it afterwards (after the cut-off, unknown author, ...);
- the ledger counts events with effective_at <= T; per (user, purpose) the latest event
  decides and, at equal instants, deny wins (arg_max over 2*epoch_us + is_deny);
- the chain of a purpose is built by a recursive CTE over the purpose tree; per required
  purpose: any deny on the chain excludes, else any allow includes, else the country's
  regime decides (opt-in countries exclude);
- regardless of consent: the author must be in the registry, active, with a birth date,
  and 18 or older in full years on T's UTC date (29 February birthdays fall on 1 March in
  common years, which the month/day comparison gives);
- a record is kept when its line is well-formed, first of its id, created at or before T
  and its author passes for EVERY required purpose.

The output is written with COPY ... (FORMAT csv) of the single raw-line column, with no
quote, no escape and no header, so the bytes are the source bytes plus '\\n'.

Differences from consentry on inputs the generator never writes (so they do not affect
the benchmark): consentry also reads `created_utc` given as a string (digits or RFC 3339)
and rejects exponent notation, rejects a mapped key given twice and keeps CRLF line
ends; DuckDB's JSON functions accept trailing commas and NaN/Infinity, which consentry
rejects; lines with invalid UTF-8 or a 0x01 byte stop DuckDB's CSV reader.
"""

import argparse
import json
import sys
import time

import duckdb

PARENTS = {
    "partner-sharing": None,
    "ai-training": "partner-sharing",
    "genai-training": "ai-training",
    "ai-inference": "partner-sharing",
    "search": "partner-sharing",
    "data-mining": "partner-sharing",
}

DEFAULT_OPT_IN = (
    "AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU "
    "IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"
).split()

# The delimiter of the raw-line "CSV": a byte that cannot occur in a valid JSON line
# (control characters must be escaped inside JSON strings).
RAW = "delim = '\x01', quote = '', escape = '', header = false, auto_detect = false"


def sql_list(items):
    return "[" + ", ".join("'" + i.replace("'", "''") + "'" for i in items) + "]"


def common_ctes(a):
    """Every CTE up to `kept` (the well-formed, first-of-id lines with their author and
    created-at) and `eligible` (registry users who pass for every required purpose)."""
    parents = ", ".join(
        f"('{p}', {('NULL' if q is None else repr(q))})" for p, q in PARENTS.items()
    )
    return f"""
WITH RECURSIVE
params AS (
    SELECT TIMESTAMPTZ '{a.as_of}' AS t,
           epoch(TIMESTAMPTZ '{a.as_of}') AS t_epoch,
           CAST(TIMESTAMPTZ '{a.as_of}' AS DATE) AS t_date
),
parents(purpose, parent) AS (VALUES {parents}),
required AS (SELECT unnest({sql_list(a.purposes)}) AS purpose),
-- chain(req, member): the required purpose and each of its ancestors.
chain(req, member) AS (
    SELECT purpose, purpose FROM required
    UNION ALL
    SELECT c.req, p.parent FROM chain c JOIN parents p ON p.purpose = c.member
    WHERE p.parent IS NOT NULL
),
users AS (
    SELECT trim(user_id) AS user_id, upper(trim(country)) AS country, birth_date,
           trim(status) AS status
    FROM read_csv('{a.users}', header = true, auto_detect = false,
                  columns = {{'user_id': 'VARCHAR', 'country': 'VARCHAR',
                             'birth_date': 'DATE', 'status': 'VARCHAR'}})
),
ledger AS (
    SELECT trim(user_id) AS user_id, trim(purpose) AS purpose, trim(decision) AS decision,
           effective_at
    FROM read_csv('{a.ledger}', header = true, auto_detect = false,
                  columns = {{'user_id': 'VARCHAR', 'purpose': 'VARCHAR',
                             'decision': 'VARCHAR', 'effective_at': 'TIMESTAMPTZ',
                             'source': 'VARCHAR'}})
),
-- The latest decision per (user, purpose) as of T; at equal instants deny wins.
latest AS (
    SELECT l.user_id, l.purpose,
           arg_max(l.decision, epoch_us(l.effective_at) * 2
                               + CAST(l.decision = 'deny' AS BIGINT)) AS decision
    FROM ledger l, params
    WHERE l.effective_at <= params.t
    GROUP BY l.user_id, l.purpose
),
-- Per user and required purpose: is there a deny / an allow anywhere on the chain?
chain_decisions AS (
    SELECT lt.user_id, c.req,
           bool_or(lt.decision = 'deny') AS any_deny,
           bool_or(lt.decision = 'allow') AS any_allow
    FROM latest lt JOIN chain c ON c.member = lt.purpose
    GROUP BY lt.user_id, c.req
),
adults AS (
    SELECT u.user_id, u.country
    FROM users u, params
    WHERE u.status = 'active'
      AND u.birth_date IS NOT NULL
      AND year(params.t_date) - year(u.birth_date)
          - CASE WHEN month(params.t_date) < month(u.birth_date)
                      OR (month(params.t_date) = month(u.birth_date)
                          AND day(params.t_date) < day(u.birth_date)) THEN 1 ELSE 0 END >= 18
),
eligible AS (
    SELECT ad.user_id
    FROM adults ad CROSS JOIN required r
    LEFT JOIN chain_decisions d ON d.user_id = ad.user_id AND d.req = r.purpose
    GROUP BY ad.user_id, ad.country
    HAVING bool_and(CASE WHEN coalesce(d.any_deny, false) THEN false
                         WHEN coalesce(d.any_allow, false) THEN true
                         ELSE NOT list_contains({sql_list(a.opt_in)}, ad.country)
                    END)
),
-- Read twice (fields, and the final SELECT of the included lines). NOT MATERIALIZED
-- asks for two scans, but DuckDB 2.0.1 ignores the hint here and materializes the CTE:
-- every raw line is held in memory (2.0 to 2.3 GB peak RSS at 2,000,000 posts,
-- bench/README.md). That makes this query a slow peer, which is why
-- bench/duckdb_engineer.py is measured too.
raw AS NOT MATERIALIZED (
    SELECT line, row_number() OVER () AS ln
    FROM read_csv('{a.posts}', columns = {{'line': 'VARCHAR'}}, {RAW})
),
fields AS (
    SELECT ln, line,
           -- NULL when the line is not JSON; a valid non-object has none of the fields.
           try(json_extract(line, ['$.id', '$.author', '$.created_utc'])) AS f
    FROM raw
),
parsed AS (
    SELECT ln, line,
           coalesce(json_type(f[1]) = 'VARCHAR' AND f[1] ->> '$' <> ''
                    AND json_type(f[2]) = 'VARCHAR' AND f[2] ->> '$' <> ''
                    AND json_type(f[3]) IN ('UBIGINT', 'BIGINT', 'DOUBLE'), false) AS ok,
           f[1] ->> '$' AS id, f[2] ->> '$' AS author,
           CAST(f[3] ->> '$' AS DOUBLE) AS created
    FROM fields
),
-- Duplicates are judged among well-formed lines: the first line of an id wins.
kept AS (
    SELECT min(ln) AS ln, arg_min(author, ln) AS author, arg_min(created, ln) AS created
    FROM parsed
    WHERE ok
    GROUP BY id
)"""


def snapshot_query(a):
    return (
        common_ctes(a)
        + """
,
included AS (
    SELECT k.ln
    FROM kept k JOIN eligible e ON e.user_id = k.author, params
    WHERE k.created <= params.t_epoch
)
-- The included lines as they are, in source order.
SELECT r.line
FROM raw r SEMI JOIN included i ON i.ln = r.ln
ORDER BY r.ln"""
    )


def breakdown_query(a):
    """Each non-blank line under the first reason that applies, in consentry's order."""
    return (
        common_ctes(a)
        + """,
firsts AS (SELECT ln FROM kept)
SELECT CASE
         WHEN NOT p.ok THEN 'rejected'
         WHEN fi.ln IS NULL THEN 'duplicate_id'
         WHEN p.created > params.t_epoch THEN 'after_cutoff'
         WHEN u.user_id IS NULL THEN 'unknown_user'
         WHEN u.status <> 'active' THEN 'account_status'
         WHEN u.birth_date IS NULL THEN 'age_unknown'
         WHEN ad.user_id IS NULL THEN 'minor'
         WHEN e.user_id IS NULL THEN 'no_consent'
         ELSE 'included'
       END AS reason,
       count(*) AS n
FROM parsed p
CROSS JOIN params
LEFT JOIN firsts fi ON fi.ln = p.ln
LEFT JOIN users u ON u.user_id = p.author
LEFT JOIN adults ad ON ad.user_id = p.author
LEFT JOIN eligible e ON e.user_id = p.author
WHERE trim(coalesce(p.line, ''), ' \t\r\n') <> ''
GROUP BY ALL
ORDER BY reason"""
    )


def arguments(doc):
    """The arguments both DuckDB scripts take: the three inputs, T, the purposes, the
    opt-in countries, the output and DuckDB's spill folder."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--posts", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--ledger", required=True)
    ap.add_argument("--as-of", default="2026-01-01T00:00:00Z")
    ap.add_argument("--purposes", default="genai-training,ai-inference")
    ap.add_argument("--opt-in", default=",".join(DEFAULT_OPT_IN))
    ap.add_argument("--temp-dir", help="where DuckDB may spill (default: .tmp here)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    return ap


def parsed(ap):
    """The arguments of `ap`, checked: known purposes, and no quote in a path (they are
    spliced into the SQL)."""
    a = ap.parse_args()
    a.purposes = [p.strip() for p in a.purposes.split(",") if p.strip()]
    a.opt_in = [c.strip().upper() for c in a.opt_in.split(",") if c.strip()]
    for p in a.purposes:
        if p not in PARENTS:
            sys.exit(f"unknown purpose {p!r}")
    for name in ("posts", "users", "ledger", "out", "temp_dir"):
        v = getattr(a, name)
        if v is not None and "'" in v:
            sys.exit(f"--{name}: a path with a quote is not supported")
    return a


def main():
    ap = arguments(__doc__)
    ap.add_argument("--out", help="the JSONL file to write the included lines to")
    ap.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    ap.add_argument(
        "--breakdown",
        action="store_true",
        help="instead of writing, count every line under its exclusion reason",
    )
    ap.add_argument("--print-sql", action="store_true")
    a = parsed(ap)
    if not a.breakdown and not a.out:
        sys.exit("--out is required (or --breakdown)")

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Output order must be source order (COPY of an ORDER BY keeps it).
    con.execute("SET preserve_insertion_order = true")
    if a.temp_dir:
        con.execute(f"SET temp_directory = '{a.temp_dir}'")
    if a.threads:
        con.execute(f"SET threads = {a.threads}")

    if a.breakdown:
        q = breakdown_query(a)
        if a.print_sql:
            print(q)
        started = time.monotonic()
        rows = con.execute(q).fetchall()
        wall = time.monotonic() - started
        counts = {r: n for r, n in rows}
        if a.json:
            print(json.dumps({"breakdown": counts, "wall_s": round(wall, 3)}))
        else:
            for r, n in rows:
                print(f"{r:16} {n}")
        return

    q = snapshot_query(a)
    if a.print_sql:
        print(q)
    copy = (
        f"COPY ({q}) TO '{a.out}' "
        "(FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')"
    )
    started = time.monotonic()
    included = con.execute(copy).fetchone()[0]
    wall = time.monotonic() - started
    if a.json:
        print(json.dumps({"included": included, "wall_s": round(wall, 3), "out": a.out}))
    else:
        print(f"included {included} records in {wall:.3f} s -> {a.out}")


if __name__ == "__main__":
    main()
