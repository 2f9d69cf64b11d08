#!/usr/bin/env bash
# The delivery benchmark, run by bench/run.sh after the snapshot comparison on the same
# store: package the sealed snapshot (`delivery create`), verify the package (`delivery
# verify`), and issue a withdrawal notice over it after 1% of the delivered authors opt
# out; each against the time to SHA-256 the same shard bytes once (openssl, SHA-NI).
#
#   bash bench/deliveries.sh RUN_DIR STORE   (RUN_DIR holds consentry-out-1 from run.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=$1
DB=$2
CONSENTRY=${CARGO_TARGET_DIR:-$ROOT/target}/release/consentry
SNAP=$RUN/consentry-out-1
export CONSENTRY_SECRET_STORE=file

say() { printf '==> %s\n' "$*"; }
fail() {
    printf 'bench: %s\n' "$*" >&2
    exit 2
}
now_ns() { date +%s%N; }
cli() { "$CONSENTRY" --db "$DB" "$@"; }

[ -d "$SNAP" ] || fail "$SNAP is missing: run bench/run.sh"
SHARDS=("$SNAP"/part-*)
BYTES=$(cat "${SHARDS[@]}" | wc -c)

# Warm cache for every step alike: the shards were just written by the build.
cat "${SHARDS[@]}" "$SNAP/records.jsonl" >/dev/null

ms() { echo $((($2 - $1) / 1000000)); }

say "SHA-256 of the shards once (openssl dgst -sha256)"
t0=$(now_ns)
openssl dgst -sha256 "${SHARDS[@]}" >/dev/null
t1=$(now_ns)
SHA_MS=$(ms "$t0" "$t1")

say "delivery create"
rm -rf "$RUN/delivery"
cli key show >/dev/null
t0=$(now_ns)
/usr/bin/time -v -o "$RUN/time-delivery-create.txt" \
    "$CONSENTRY" --db "$DB" delivery create --deal 1 --snapshot 1 --out "$RUN/delivery" --json \
    >"$RUN/delivery.json" || fail "delivery create failed"
t1=$(now_ns)
CREATE_MS=$(ms "$t0" "$t1")

say "delivery verify"
t0=$(now_ns)
/usr/bin/time -v -o "$RUN/time-delivery-verify.txt" \
    "$CONSENTRY" --db "$DB" delivery verify "$RUN/delivery" --json \
    >"$RUN/verify.json" || fail "delivery verify failed"
t1=$(now_ns)
VERIFY_MS=$(ms "$t0" "$t1")

say "1% of the delivered authors deny genai-training after the cut-off"
python3 - "$SNAP/records.jsonl" "$RUN/later-denies.csv" <<'PY'
import json, sys
authors = sorted({json.loads(line)[0] for line in open(sys.argv[1])})
with open(sys.argv[2], "w") as out:
    out.write("user_id,purpose,decision,effective_at,source\n")
    for a in authors[::100]:
        out.write(f"{a},genai-training,deny,2026-02-01T00:00:00Z,bench\n")
PY
cli consent import "$RUN/later-denies.csv" >/dev/null || fail "the later denies did not import"

say "withdrawal create"
rm -f "$RUN/notice.json"*
t0=$(now_ns)
/usr/bin/time -v -o "$RUN/time-withdrawal.txt" \
    "$CONSENTRY" --db "$DB" withdrawal create --deal 1 --as-of 2026-03-01T00:00:00Z \
    --out "$RUN/notice.json" --json >"$RUN/withdrawal.json" || fail "withdrawal create failed"
t1=$(now_ns)
NOTICE_MS=$(ms "$t0" "$t1")

python3 - "$RUN" "$BYTES" "$SHA_MS" "$CREATE_MS" "$VERIFY_MS" "$NOTICE_MS" <<'PY' | tee "$RUN/../deliveries.txt"
import json, os, sys
run, nbytes, sha, create, verify, notice = sys.argv[1], *map(int, sys.argv[2:])
def rss(name):
    for line in open(os.path.join(run, f"time-{name}.txt")):
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
d = json.load(open(os.path.join(run, "delivery.json")))
w = json.load(open(os.path.join(run, "withdrawal.json")))
records = sum(1 for _ in open(os.path.join(run, "consentry-out-1", "records.jsonl")))
print()
print(f"Delivery benchmark: {len(d['files'])} shards, {nbytes:,} bytes, {records:,} records (warm cache)")
print(f"{'step':<40}{'wall s':>9}{'x SHA-256 once':>16}{'peak RSS MB':>13}")
print(f"{'SHA-256 of the shards once':<40}{sha / 1000:>9.2f}{1:>16.2f}{'':>13}")
for name, label, t in (("delivery-create", "delivery create (link + hash + sign)", create),
                       ("delivery-verify", "delivery verify (hash + signatures)", verify),
                       ("withdrawal", f"withdrawal create ({w['record_count']:,} records)", notice)):
    print(f"{label:<40}{t / 1000:>9.2f}{t / max(sha, 1):>16.2f}{rss(name):>13.1f}")
PY
