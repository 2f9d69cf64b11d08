#!/usr/bin/env bash
# Runs the desktop app built by `make app`. Without a $DISPLAY it draws into Xvfb on :99
# (started here unless one is already running there), so `make run` also works over ssh.
# The environment passes through unchanged: CONSENTRY_DB picks the store, as documented
# for the app. Extra arguments go to the app.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/xvfb.sh
source "$root/scripts/xvfb.sh"

app="$root/target/app/consentry-app"
[[ -x "$app" ]] || {
    echo "run-app: $app is missing; run 'make app' first" >&2
    exit 1
}

if [[ -z "${DISPLAY:-}" ]]; then
    if xvfb_running 99; then
        echo "run-app: no DISPLAY; using the Xvfb already running on :99"
    else
        mkdir -p "$root/target/run"
        xvfb_start 99 "$root/target/run/xvfb.log" || {
            echo "run-app: Xvfb did not start on :99; see target/run/xvfb.log" >&2
            exit 1
        }
        echo "run-app: no DISPLAY; started Xvfb on :99 (pid $XVFB_PID, 1400x900)"
    fi
    export DISPLAY=:99
    fi

exec "$app" "$@"
