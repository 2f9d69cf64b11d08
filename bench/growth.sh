#!/usr/bin/env bash
# How the snapshot build grows (issue 11 part 5): build time and peak RSS at 1, 2 and 4
# million posts (500,000 users) and at 0.5, 2 and 5 million users (2 million posts), on
# bench/gen's data. For each size: the data (kept in target/bench/growth/ until the
# generator changes), a store with a signed deal and the registry and ledger imported,
# then REPEAT builds with the release CLI, each on a dropped page cache when allowed
# (as bench/run.sh), under /usr/bin/time -v. Prints a table and writes
# target/bench/growth/results.txt.
#
#   bash bench/growth.sh                          (make bench does not run it: ~15 min)
#   SIZES="200000:50000 400000:50000" bash bench/growth.sh      (posts:users pairs)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
SIZES=${SIZES:-"1000000:500000 2000000:500000 4000000:500000 2000000:2000000 2000000:5000000"}
REPEAT=${REPEAT:-2}
SEED=${SEED:-42}
AS_OF=2026-01-01T00:00:00Z
PURPOSES=genai-training,ai-inference
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$ROOT/target/bench/growth
GEN=$ROOT/target/bench/gen-build/release/consentry-bench-gen
CONSENTRY=$TARGET/release/consentry

# shellcheck source=bench/store.sh
source "$ROOT/bench/store.sh"
say() { printf '==> %s\n' "$*"; }
fail() {
    printf 'bench: %s\n' "$*" >&2
    exit 2
}
now_ns() { date +%s%N; }
[ -x /usr/bin/time ] || fail "GNU time is missing (bash bench/run.sh installs it)"

say "building the release CLI and the generator"
cargo build --release --quiet -p consentry --bin consentry || fail "cargo build failed"
cargo build --release --quiet --manifest-path bench/gen/Cargo.toml \
    --target-dir "$ROOT/target/bench/gen-build" || fail "generator build failed"
GEN_SHA=$(cat bench/gen/Cargo.toml bench/gen/src/main.rs | sha256sum | cut -c1-16)

mkdir -p "$WORK"
results=$WORK/results.txt
: >"$results"
for size in $SIZES; do
    posts=${size%:*}
    users=${size#*:}
    data=$WORK/p$posts-u$users
    stamp="posts=$posts users=$users seed=$SEED generator=$GEN_SHA"
    if [ ! -f "$data/.stamp" ] || [ "$(cat "$data/.stamp")" != "$stamp" ]; then
        say "generating $posts posts and $users users"
        rm -rf "$data"
        "$GEN" --posts "$posts" --users "$users" --seed "$SEED" --out "$data" >/dev/null ||
            fail "generator failed"
        echo "$stamp" >"$data/.stamp"
    fi
    run=$data/run
    rm -rf "$run"
    mkdir -p "$run"
    db=$run/store.db
    say "$posts posts, $users users: the store and its imports"
    bench_store "$CONSENTRY" "$db" "$PURPOSES" "$data/users.csv" "$data/ledger.csv" ||
        fail "cannot make the store for $size"
    events=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM consent_events").fetchone()[0])' "$db")
    for i in $(seq 1 "$REPEAT"); do
        if sync && { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
            cache=cold
        else
            cache=warm
        fi
        say "$posts posts, $users users: build $i/$REPEAT ($cache cache)"
        t0=$(now_ns)
        /usr/bin/time -v -o "$run/time-$i.txt" "$CONSENTRY" --db "$db" snapshot build \
            --deal 1 --source "$data/posts.jsonl" --as-of "$AS_OF" --out "$run/out-$i" \
            --json >"$run/build-$i.json" || fail "the build failed"
        t1=$(now_ns)
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$run/time-$i.txt")
        echo "$posts $users $events $(stat -c %s "$data/posts.jsonl") $i $(((t1 - t0) / 1000000)) $rss $cache $run/build-$i.json" >>"$results"
        rm -rf "$run/out-$i"
    done
done

python3 - "$results" <<'EOF'
import json, sys
rows = [line.split() for line in open(sys.argv[1])]
print()
print("The snapshot build by size (release CLI, best wall of the runs; peak RSS the highest):")
print(f"{'posts':>10}{'users':>11}{'events':>11}{'posts MB':>10}{'wall s':>9}{'build ms':>10}"
      f"{'consent ms':>12}{'stream ms':>11}{'seal ms':>9}{'RSS MB':>9}  cache")
by = {}
for p, u, e, b, i, ms, rss, cache, path in rows:
    by.setdefault((int(p), int(u)), []).append((int(ms), int(rss), int(e), int(b), cache, path))
for (p, u), runs in by.items():
    ms, _, e, b, cache, path = min(runs)
    rss = max(r[1] for r in runs)
    s = json.load(open(path))
    ph = s["phases"]
    print(f"{p:>10,}{u:>11,}{e:>11,}{b / 1e6:>10.0f}{ms / 1000:>9.2f}{s['duration_ms']:>10,}"
          f"{ph['consent_ms']:>12,}{ph['stream_ms']:>11,}{ph['seal_ms']:>9,}{rss * 1024 / 1e6:>9.0f}  {cache}")
    walls = ", ".join(f"{r[0] / 1000:.2f}" for r in runs)
    print(f"{'':>10}  wall s of each run: {walls}")
EOF
