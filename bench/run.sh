#!/usr/bin/env bash
# The snapshot benchmark: `consentry snapshot build` against one DuckDB SQL query that
# applies the same consent rules to the same generated inputs (see bench/README.md), and
# `consentry snapshot build` again from the same posts compressed with zstd, which must
# give the same shards.
#
#   bash bench/run.sh                          # 2,000,000 posts, 500,000 users
#   POSTS=20000 USERS=5000 bash bench/run.sh   # a quick run
#
# Environment: POSTS, USERS, SEED (42), AS_OF (the cut-off T, 2026-01-01T00:00:00Z; the
# generated data is shaped around that one), PURPOSES (genai-training,ai-inference), REPEAT (1: timed runs per tool; the best wall
# time and its peak RSS are reported), CACHE (cold: drop the page cache before each timed
# run when allowed, else warm; warm: read the posts once before each timed run).
# Exit status: 0 when both tools include the same records (same count, same bytes),
# 1 when they differ, 2 when a step failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

POSTS=${POSTS:-2000000}
USERS=${USERS:-500000}
SEED=${SEED:-42}
REPEAT=${REPEAT:-1}
CACHE=${CACHE:-cold}
AS_OF=${AS_OF:-2026-01-01T00:00:00Z}
PURPOSES=${PURPOSES:-genai-training,ai-inference}

BENCH=$ROOT/target/bench
DATA=$BENCH/data
RUN=$BENCH/run
VENV=$ROOT/target/bench-venv
CONSENTRY=${CARGO_TARGET_DIR:-$ROOT/target}/release/consentry
GEN=$BENCH/gen-build/release/consentry-bench-gen

say() { printf '==> %s\n' "$*"; }
fail() {
    printf 'bench: %s\n' "$*" >&2
    exit 2
}
now_ns() { date +%s%N; }

# ---------------------------------------------------------------------------- tools
if [ ! -x /usr/bin/time ]; then
    say "installing GNU time (for peak RSS)"
    { apt-get update -qq && apt-get install -y -qq time >/dev/null; } || fail "cannot install 'time'"
fi
command -v python3 >/dev/null || fail "python3 is required"
if ! command -v zstd >/dev/null; then
    say "installing zstd (to compress the posts)"
    { apt-get update -qq && apt-get install -y -qq zstd >/dev/null; } || fail "cannot install 'zstd'"
fi

say "building the release CLI"
cargo build --release -p consentry --quiet || fail "cargo build failed"

say "building the generator"
cargo build --release --quiet --manifest-path bench/gen/Cargo.toml \
    --target-dir "$BENCH/gen-build" || fail "generator build failed"

if ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null ||
    ! grep -qx "duckdb==$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')" \
        bench/requirements.txt; then
    say "installing DuckDB into $VENV"
    python3 -m venv "$VENV" || fail "cannot create $VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt ||
        fail "cannot install bench/requirements.txt"
fi
DUCKDB_VERSION=$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')

# ----------------------------------------------------------------------------- data
GEN_SHA=$(cat bench/gen/Cargo.toml bench/gen/src/main.rs | sha256sum | cut -c1-16)
STAMP="posts=$POSTS users=$USERS seed=$SEED generator=$GEN_SHA"
if [ -f "$DATA/.stamp" ] && [ "$(cat "$DATA/.stamp")" = "$STAMP" ] &&
    [ -f "$DATA/posts.jsonl" ] && [ -f "$DATA/users.csv" ] && [ -f "$DATA/ledger.csv" ]; then
    say "data already generated ($STAMP)"
else
    say "generating data ($STAMP)"
    rm -rf "$DATA"
    "$GEN" --posts "$POSTS" --users "$USERS" --seed "$SEED" --out "$DATA" ||
        fail "generator failed"
    echo "$STAMP" >"$DATA/.stamp"
fi
POSTS_FILE=$DATA/posts.jsonl
POSTS_BYTES=$(stat -c %s "$POSTS_FILE")
# The same posts as a dump is distributed: zstd at its default level (3), with the
# checksum the tool writes by default, on all cores.
POSTS_ZST=$DATA/posts.jsonl.zst
if [ ! -f "$POSTS_ZST" ]; then
    say "compressing the posts with $(zstd -V | head -1)"
    zstd -q -T0 "$POSTS_FILE" -o "$POSTS_ZST.tmp" && mv "$POSTS_ZST.tmp" "$POSTS_ZST" ||
        fail "zstd failed"
