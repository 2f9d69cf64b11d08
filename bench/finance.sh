#!/usr/bin/env bash
# The finance benchmark (issue 9): `consentry finance revenue` by month over DEALS deals
# (default 1,000) with 5-year terms, monthly invoices and payments
# (examples/finance_books.rs makes the store once; it is kept in target/bench/finance
# until the example changes). Reports the wall time of each report command, end to
# end (process start, reading the store, computing, printing JSON), best and median
# of RUNS (default 7). Target: revenue under 100 ms.
#
#   bash bench/finance.sh            DEALS=100 bash bench/finance.sh
#   CONSENTRY=path/to/older/consentry bash bench/finance.sh     (times that binary instead)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEALS=${DEALS:-1000}
RUNS=${RUNS:-7}
DIR=$ROOT/target/bench/finance
CONSENTRY=${CONSENTRY:-$ROOT/target/release/consentry}

say() { printf '==> %s\n' "$*"; }
fail() {
    printf 'bench: %s\n' "$*" >&2
    exit 2
}

say "building the release CLI and the books generator"
cargo build --release -p consentry --quiet --bin consentry --example finance_books ||
    fail "cargo build failed"

STAMP="deals=$DEALS example=$(sha256sum examples/finance_books.rs | cut -c1-16) schema=$(cat migrations/*.sql | sha256sum | cut -c1-16)"
DB=$DIR/books.db
if [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$STAMP" ] && [ -f "$DB" ]; then
    say "books already made ($STAMP)"
else
    say "making the books: $DEALS deals (every change through the library, fsync per commit)"
    rm -rf "$DIR"
    mkdir -p "$DIR"
    t0=$(date +%s)
    "$ROOT/target/release/examples/finance_books" "$DB" "$DEALS" || fail "the books generator failed"
    echo "$STAMP" >"$DIR/.stamp"
    say "made in $(($(date +%s) - t0)) s"
fi

counts=$(python3 - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
q = lambda t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
print(f"{q('deals')} deals, {q('invoices')} invoices, {q('payments')} payments")
PY
)
say "store: $counts"

time_it() { # label command...
    local label=$1
    shift
    local walls=()
    local rss=0
    for _ in $(seq 1 "$RUNS"); do
        local t0 t1
        t0=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$DIR/rss.txt" "$@" >"$DIR/out.json" || fail "$label failed"
        t1=$(date +%s%N)
        walls+=($(((t1 - t0) / 1000)))
        local r
        r=$(tail -1 "$DIR/rss.txt")
        ((r > rss)) && rss=$r
    done
    python3 - "$label" "$rss" "${walls[@]}" <<'PY'
import statistics, sys
label, rss, walls = sys.argv[1], int(sys.argv[2]), [int(w) / 1000 for w in sys.argv[3:]]
print(f"{label:<44}{min(walls):>9.1f}{statistics.median(walls):>10.1f}{rss / 1024:>13.1f}")
PY
}

echo
echo "Finance benchmark: $counts; $RUNS runs each, release CLI, warm cache"
printf '%-44s%9s%10s%13s\n' "command" "best ms" "median ms" "peak RSS MB"
time_it "finance revenue --group month (5 years)" \
    "$CONSENTRY" --db "$DB" finance revenue --from 2024-01-01 --to 2028-12-31 --group month --json
ROWS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$DIR/out.json")
time_it "finance revenue --group month --base USD" \
    "$CONSENTRY" --db "$DB" finance revenue --from 2024-01-01 --to 2028-12-31 --group month --base USD --json
time_it "finance deferred --at 2026-06-30" \
    "$CONSENTRY" --db "$DB" finance deferred --at 2026-06-30 --json
time_it "finance aging --at 2026-06-30" \
    "$CONSENTRY" --db "$DB" finance aging --at 2026-06-30 --json
echo "(the monthly revenue report has $ROWS rows)"
