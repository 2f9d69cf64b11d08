#!/usr/bin/env bash
# The scale benchmark (issue 10, point 7): the release app on a store of SCALE_DEALS
# deals (default 10,000) of SCALE_PARTNERS partners (500), 10 invoices each (100,000),
# and about SCALE_USERS x 0.93 ledger events (default 1,080,000 registry users: about
# 1,000,000 events). Measures, in the
# real WebView through WebDriver (e2e/tests/scale.rs, run by scripts/e2e.sh under Xvfb):
# the time to the first screen (from the page's navigation start, and from the session
# request that launches the app), and the time from a sort click or a filter keystroke
# to the table's next frame, per table. Targets: first screen within 1.5 s, sort and
# filter within 200 ms; a missed target is flagged in the report, not failed.
#
#   bash bench/scale.sh                       (what `make bench` runs)
#   SCALE_DEALS=1000 SCALE_USERS=100000 bash bench/scale.sh     (a quick run)
#   APP_PROFILE=app bash bench/scale.sh       (times target/app/consentry-app instead)
#   SCALE_RUNS=5 bash bench/scale.sh          (launches, and interactions, per figure)
#
# The store is made once by examples/scale_store.rs (through the library's operations,
# so `audit verify` passes: the script checks it) on /dev/shm, where fsync costs nothing,
# then copied to target/bench/scale/ and kept until the sizes, the example or the schema
# change. Each launch works on a fresh copy of it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
DEALS=${SCALE_DEALS:-10000}
PARTNERS=${SCALE_PARTNERS:-500}
LEDGER_USERS=${SCALE_USERS:-1080000}
RUNS=${SCALE_RUNS:-3}
APP_PROFILE=${APP_PROFILE:-dist}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DIR=$ROOT/target/bench/scale
GEN=$ROOT/target/bench/gen-build/release/consentry-bench-gen

say() { printf '==> %s\n' "$*"; }
fail() {
    printf 'bench: %s\n' "$*" >&2
    exit 2
}

say "building the UI and the $APP_PROFILE app, CLI and store maker"
npm --prefix ui run build >/dev/null || fail "the UI build failed"
# Two invocations: an example brings the dev-dependencies' features, which would make
# the app's dependencies rebuild in another feature set than the app's own build.
cargo build --profile "$APP_PROFILE" --quiet -p consentry-app ||
    fail "cargo build failed"
cargo build --profile "$APP_PROFILE" --quiet -p consentry --bin consentry --example scale_store ||
    fail "cargo build failed"
cargo build --release --quiet --manifest-path bench/gen/Cargo.toml \
    --target-dir "$ROOT/target/bench/gen-build" || fail "generator build failed"
BIN=$TARGET/$APP_PROFILE
[ "$APP_PROFILE" = dev ] && BIN=$TARGET/debug

STAMP="deals=$DEALS partners=$PARTNERS users=$LEDGER_USERS example=$(sha256sum examples/scale_store.rs bench/gen/src/main.rs | sha256sum | cut -c1-16) schema=$(cat migrations/*.sql | sha256sum | cut -c1-16)"
DB=$DIR/store.db
if [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$STAMP" ] && [ -f "$DB" ]; then
    say "store already made ($STAMP)"
else
    rm -rf "$DIR"
    mkdir -p "$DIR"
    work=$(mktemp -d /dev/shm/consentry-scale.XXXXXX)
    # shellcheck disable=SC2064 # the folder is known now
    trap "rm -rf '$work'" EXIT
    say "generating $LEDGER_USERS registry users and their ledger"
    "$GEN" --posts 1 --users "$LEDGER_USERS" --out "$work/data" >/dev/null || fail "generator failed"
    say "making the store: $PARTNERS partners, $DEALS deals with 10 invoices each, the registry, the ledger"
    t0=$(date +%s%N)
    "$BIN/examples/scale_store" "$work/store.db" "$DEALS" "$PARTNERS" \
        "$work/data/users.csv" "$work/data/ledger.csv" || fail "the store maker failed"
    t1=$(date +%s%N)
    "$BIN/consentry" --db "$work/store.db" audit verify >/dev/null || fail "audit verify failed on the new store"
    t2=$(date +%s%N)
    # One self-contained file (no -wal beside it) for the copies each launch starts from.
    python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$work/store.db"
    cp "$work/store.db" "$DB"
    printf '%s\n' "$(((t1 - t0) / 1000000))" >"$DIR/seed-ms"
    printf '%s\n' "$(((t2 - t1) / 1000000))" >"$DIR/verify-ms"
    echo "$STAMP" >"$DIR/.stamp"
    rm -rf "$work"
    trap - EXIT
fi
say "store made in $(($(cat "$DIR/seed-ms") / 1000)) s; audit verify ok in $(cat "$DIR/verify-ms") ms"
counts=$(python3 - "$DB" <<'PY'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
q = lambda t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
print(f"{q('partners'):,} partners, {q('deals'):,} deals, {q('invoices'):,} invoices, "
      f"{q('payments'):,} payments, {q('users'):,} users, {q('consent_events'):,} ledger events, "
      f"{q('audit_log'):,} audit entries; {os.path.getsize(sys.argv[1]) / 1e6:.0f} MB")
PY
)
say "store: $counts"

# Other WebDriver runs may share the machine: the first free pair of ports from 4444.
export E2E_DRIVER_PORT=${E2E_DRIVER_PORT:-free}
SCALE_DB=$DB SCALE_RUNS=$RUNS SCALE_OUT=$DIR/results.json SCALE_STORE="$counts" \
    CONSENTRY_APP_BIN=$BIN/consentry-app scripts/e2e.sh --ignored --exact scale_bench --nocapture ||
    fail "the WebDriver measurement failed (logs in target/e2e/)"