fi
ZST_BYTES=$(stat -c %s "$POSTS_ZST")

# ---------------------------------------------------------------------------- store
rm -rf "$RUN"
mkdir -p "$RUN/duckdb-tmp"
DB=$RUN/store.db
cli() { "$CONSENTRY" --db "$DB" "$@"; }

say "fresh store $DB: partner, deal ($PURPOSES), signed"
{
    cli partner add --name "Bench AI Lab" --kind ai-lab --json &&
        cli deal add --partner 1 --title "Benchmark licence" --purposes "$PURPOSES" \
            --start 2024-01-01 --end 2027-12-31 --json &&
        cli deal transition 1 --to negotiating &&
        cli deal transition 1 --to signed
} >/dev/null || fail "cannot set up the partner and the deal"

import_report() { # kind file
    local t0 t1
    t0=$(now_ns)
    cli --json "$1" import "$2" >"$RUN/import-$1.json" || fail "$1 import failed"
    t1=$(now_ns)
    python3 - "$RUN/import-$1.json" "$t0" "$t1" "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
wall = (int(sys.argv[3]) - int(sys.argv[2])) / 1e9
print(f"    {sys.argv[4]} import (not timed in the comparison): {r['rows_read']:,} rows, "
      f"{r['added']:,} added, {r['skipped']} skipped, {r['duration_ms'] / 1000:.2f} s in the "
      f"import = {r['rows_per_second']:,} rows/s ({wall:.2f} s wall for the command)")
EOF
}
say "importing the registry and the ledger"
import_report users "$DATA/users.csv"
import_report consent "$DATA/ledger.csv"

