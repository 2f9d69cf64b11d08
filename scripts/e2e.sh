#!/usr/bin/env bash
# Runs the end-to-end tests (crate e2e/) against the real app in its real WebView:
#   Xvfb (a free display from :98 up) <- tauri-driver :4444 <- WebKitWebDriver :4445
# then `cargo test -p consentry-e2e`. Whatever happens, the driver, the app it launched and
# the X server are stopped on exit. Logs and screenshots land in target/e2e/.
# Extra arguments go to the test binary (e.g. a test name filter).
#
# Environment: E2E_DRIVER_PORT (default 4444; WebKitWebDriver takes the next port;
#              `free`: the first free pair from 4444, for benches that may share the machine),
#              CONSENTRY_APP_BIN (default target/app/consentry-app: the binary under test).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck source=scripts/xvfb.sh
source "$root/scripts/xvfb.sh"

say() { echo "e2e: $*"; }
die() {
    echo "e2e: error: $*" >&2
    exit 1
}

app="$(realpath -m "${CONSENTRY_APP_BIN:-$root/target/app/consentry-app}")"
out="$root/target/e2e"

[[ -x "$app" ]] || die "$app is missing or not executable; run 'make app' first"
for tool in Xvfb tauri-driver WebKitWebDriver xdotool import; do
    command -v "$tool" >/dev/null || die "$tool is not installed; run 'make deps'"
done

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="${E2E_DRIVER_PORT:-4444}"
if [[ "$port" == free ]]; then
    for p in $(seq 4444 2 4600); do
        if ! port_open "$p" && ! port_open $((p + 1)); then
            port=$p
            break
        fi
    done
    [[ "$port" != free ]] || die "no free pair of ports between 4444 and 4601"
fi
native_port=$((port + 1))
for p in "$port" "$native_port"; do
    port_open "$p" && die "port $p is already in use (a tauri-driver left running?)"
done

mkdir -p "$out"
# Screenshots from an earlier run would pass for this run's; start from an empty folder.
rm -rf "$out/screenshots"
mkdir -p "$out/screenshots"

xvfb_pid=""
driver_pid=""
# shellcheck disable=SC2329 # invoked by the EXIT trap
cleanup() {
    local status=$?
    if [[ -n "$driver_pid" ]]; then
        # tauri-driver runs in its own process group together with WebKitWebDriver and the
        # app it launched; stop the whole group.
        kill -TERM -- "-$driver_pid" 2>/dev/null || kill -TERM "$driver_pid" 2>/dev/null || true
        wait "$driver_pid" 2>/dev/null || true
    fi
    if [[ -n "$xvfb_pid" ]]; then
        kill -TERM "$xvfb_pid" 2>/dev/null || true
        wait "$xvfb_pid" 2>/dev/null || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- X server ----------------------------------------------------------------------------
display=""
for n in $(seq 98 120); do
    [[ -e "/tmp/.X$n-lock" || -e "/tmp/.X11-unix/X$n" ]] && continue
    if xvfb_start "$n" "$out/xvfb.log"; then
        display="$n"
        xvfb_pid="$XVFB_PID"
        break
    fi
done
[[ -n "$display" ]] || die "could not start Xvfb on any display :98-:120; see $out/xvfb.log"
export DISPLAY=":$display"
say "Xvfb on $DISPLAY"

# --- WebDriver ---------------------------------------------------------------------------
# The app inherits this environment through tauri-driver and WebKitWebDriver. Each test
# chooses its own store with `--db`; never let a developer's real store leak in.
unset CONSENTRY_DB

# Starts tauri-driver with the environment given (e.g. GTK_THEME=Adwaita:dark, which the
# app's WebView turns into prefers-color-scheme: dark) and waits until it listens.
start_driver() {
    env "$@" setsid tauri-driver --port "$port" --native-port "$native_port" \
        >>"$out/tauri-driver.log" 2>&1 </dev/null &
    driver_pid=$!
    for ((i = 0; i < 300; i++)); do
        port_open "$port" && return 0
        kill -0 "$driver_pid" 2>/dev/null || {
            tail -n 20 "$out/tauri-driver.log" >&2 || true
            die "tauri-driver exited; log: $out/tauri-driver.log"
        }
        sleep 0.1
    done
    die "tauri-driver did not listen on port $port within 30 s"
}

stop_driver() {
    kill -TERM -- "-$driver_pid" 2>/dev/null || kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
    driver_pid=""
    for ((i = 0; i < 100; i++)); do
        port_open "$port" || port_open "$native_port" || return 0
        sleep 0.1
    done
    die "tauri-driver still listens on port $port after being stopped"
}

# Runs the e2e tests (cargo test arguments after the theme) under one theme; E2E_THEME
# tells the tests which one to expect and to name their screenshots by.
run_tests() {
    local theme="$1"
    shift
    CONSENTRY_APP_BIN="$app" CONSENTRY_WEBDRIVER_URL="http://127.0.0.1:$port" E2E_THEME="$theme" \
        cargo test -p consentry-e2e "$@"
}

: >"$out/tauri-driver.log"
start_driver GTK_THEME=Adwaita
say "tauri-driver on 127.0.0.1:$port, light theme (log: target/e2e/tauri-driver.log)"

# --- tests -------------------------------------------------------------------------------
status=0
run_tests light -- --test-threads=1 "$@" || status=$?

# The tour again in the dark theme (its screenshots are part of what it shows), unless
# a filter asked for other tests only.
if [[ $# -eq 0 || "$*" == *tour* ]]; then
    stop_driver
    start_driver GTK_THEME=Adwaita:dark
    say "tauri-driver restarted with the dark theme: the tour again"
    run_tests dark --test tour -- --test-threads=1 || status=$?
fi

shots=("$out"/screenshots/*.png)
[[ -e "${shots[0]}" ]] && say "${#shots[@]} screenshots in target/e2e/screenshots/"
exit "$status"
