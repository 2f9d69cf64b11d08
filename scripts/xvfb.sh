# shellcheck shell=bash
# Sourced by run-app.sh and e2e.sh: start a headless X server so the WebKitGTK window has
# somewhere to draw on machines without a desktop (CI, ssh sessions).

# xvfb_running N: true when an X server owns display :N (its lock file names a live pid).
xvfb_running() {
    local lock="/tmp/.X$1-lock" pid
    [[ -f "$lock" ]] || return 1
    pid="$(tr -d ' \n' <"$lock" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

# xvfb_start N LOG: start Xvfb on :N in the background, logging to LOG, and wait until its
# socket exists. Sets XVFB_PID. Returns 1 when the server did not come up within 10 s.
xvfb_start() {
    local display="$1" log="$2" i
    Xvfb ":$display" -screen 0 1400x900x24 -nolisten tcp >"$log" 2>&1 &
    XVFB_PID=$!
    for ((i = 0; i < 100; i++)); do
        [[ -S "/tmp/.X11-unix/X$display" ]] && xvfb_running "$display" && return 0
        kill -0 "$XVFB_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    kill "$XVFB_PID" 2>/dev/null || true
    return 1
}
