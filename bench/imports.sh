#!/usr/bin/env bash
# The imports benchmark (issue 11 part 3): the registry and the ledger of IMPORT_USERS
# users (default 5,000,000; the ledger has about 0.93 events a user), as CSV and as JSON
# Lines, each imported by the release CLI into a fresh store, then imported again
# unchanged (nothing to write). Prints, per import, the rows, the report's
# rows_per_second, rows per second of the process's wall time (start to exit, store
# open and commit included) and the peak RSS (GNU time). Targets: 500,000 rows/s for a
# first import, 1,000,000 for an unchanged one; a missed target is flagged, not failed.
# After the ledger's first CSV import it also prints SQLite's own floor for that import:
# the same events written by SQLite alone into the same schema (bench/ledger_floor.py).
#
#   bash bench/imports.sh                        (what `make bench` runs)
#   IMPORT_USERS=500000 bash bench/imports.sh    (a quick run)
#   CONSENTRY=/path/to/consentry bash bench/imports.sh   (times another build of the CLI)
#   IMPORT_DATA=/big/disk bash bench/imports.sh  (where the files and stores go)
#
# The files are made once (bench/gen, then a Python conversion to JSON Lines) and kept
# until the size or the generator changes; the stores are removed after each import.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
USERS=${IMPORT_USERS:-5000000}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DIR=${IMPORT_DATA:-$ROOT/target/bench/imports}
GEN=$ROOT/target/bench/gen-build/release/consentry-bench-gen

say() { printf '==> %s\n' "$*"; }
fail() {
    printf 'bench: %s\n' "$*" >&2
    exit 2
}

[ -x /usr/bin/time ] || sudo apt-get install -y time >/dev/null || fail "GNU time is missing"
if [ -z "${CONSENTRY:-}" ]; then
    say "building the release CLI"
    cargo build --release --quiet -p consentry --bin consentry || fail "cargo build failed"
    CONSENTRY=$TARGET/release/consentry
fi
cargo build --release --quiet --manifest-path bench/gen/Cargo.toml \
    --target-dir "$ROOT/target/bench/gen-build" || fail "generator build failed"

STAMP="users=$USERS gen=$(sha256sum bench/gen/src/main.rs | cut -c1-16)"
DATA=$DIR/data
if [ -f "$DATA/.stamp" ] && [ "$(cat "$DATA/.stamp")" = "$STAMP" ]; then
    say "files already made ($STAMP)"
else
    say "generating $USERS users and their ledger, CSV and JSON Lines"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    "$GEN" --posts 1 --users "$USERS" --out "$DATA" >/dev/null || fail "the generator failed"
    rm -f "$DATA/posts.jsonl"
    for kind in users ledger; do
        python3 - "$DATA/$kind.csv" "$DATA/$kind.jsonl" <<'PY' || fail "the JSON Lines conversion failed"
import csv, json, sys
with open(sys.argv[1], newline="") as src, open(sys.argv[2], "w") as out:
    rows = csv.reader(src)
    header = next(rows)
    for row in rows:
        # An empty birth date is null in JSON Lines, as an export would write it.
        record = {k: (None if v == "" and k == "birth_date" else v) for k, v in zip(header, row)}
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
PY
    done
    echo "$STAMP" >"$DATA/.stamp"
fi

say "machine: $(nproc) cores; $(uptime | sed 's/.*load/load/')"
say "CLI: $CONSENTRY"
RESULTS=$DIR/results.txt
printf '%-8s %-6s %-9s %10s %10s %12s %12s %9s %8s\n' kind format run rows wall_s \
    report_r/s wall_r/s rss_MB target | tee "$RESULTS"
missed=0
FLOOR=""
# One import: prints its line and flags a missed target.
run_import() {
    local db=$1 kind=$2 file=$3 format=$4 run=$5 target=$6
    local command=users
    [ "$kind" = ledger ] && command=consent
    local start end
    start=$(date +%s%N)
    /usr/bin/time -o "$DIR/time" -f '%M' "$CONSENTRY" --db "$db" "$command" import "$file" \
        --json >"$DIR/report.json" 2>"$DIR/stderr" || fail "$kind import of $file failed: $(cat "$DIR/stderr")"
    end=$(date +%s%N)
    python3 - "$DIR/report.json" "$DIR/time" "$start" "$end" "$kind" "$format" "$run" "$target" <<'PY' | tee -a "$RESULTS"
import json, sys
report = json.load(open(sys.argv[1]))
rss_kb = int(open(sys.argv[2]).read().split()[-1])
wall = (int(sys.argv[4]) - int(sys.argv[3])) / 1e9
kind, fmt, run, target = sys.argv[5], sys.argv[6], sys.argv[7], int(sys.argv[8])
rows = report["rows_read"]
wall_rate = rows / wall
flag = "ok" if min(wall_rate, report["rows_per_second"]) >= target else "MISSED"
print(f"{kind:<8} {fmt:<6} {run:<9} {rows:>10} {wall:>10.2f} {report['rows_per_second']:>12,} "
      f"{wall_rate:>12,.0f} {rss_kb / 1000:>9.0f} {flag:>8}")
PY
}
for kind in registry ledger; do
    name=users
    [ "$kind" = ledger ] && name=ledger
    for format in csv jsonl; do
        db=$DIR/store-$kind-$format.db
        rm -f "$db" "$db-wal" "$db-shm"
        run_import "$db" "$kind" "$DATA/$name.$format" "$format" first 500000
        if [ "$kind.$format" = ledger.csv ]; then
            # SQLite alone writing the same events into the same schema: no import can
            # be faster (bench/ledger_floor.py).
            python3 bench/ledger_floor.py "$db" "$DIR" >"$DIR/floor.txt" ||
                fail "the ledger floor failed"
            FLOOR=$(cat "$DIR/floor.txt")
        fi
        run_import "$db" "$kind" "$DATA/$name.$format" "$format" unchanged 1000000
        rm -f "$db" "$db-wal" "$db-shm"
    done
done
say "SQLite's own floor for the ledger's first import (bench/ledger_floor.py):"
sed 's/^/    /' <<<"$FLOOR" | tee -a "$RESULTS"
grep -q MISSED "$RESULTS" && missed=1
say "results in $RESULTS"
[ "$missed" = 0 ] || say "some targets were missed (flagged above)"
