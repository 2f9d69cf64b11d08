#!/usr/bin/env bash
# Two builds of `consentry` on the same benchmark data, run alternately in one session:
# the fair way to tell whether a change made the snapshot build faster or slower, since
# these shared machines vary about 2x from day to day (compare within one run only).
#
#   bash bench/ab.sh OLD_BINARY NEW_BINARY        # e.g. a release build of main
#
# Uses the data `bench/run.sh` generated (target/bench/data; run that first). Each binary
# gets its own store (a store written by a newer build is refused by an older one), with
# the same partner, signed deal, registry and ledger. Environment: REPEAT (5 runs each,
# alternating), AS_OF and PURPOSES as in run.sh, CACHE (cold: drop the page cache before
# each run when allowed). Prints wall time and peak RSS of each run, best and median,
# and the median CPU time (user + system: steadier than wall time on a busy machine).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OLD=$(realpath "${1:?usage: bench/ab.sh OLD_BINARY NEW_BINARY}")
NEW=$(realpath "${2:?usage: bench/ab.sh OLD_BINARY NEW_BINARY}")
REPEAT=${REPEAT:-5}
AS_OF=${AS_OF:-2026-01-01T00:00:00Z}
PURPOSES=${PURPOSES:-genai-training,ai-inference}
CACHE=${CACHE:-cold}
DATA=$ROOT/target/bench/data
RUN=$ROOT/target/bench/ab

[ -f "$DATA/posts.jsonl" ] || { echo "ab: no data in $DATA: run bench/run.sh first" >&2; exit 2; }
rm -rf "$RUN"
mkdir -p "$RUN"

# shellcheck source=bench/store.sh
source "$ROOT/bench/store.sh"
setup() { # name binary
    bench_store "$2" "$RUN/$1.db" "$PURPOSES" "$DATA/users.csv" "$DATA/ledger.csv" ||
        { echo "ab: setting up the $1 store failed" >&2; exit 2; }
}
setup old "$OLD"
setup new "$NEW"

drop_cache() {
    if [ "$CACHE" = cold ]; then
        sync && { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null || true
    fi
}

: >"$RUN/timings.txt"
for i in $(seq 1 "$REPEAT"); do
    for name in old new; do
        bin=$OLD
        [ "$name" = new ] && bin=$NEW
        drop_cache
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$RUN/time.txt" "$bin" --db "$RUN/$name.db" snapshot build \
            --deal 1 --source "$DATA/posts.jsonl" --as-of "$AS_OF" \
            --out "$RUN/$name-out-$i" --json >"$RUN/$name-$i.json"
        t1=$(date +%s%N)
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RUN/time.txt")
        cpu=$(awk -F': ' '/(User|System) time/ {s += $2} END {print s}' "$RUN/time.txt")
        echo "$name $(((t1 - t0) / 1000000)) $rss $cpu" >>"$RUN/timings.txt"
        rm -rf "$RUN/$name-out-$i"
    done
done

python3 - "$RUN" <<'EOF'
import json, statistics, sys
run = sys.argv[1]
rows = {}
for line in open(f"{run}/timings.txt"):
    name, ms, rss, cpu = line.split()
    rows.setdefault(name, []).append((int(ms), int(rss), float(cpu)))
included = {n: json.load(open(f"{run}/{n}-1.json"))["records_included"] for n in rows}
print(f"{'build':<6}{'best s':>8}{'median s':>10}{'CPU s':>8}{'peak RSS MB':>13}{'included':>12}   runs (s)")
for name in ("old", "new"):
    walls = [ms / 1000 for ms, _, _ in rows[name]]
    cpu = statistics.median(c for _, _, c in rows[name])
    rss = max(r for _, r, _ in rows[name]) * 1024 / 1e6
    print(f"{name:<6}{min(walls):>8.2f}{statistics.median(walls):>10.2f}{cpu:>8.2f}{rss:>13.1f}"
          f"{included[name]:>12,}   " + ", ".join(f"{w:.2f}" for w in walls))
for k, what in ((0, "wall"), (2, "CPU")):
    old, new = (statistics.median(r[k] for r in rows[n]) for n in ("old", "new"))
    print(f"median {what} new/old: {new / old:.3f}")
EOF