# -------------------------------------------------------------------------- caching
prepare_cache() {
    if [ "$CACHE" = cold ] && sync && { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
        CACHE_NOTE="cold: page cache dropped before each timed run"
    else
        cat "$POSTS_FILE" "$POSTS_ZST" "$DATA/users.csv" "$DATA/ledger.csv" >/dev/null
        CACHE_NOTE="warm: inputs read once before each timed run"
        [ "$CACHE" = cold ] && CACHE_NOTE="$CACHE_NOTE (dropping the page cache is not allowed here)"
    fi
    true
}

# A timed run: wall (ns clock around the process) and peak RSS (GNU time).
timed() { # name logfile stdout-file command...
    local name=$1 log=$2 out=$3
    shift 3
    prepare_cache
    local t0 t1
    t0=$(now_ns)
    if ! /usr/bin/time -v -o "$log" "$@" >"$out"; then
        cat "$out" >&2 || true
        fail "$name failed"
    fi
    t1=$(now_ns)
    local rss cpu
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {t += $2} END {print t}' "$log")
    echo "$name $(((t1 - t0) / 1000000)) $rss $cpu $RUN_NO" >>"$RUN/timings.txt"
}

: >"$RUN/timings.txt"
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
for i in $(seq 1 "$REPEAT"); do
    RUN_NO=$i
    say "timed run $i/$REPEAT: consentry snapshot build"
    timed consentry "$RUN/time-consentry-$i.txt" "$RUN/consentry-$i.json" \
        "$CONSENTRY" --db "$DB" snapshot build --deal 1 --source "$POSTS_FILE" \
        --as-of "$AS_OF" --out "$RUN/consentry-out-$i" --json
    say "timed run $i/$REPEAT: consentry snapshot build from posts.jsonl.zst"
    timed consentry-zst "$RUN/time-consentry-zst-$i.txt" "$RUN/consentry-zst-$i.json" \
        "$CONSENTRY" --db "$DB" snapshot build --deal 1 --source "$POSTS_ZST" \
        --as-of "$AS_OF" --out "$RUN/consentry-zst-out-$i" --json
    say "timed run $i/$REPEAT: DuckDB $DUCKDB_VERSION"
    rm -f "$RUN/duckdb.jsonl"
    timed duckdb "$RUN/time-duckdb-$i.txt" "$RUN/duckdb-$i.json" \
        "$VENV/bin/python" bench/duckdb_snapshot.py --posts "$POSTS_FILE" \
        --users "$DATA/users.csv" --ledger "$DATA/ledger.csv" --as-of "$AS_OF" \
        --purposes "$PURPOSES" --out "$RUN/duckdb.jsonl" --temp-dir "$RUN/duckdb-tmp" --json
    say "timed run $i/$REPEAT: DuckDB $DUCKDB_VERSION, the engineer's query"
    rm -f "$RUN/duckdb-engineer.jsonl"
    timed duckdb-engineer "$RUN/time-duckdb-engineer-$i.txt" "$RUN/duckdb-engineer-$i.json" \
        "$VENV/bin/python" bench/duckdb_engineer.py --posts "$POSTS_FILE" \
        --users "$DATA/users.csv" --ledger "$DATA/ledger.csv" --as-of "$AS_OF" \
        --purposes "$PURPOSES" --out "$RUN/duckdb-engineer.jsonl" --temp-dir "$RUN/duckdb-tmp" --json
done

# -------------------------------------------------------------------------- the machine's limits
# What no tool can beat on this machine, each measured once, after the timed runs: read
# the source once (cache as for the timed runs), SHA-256 the snapshot's output once
# (openssl, the shards just written, so from the page cache) and write it once with an
# fsync (dd conv=fsync).
say "the machine's limits: read the source, hash and fsync the output"
mapfile -t OUT_FILES < <(python3 - "$RUN/consentry-1.json" "$RUN/consentry-out-1" <<'PY'
import json, os, sys
snapshot = json.load(open(sys.argv[1]))
print("\n".join(os.path.join(sys.argv[2], s["file"]) for s in snapshot["shards"]))
print(os.path.join(sys.argv[2], "records.jsonl"))
PY
)
limit_ms() { # command...: wall ms of the command
    local t0 t1
    t0=$(now_ns)
    "$@" >/dev/null 2>&1 || fail "$* failed"
    t1=$(now_ns)
    echo $(((t1 - t0) / 1000000))
}
hash_output() { cat "${OUT_FILES[@]}" | openssl dgst -sha256; }
sync_output() { cat "${OUT_FILES[@]}" | dd of="$RUN/fsync-probe" bs=4M conv=fsync status=none; }
prepare_cache
READ_MS=$(limit_ms cat "$POSTS_FILE")
SHA_MS=$(limit_ms hash_output)
FSYNC_MS=$(limit_ms sync_output)
OUT_BYTES=$(cat "${OUT_FILES[@]}" | wc -c)
rm -f "$RUN/fsync-probe"
echo "$READ_MS $SHA_MS $FSYNC_MS $OUT_BYTES" >"$RUN/limits.txt"

say "per-reason breakdown by DuckDB (not timed)"
"$VENV/bin/python" bench/duckdb_snapshot.py --posts "$POSTS_FILE" --users "$DATA/users.csv" \
    --ledger "$DATA/ledger.csv" --as-of "$AS_OF" --purposes "$PURPOSES" \
    --temp-dir "$RUN/duckdb-tmp" --breakdown --json >"$RUN/duckdb-breakdown.json" ||
    fail "the DuckDB breakdown failed"

# -------------------------------------------------------------------------- compare
# The consentry output: its shards concatenated in order (every run must give the same).
shards_sha() { # run number [tool: consentry or consentry-zst]
    local tool=${2:-consentry}
    python3 - "$RUN/$tool-$1.json" "$RUN/$tool-out-$1" <<'EOF' | xargs -d '\n' cat | sha256sum | cut -d' ' -f1
import json, os, sys
for s in json.load(open(sys.argv[1]))["shards"]:
    print(os.path.join(sys.argv[2], s["file"]))
EOF
}
CONSENTRY_SHA=$(shards_sha 1)
for i in $(seq 1 "$REPEAT"); do
    [ "$(shards_sha "$i")" = "$CONSENTRY_SHA" ] || {
        echo "bench: consentry run $i wrote other bytes than run 1" >&2
        exit 1
    }
    [ "$(shards_sha "$i" consentry-zst)" = "$CONSENTRY_SHA" ] || {
        echo "bench: consentry run $i from posts.jsonl.zst wrote other bytes than from posts.jsonl" >&2
        exit 1
    }
done
DUCKDB_SHA=$(sha256sum "$RUN/duckdb.jsonl" | cut -d' ' -f1)

set +e
python3 - "$RUN" "$POSTS_BYTES" "$REPEAT" "$CONSENTRY_SHA" "$DUCKDB_SHA" "$DUCKDB_VERSION" \
    "$CACHE_NOTE" "$STAMP" "$LOAD_BEFORE" "$AS_OF" "$PURPOSES" "$ZST_BYTES" <<'EOF' | tee "$BENCH/results.txt"
import json, os, sys

run, posts_bytes, repeat, c_sha, d_sha, ddb_version, cache, stamp, load, as_of, purposes, zst_bytes = sys.argv[1:]
posts_bytes, repeat, zst_bytes = int(posts_bytes), int(repeat), int(zst_bytes)
runs = {}
for line in open(os.path.join(run, "timings.txt")):
    name, ms, rss_kb, cpu, no = line.split()
    runs.setdefault(name, []).append((int(ms), int(rss_kb), float(cpu), int(no)))
# The fastest run of each tool; its peak RSS is the highest of all its runs.
best = {k: min(v) for k, v in runs.items()}
peak = {k: max(r[1] for r in v) for k, v in runs.items()}
c = json.load(open(os.path.join(run, f"consentry-{best['consentry'][3]}.json")))
d = json.load(open(os.path.join(run, f"duckdb-{best['duckdb'][3]}.json")))
bd = json.load(open(os.path.join(run, "duckdb-breakdown.json")))["breakdown"]
z = json.load(open(os.path.join(run, f"consentry-zst-{best['consentry-zst'][3]}.json")))
e = json.load(open(os.path.join(run, f"duckdb-engineer-{best['duckdb-engineer'][3]}.json")))
included = {"consentry": c["records_included"], "consentry-zst": z["records_included"],
            "duckdb": d["included"], "duckdb-engineer": e["included"]}
read_ms, sha_ms, fsync_ms, out_bytes = map(int, open(os.path.join(run, "limits.txt")).read().split())
mb = posts_bytes / 1e6

print()
print(f"Snapshot benchmark: {stamp}")
print(f"input posts.jsonl {posts_bytes:,} bytes ({mb:.1f} MB), {c['records_in']:,} records; "
      f"cut-off {as_of}; purposes {purposes}")
print(f"posts.jsonl.zst (zstd -3) {zst_bytes:,} bytes ({zst_bytes / 1e6:.1f} MB, "
      f"{posts_bytes / zst_bytes:.1f}x smaller); the same shards from it")
print(f"machine: {os.cpu_count()} cores; cache {cache}; "
      f"{'best of ' + str(repeat) + ' runs' if repeat > 1 else 'one run'} per tool; "
      f"load average before the timed runs {load}")
print()
print(f"{'tool':<16}{'wall s':>9}{'input MB/s':>12}{'peak RSS MB':>13}{'included':>12}"
      f"{'CPU s':>9}")
label = {"consentry": "consentry", "consentry-zst": "consentry .zst",
         "duckdb": f"duckdb {ddb_version}", "duckdb-engineer": "duckdb, engineer"}
tools = ("consentry", "consentry-zst", "duckdb", "duckdb-engineer")
for k in tools:
    ms, _, cpu, _ = best[k]
    print(f"{label[k]:<16}{ms / 1000:>9.2f}{mb / (ms / 1000):>12.1f}"
          f"{peak[k] * 1024 / 1e6:>13.1f}{included[k]:>12,}{cpu:>9.2f}")
if repeat > 1:
    for k in tools:
        walls = ", ".join(f"{r[0] / 1000:.2f}" for r in runs[k])
        print(f"  {label[k]} wall s of each run: {walls}")
print()
c_ms, d_ms = best["consentry"][0], best["duckdb"][0]
c_rss, d_rss = peak["consentry"], peak["duckdb"]
e_ms, e_rss = best["duckdb-engineer"][0], peak["duckdb-engineer"]
print(f"speed ratio duckdb/consentry (wall): {d_ms / c_ms:.2f}x for the rule-complete query, "
      f"{e_ms / c_ms:.2f}x for the engineer's query (issue 11's target: 2x)")
print(f"  the engineer's query included {e['included']:,} records (consentry {c['records_included']:,}: "
      f"it keeps duplicate ids and reads what consentry rejects); "
      f"{e['out_bytes'] / 1e6:.1f} MB of re-serialized JSON; in the process: query "
      f"{e['query_s']:.2f} s, fsync {e['fsync_s']:.2f} s, openssl SHA-256 {e['sha256_s']:.2f} s")
print(f"peak RSS consentry <= duckdb: {'yes' if c_rss <= d_rss else 'NO'} "
      f"({c_rss * 1024 / 1e6:.1f} MB vs {d_rss * 1024 / 1e6:.1f} MB)")
print(f"in those runs: consentry's own duration_ms {c['duration_ms']} ms; "
      f"DuckDB query alone (COPY, in-process) {d['wall_s']:.3f} s")
print("(CPU s: user + system time of the process, from GNU time; input MB/s of the .zst "
      "run over the decompressed posts)")
print(f"from posts.jsonl.zst: {best['consentry-zst'][0] / c_ms:.2f}x the plain file's wall time")

# Consentry's build step by step (its best run), against what this machine needs at
# least to read the source once, hash the output once and write it durably once.
ph = c["phases"]
print()
print(f"consentry's build by step (run {best['consentry'][3]}), and the machine's limits:")
print(f"  consent fold from the store   {ph['consent_ms']:>7,} ms")
print(f"  stream (read, parse, write)   {ph['stream_ms']:>7,} ms   of which commits (fsync) {ph['commit_ms']:,} ms")
print(f"  claim and publish             {ph['publish_ms']:>7,} ms")
print(f"  seal                          {ph['seal_ms']:>7,} ms")
print(f"  process wall                  {c_ms:>7,} ms   (start, store open, exit included)")
print(f"  read the source once          {read_ms:>7,} ms   ({mb / (read_ms / 1000):,.0f} MB/s; cache as above)")
print(f"  SHA-256 of the output once    {sha_ms:>7,} ms   ({out_bytes / 1e6:,.1f} MB, openssl)")
print(f"  write and fsync it once       {fsync_ms:>7,} ms   (dd conv=fsync)")
print(f"  the three in sequence         {read_ms + sha_ms + fsync_ms:>7,} ms")

print()
print(f"{'reason':<16}{'consentry':>12}{'duckdb':>12}")
reasons = sorted(set(c["excluded"]) | set(bd) - {"included"})
diff = False
for r in reasons + ["included"]:
    cv = c["records_included"] if r == "included" else c["excluded"].get(r, 0)
    dv = bd.get(r, 0)
    mark = "" if cv == dv else "   <-- differs"
    diff |= cv != dv
    print(f"{r:<16}{cv:>12,}{dv:>12,}{mark}")
print()
same_count = included["consentry"] == included["duckdb"]
same_bytes = c_sha == d_sha
print(f"included counts equal: {'yes' if same_count else 'NO'}")
print(f"output SHA-256 equal:  {'yes' if same_bytes else 'NO'}")
print(f"  consentry shards concatenated: {c_sha}")
print(f"  duckdb output:                 {d_sha}")
json.dump({
    "stamp": stamp, "posts_bytes": posts_bytes, "records_in": c["records_in"],
    "cache": cache, "repeat": repeat,
    "runs": {k: [{"wall_ms": r[0], "peak_rss_kb": r[1], "cpu_s": r[2]} for r in v]
             for k, v in runs.items()},
    "consentry": {"wall_s": c_ms / 1000, "peak_rss_kb": c_rss,
                  "included": included["consentry"], "sha256": c_sha,
                  "excluded": c["excluded"]},
    "consentry_zst": {"wall_s": best["consentry-zst"][0] / 1000,
                      "peak_rss_kb": peak["consentry-zst"], "zst_bytes": zst_bytes},
    "duckdb": {"version": ddb_version, "wall_s": d_ms / 1000, "peak_rss_kb": d_rss,
               "included": included["duckdb"], "sha256": d_sha, "breakdown": bd},
    "duckdb_engineer": {"wall_s": e_ms / 1000, "peak_rss_kb": e_rss, **e},
    "consentry_phases_ms": ph,
    "limits_ms": {"read_source": read_ms, "sha256_output": sha_ms, "fsync_output": fsync_ms,
                  "output_bytes": out_bytes},
    "ratio_duckdb_over_consentry": d_ms / c_ms,
    "ratio_duckdb_engineer_over_consentry": e_ms / c_ms,
    "rss_consentry_le_duckdb": c_rss <= d_rss,
    "same_count": same_count, "same_bytes": same_bytes,
}, open(os.path.join(os.path.dirname(run), "results.json"), "w"), indent=2)
sys.exit(0 if same_count and same_bytes and not diff else 1)
EOF
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    echo "bench: consentry and DuckDB disagree (see the table above; files in $RUN)" >&2
    exit 1
fi
echo "(results also in $BENCH/results.txt and results.json)"

say "deliveries: package, verify and a withdrawal notice over the sealed snapshot"
bash bench/deliveries.sh "$RUN" "$DB" || exit 2
