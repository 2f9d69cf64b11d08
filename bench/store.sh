# shellcheck shell=bash
# Sourced by the benchmarks that build snapshots from the command line (ab.sh,
# growth.sh): the store they all start from.

# bench_store CONSENTRY DB PURPOSES USERS_CSV LEDGER_CSV: a new store at DB with one
# partner and one signed deal for PURPOSES, and the registry and the ledger imported.
# Quiet; false when a step failed.
bench_store() {
    local bin=$1 db=$2 purposes=$3 users=$4 ledger=$5
    {
        "$bin" --db "$db" partner add --name "Bench AI Lab" --kind ai-lab &&
            "$bin" --db "$db" deal add --partner 1 --title "Benchmark licence" \
                --purposes "$purposes" --start 2024-01-01 --end 2027-12-31 &&
            "$bin" --db "$db" deal transition 1 --to negotiating &&
            "$bin" --db "$db" deal transition 1 --to signed &&
            "$bin" --db "$db" users import "$users" &&
            "$bin" --db "$db" consent import "$ledger"
    } >/dev/null 2>&1
}
