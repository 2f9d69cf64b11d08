#!/usr/bin/env bash
# Tests the Debian package as a user gets it: its control fields and contents, apt's
# verdict on its Depends, an install, the installed CLI, the desktop entry and icons, the
# installed app started as the desktop entry says under Xvfb until its window shows the UI
# (screenshot), and the removal. Prints a PASS or FAIL line per check, then
# "package-test: N passed, N failed", and exits 1 if any failed.
#
# Usage: scripts/package-test.sh [--system | --fresh] [DEB]
#   DEB       default: the one .deb in target/package/ (what `make package` built)
#   (default) install with `dpkg --root` into a scratch folder with a dpkg database of its
#             own: this machine's packages are untouched; the binaries run on its libraries
#   --system  install for real with `apt-get install ./DEB`, purge it at the end: for a
#             throwaway machine, as root, where consentry is not installed already
#             (dependencies apt pulled in stay)
#   --fresh   debootstrap a minimal Debian 12 (bookworm, with its updates and security
#             suites, as an installed system has them) and `apt-get install ./DEB` in it,
#             so that apt alone brings every library; the binaries run in that root. As
#             root, with the Debian archive reachable ($DEBIAN_MIRROR, default
#             deb.debian.org); about 3 minutes and 1.5 GB while it runs, removed after.
# Artefacts land in <the .deb's folder>/test/: screenshot.png, app.log, the dpkg/apt logs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin" # dpkg wants ldconfig and start-stop-daemon on PATH
# shellcheck source=scripts/xvfb.sh
source "$root/scripts/xvfb.sh"

say() { echo "package-test: $*"; }
die() {
    echo "package-test: error: $*" >&2
    exit 1
}

mode=scratch
deb=""
for arg in "$@"; do
    case "$arg" in
        --system) mode=system ;;
        --fresh) mode=fresh ;;
        -*) die "unknown option $arg (usage: $0 [--system | --fresh] [DEB])" ;;
        *) deb="$arg" ;;
    esac
done
if [[ -z "$deb" ]]; then
    debs=("${CARGO_TARGET_DIR:-$root/target}"/package/consentry_*.deb)
    [[ -f "${debs[0]}" ]] || die "no target/package/consentry_*.deb; run 'make package' first"
    ((${#debs[@]} == 1)) || die "several .deb files in target/package/; name one"
    deb="${debs[0]}"
fi
[[ -f "$deb" ]] || die "$deb does not exist"
deb="$(realpath "$deb")"
cd "$root"

for tool in dpkg-deb apt-get Xvfb xdotool xwininfo import identify desktop-file-validate readelf; do
    command -v "$tool" >/dev/null || die "$tool is not installed; run 'scripts/install-deps.sh package'"
done
if [[ "$mode" == system ]]; then
    ((EUID == 0)) || die "--system installs for real and needs root"
    [[ "$(dpkg-query -W -f='${Status}' consentry 2>/dev/null || true)" != *installed* ]] ||
        die "--system: consentry is already installed here; it would not be left as it was"
fi
if [[ "$mode" == fresh ]]; then
    ((EUID == 0)) || die "--fresh builds a Debian root with debootstrap and chroot: run as root"
    command -v debootstrap >/dev/null || die "debootstrap is not installed; run 'scripts/install-deps.sh package'"
fi
# dpkg into a scratch root still writes files owned by root; without root, fakeroot.
dpkg_cmd=(dpkg)
if ((EUID != 0)); then
    command -v fakeroot >/dev/null || die "run as root, or install fakeroot"
    dpkg_cmd=(fakeroot dpkg --force-not-root)
fi

passed=0
failed=0
pass() {
    echo "PASS: $*"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}
# The last lines of a log, indented, after a FAIL.
show() { [[ -s "$1" ]] && tail -n "${2:-15}" "$1" | sed 's/^/    /'; }
# summary_and_exit: the closing line, then exit 1 if anything failed.
summary_and_exit() {
    echo "package-test: $passed passed, $failed failed"
    ((failed == 0)) || exit 1
    exit 0
}

work="$(dirname "$deb")/test"
# A --fresh run killed hard may have left its root mounted: never delete through a mount.
grep -qF " $work/" /proc/mounts && die "something is still mounted under $work; unmount it first"
rm -rf "$work"
mkdir -p "$work"
# Where the package's files land, seen from here: the scratch root, / or the fresh root.
case "$mode" in
    scratch) prefix="$work/root" ;;
    system) prefix="" ;;
    fresh) prefix="$work/debian12" ;;
esac
# How the installed binaries are run, and the folder they work in as they see it: in the
# fresh root through chroot (its own libraries), else here.
if [[ "$mode" == fresh ]]; then
    run() { chroot "$prefix" "$@"; }
    bindir=/usr/bin
    data=/tmp/consentry-test
else
    run() { "$@"; }
    bindir="$prefix/usr/bin"
    data="$work/data"
fi
host_data="$data" # the same folder, seen from here
[[ "$mode" == fresh ]] && host_data="$prefix$data"

app_pid=""
xvfb_pid=""
installed_for_real=false
# shellcheck disable=SC2317,SC2329 # invoked by the EXIT trap (the code differs by version)
cleanup() {
    local status=$?
    if [[ -n "$app_pid" ]]; then
        # The app leads its own process group (setsid), with WebKit's helper processes.
        kill -TERM -- "-$app_pid" 2>/dev/null || true
        wait "$app_pid" 2>/dev/null || true
    fi
    if [[ -n "$xvfb_pid" ]]; then
        kill -TERM "$xvfb_pid" 2>/dev/null || true
        wait "$xvfb_pid" 2>/dev/null || true
    fi
    if $installed_for_real; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq consentry >>"$work/apt.log" 2>&1 </dev/null ||
            echo "package-test: error: 'apt-get purge consentry' failed; see $work/apt.log" >&2
    fi
    if [[ "$mode" == fresh ]]; then
        local m
        for m in tmp/.X11-unix dev/pts dev proc; do
            mountpoint -q "$prefix/$m" 2>/dev/null && umount "$prefix/$m"
        done
    fi
    if grep -qF " $work/" /proc/mounts; then
        echo "package-test: error: still mounted under $work; not removing it" >&2
    else
        # The root of scratch or fresh mode, and the app's home (its caches); the store and
        # the logs stay for a look.
        [[ -n "$prefix" ]] && rm -rf "${prefix:?}"
        rm -rf "${host_data:?}/home"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "testing ${deb#"$root"/} ($(du -h "$deb" | cut -f1)); artefacts in ${work#"$root"/}/"

# --- control fields ----------------------------------------------------------------------
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
arch="$(dpkg --print-architecture)"
field() { dpkg-deb -f "$deb" "$1" 2>/dev/null || true; }
depends="$(field Depends)"
say "Package: $(field Package)  Version: $(field Version)  Architecture: $(field Architecture)"
say "Depends: $depends"
[[ -n "$(field Recommends)" ]] && say "Recommends: $(field Recommends)"

if [[ "$(field Package)" == consentry && "$(field Version)" == "$version" &&
    "$(field Architecture)" == "$arch" ]]; then
    pass "control: consentry $version $arch (the workspace version)"
else
    fail "control: expected consentry $version $arch, got $(field Package) $(field Version) $(field Architecture)"
fi
missing_deps=()
for lib in libwebkit2gtk-4.1-0 libgtk-3-0 libglib2.0-0 libc6; do
    [[ ", $depends," == *", $lib "* || ", $depends," == *", $lib,"* ]] || missing_deps+=("$lib")
done
if [[ -n "$(field Maintainer)" && -n "$(field Description)" && ${#missing_deps[@]} -eq 0 ]]; then
    pass "control: Maintainer, Description, and Depends names WebKitGTK, GTK, GLib and libc"
else
    fail "control: Maintainer '$(field Maintainer)', Depends lacks: ${missing_deps[*]:-nothing}"
fi

# --- contents ----------------------------------------------------------------------------
dpkg-deb -c "$deb" >"$work/contents.txt"
# permissions and owner of an entry (the path is the last field; none has spaces)
perm_of() { awk -v p="./$1" '$NF == p { print $1, $2 }' "$work/contents.txt"; }
expected=(
    "usr/bin/consentry -rwxr-xr-x"
    "usr/bin/consentry-app -rwxr-xr-x"
    "usr/share/applications/consentry.desktop -rw-r--r--"
    "usr/share/doc/consentry/copyright -rw-r--r--"
)
sizes=(32 48 64 128 256 512)
for s in "${sizes[@]}"; do
    expected+=("usr/share/icons/hicolor/${s}x${s}/apps/consentry.png -rw-r--r--")
done
problems=()
for entry in "${expected[@]}"; do
    path="${entry% *}"
    perm="${entry##* }"
    got="$(perm_of "$path")"
    [[ "$got" == "$perm root/root" || "$got" == "$perm 0/0" ]] || problems+=("$path: ${got:-absent}")
done
outside="$(awk '{ print $NF }' "$work/contents.txt" | grep -vE '^\./$|^\./usr(/|$)' || true)"
[[ -z "$outside" ]] || problems+=("outside /usr: $outside")
if ((${#problems[@]} == 0)); then
    pass "contents: $(wc -l <"$work/contents.txt") entries, all under /usr, binaries 0755 and files 0644 root:root"
else
    fail "contents: ${problems[*]}"
fi

# --- install -----------------------------------------------------------------------------
# apt decides whether the Depends can be met here: by installed packages, or from the
# archive. The simulation changes nothing.
if apt-get install --simulate --no-install-recommends "$deb" >"$work/apt-simulate.log" 2>&1 </dev/null; then
    others="$(awk '$1 == "Inst" && $2 != "consentry" { print $2 }' "$work/apt-simulate.log" | tr '\n' ' ')"
    if grep -qE '^Inst consentry ' "$work/apt-simulate.log"; then
        pass "apt-get install --simulate ./$(basename "$deb"): ${others:+would also install $others}${others:-every Depends already installed}"
    else
        fail "apt-get install --simulate did not plan to install consentry"
        show "$work/apt-simulate.log"
    fi
else
    fail "apt-get install --simulate: the Depends cannot be met on this machine"
    show "$work/apt-simulate.log"
fi

apt_in_root() { run env DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null; }
case "$mode" in
    system)
        installed_for_real=true
        if apt_in_root install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1; then
            pass "apt-get install ./$(basename "$deb")"
        else
            fail "apt-get install ./$(basename "$deb")"
            show "$work/apt.log"
            summary_and_exit
        fi
        ;;
    fresh)
        mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
        say "debootstrap --variant=minbase bookworm from $mirror (about a minute)"
        if ! debootstrap --variant=minbase bookworm "$prefix" "$mirror" >"$work/debootstrap.log" 2>&1 </dev/null; then
            fail "debootstrap of a Debian 12 root"
            show "$work/debootstrap.log"
            summary_and_exit
        fi
        # An installed Debian 12 has these three suites (WebKitGTK's updates come from
        # the security suite).
        cat >"$prefix/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
SOURCES
        mount -t proc proc "$prefix/proc"
        mount --bind /dev "$prefix/dev"
        mount --bind /dev/pts "$prefix/dev/pts"
        mkdir -p "$prefix/tmp/.X11-unix"
        mount --bind /tmp/.X11-unix "$prefix/tmp/.X11-unix"
        cp "$deb" "$prefix/tmp/"
        before="$(run dpkg-query -W -f='.\n' | wc -l)"
        say "apt-get install ./$(basename "$deb") in the fresh root (a few minutes: WebKitGTK and all)"
        # As a user would: Recommends too.
        if apt_in_root update -qq >"$work/apt.log" 2>&1 &&
            apt_in_root install -y -qq -o APT::Keep-Downloaded-Packages=false \
                "/tmp/$(basename "$deb")" >>"$work/apt.log" 2>&1; then
            pass "apt-get install ./$(basename "$deb") on a fresh Debian 12 ($before packages): $(($(run dpkg-query -W -f='.\n' | wc -l) - before)) packages installed with it"
        else
            fail "apt-get install ./$(basename "$deb") on a fresh Debian 12"
            show "$work/apt.log"
            summary_and_exit
        fi
        ;;
    scratch)
        # A dpkg database of its own: dpkg unpacks, records and later removes the package
        # as on a real system. Its Depends are this machine's business (checked above),
        # hence --force-depends for the empty database.
        mkdir -p "$prefix/var/lib/dpkg/info" "$prefix/var/lib/dpkg/updates" "$prefix/var/lib/dpkg/triggers"
        touch "$prefix/var/lib/dpkg/status" "$prefix/var/lib/dpkg/available"
        if "${dpkg_cmd[@]}" --root="$prefix" --force-depends -i "$deb" >"$work/dpkg-install.log" 2>&1 </dev/null; then
            pass "dpkg --root=<scratch> -i $(basename "$deb")"
        else
            fail "dpkg --root=<scratch> -i $(basename "$deb")"
            show "$work/dpkg-install.log"
            summary_and_exit
        fi
        ;;
esac
# The dpkg database that recorded it: the scratch one, this machine's, or the fresh root's.
dpkg_db="${prefix:-}/var/lib/dpkg"
status="$(dpkg-query --admindir="$dpkg_db" -W -f='${Status} ${Version}' consentry 2>/dev/null || true)"
if [[ "$status" == "install ok installed $version" ]]; then
    pass "dpkg records consentry $version as installed"
else
    fail "dpkg's status of consentry: '${status:-none}'"
fi

# --- the installed binaries --------------------------------------------------------------
mkdir -p "$host_data/home"
chmod 700 "$host_data/home"
store="$data/store.db"

answer="$(run "$bindir/consentry" --version 2>&1 || true)"
if [[ "$answer" == "consentry $version" ]]; then
    pass "consentry --version: $answer"
else
    fail "consentry --version: '$answer', expected 'consentry $version'"
fi
# The CLI makes the store the app then opens: both binaries read the same file.
if run "$bindir/consentry" --db "$store" --actor package-test partner add --name "Package test" \
    --kind ai-lab --country US --json >"$work/cli.log" 2>&1 &&
    run "$bindir/consentry" --db "$store" audit verify >>"$work/cli.log" 2>&1; then
    pass "consentry partner add, audit verify on a new store"
else
    fail "consentry partner add, audit verify on a new store"
    show "$work/cli.log"
fi

# Stripped: no symbol table, no DWARF. (.debug_gdb_scripts, which rustc puts in a
# debug build, is a loaded section that strip leaves; it is a few bytes.)
unstripped=()
for bin in "$prefix/usr/bin/consentry" "$prefix/usr/bin/consentry-app"; do
    if [[ ! -f "$bin" ]] || readelf -SW "$bin" | grep -qE '\.(symtab|debug_info|debug_line) '; then
        unstripped+=("$(basename "$bin")")
    fi
done
if ((${#unstripped[@]} == 0)); then
    pass "binaries stripped: consentry $(du -h "$prefix/usr/bin/consentry" | cut -f1), consentry-app $(du -h "$prefix/usr/bin/consentry-app" | cut -f1)"
else
    fail "binaries missing, or with symbols or debug info: ${unstripped[*]}"
fi

# --- desktop entry and icons -------------------------------------------------------------
desktop="$prefix/usr/share/applications/consentry.desktop"
if desktop-file-validate "$desktop" >"$work/desktop-file-validate.log" 2>&1 &&
    [[ ! -s "$work/desktop-file-validate.log" ]]; then
    pass "desktop-file-validate consentry.desktop: no errors, warnings or hints"
else
    fail "desktop-file-validate consentry.desktop"
    show "$work/desktop-file-validate.log"
fi
entry() { sed -n "s/^$1=//p" "$desktop" | head -n 1; }
exec_line="$(entry Exec)"
# Field codes (%f, %U, ...) stand for files a launcher passes; there are none here.
read -r -a exec_words <<<"${exec_line//%[a-zA-Z]/}"
icon="$(entry Icon)"
bad_icons=()
for s in "${sizes[@]}"; do
    png="$prefix/usr/share/icons/hicolor/${s}x${s}/apps/$icon.png"
    [[ "$(identify -format '%wx%h' "$png" 2>/dev/null || true)" == "${s}x${s}" ]] || bad_icons+=("${s}x${s}")
done
if [[ -x "$prefix/usr/bin/${exec_words[0]:-}" && "$(entry Categories)" == *Office\;* &&
    ${#bad_icons[@]} -eq 0 ]]; then
    pass "desktop entry: Exec=$exec_line is /usr/bin/${exec_words[0]}, Icon=$icon in hicolor ${sizes[*]/%/px}"
else
    fail "desktop entry: Exec=$exec_line, Categories=$(entry Categories), icons missing or of the wrong size: ${bad_icons[*]:-none}"
fi

# --- the app under Xvfb ------------------------------------------------------------------
display=""
for n in $(seq 90 120); do
    [[ -e "/tmp/.X$n-lock" || -e "/tmp/.X11-unix/X$n" ]] && continue
    if xvfb_start "$n" "$work/xvfb.log"; then
        display="$n"
        xvfb_pid="$XVFB_PID"
        break
    fi
done
[[ -n "$display" ]] || die "could not start Xvfb on any display :90-:120; see $work/xvfb.log"
say "Xvfb on :$display"

# Started as a launcher would: the desktop entry's Exec, found on PATH, in a home of its
# own (window state, WebKit caches), on the store the CLI made, without a D-Bus session
# (the single-instance check then launches normally), as its own process group.
mkdir -p "$host_data/home/.config" "$host_data/home/.local/share" "$host_data/home/.cache" \
    "$host_data/home/run"
chmod 700 "$host_data/home/run"
app_env=(
    DISPLAY=":$display" HOME="$data/home" XDG_CONFIG_HOME="$data/home/.config"
    XDG_DATA_HOME="$data/home/.local/share" XDG_CACHE_HOME="$data/home/.cache"
    XDG_RUNTIME_DIR="$data/home/run" CONSENTRY_DB="$store"
)
if [[ "$mode" == fresh ]]; then
    setsid chroot "$prefix" env -i PATH=/usr/local/bin:/usr/bin:/bin "${app_env[@]}" \
        "${exec_words[@]}" >"$work/app.log" 2>&1 </dev/null &
else
    env -u DBUS_SESSION_BUS_ADDRESS -u CONSENTRY_SECRET_STORE PATH="$bindir:$PATH" "${app_env[@]}" \
        setsid "${exec_words[@]}" >"$work/app.log" 2>&1 </dev/null &
fi
app_pid=$!
started=$SECONDS

window=""
for ((i = 0; i < 600; i++)); do
    window="$(DISPLAY=":$display" xdotool search --onlyvisible --name '^Consentry$' 2>/dev/null | head -n 1 || true)"
    [[ -n "$window" ]] && break
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -n "$window" ]]; then
    geometry="$(DISPLAY=":$display" xwininfo -id "$window" | awk '/Width:/ { w = $2 } /Height:/ { h = $2 } END { print w "x" h }')"
    pass "consentry-app (Exec=$exec_line) showed its window 'Consentry' ($geometry) in $((SECONDS - started)) s"

    # A mapped window may still be blank while the WebView loads the embedded UI: wait
    # until it shows more than a few colours (text, the sidebar, the dashboard's cards)
    # and as many twice in a row (the screen has settled), for 30 s at most.
    colours=0
    previous=-1
    for ((i = 0; i < 60; i++)); do
        colours="$(DISPLAY=":$display" import -window "$window" png:- 2>/dev/null |
            identify -format '%k' - 2>/dev/null || echo 0)"
        ((colours > 64 && colours == previous)) && break
        previous="$colours"
        kill -0 "$app_pid" 2>/dev/null || break
        sleep 0.5
    done
    DISPLAY=":$display" import -window root "$work/screenshot.png" 2>/dev/null || true
    shot="${work#"$root"/}/screenshot.png"
    if ((colours > 64)) && kill -0 "$app_pid" 2>/dev/null; then
        pass "the window shows the UI ($colours colours), the app still running; screenshot: $shot"
    else
        fail "the window stayed blank ($colours colours) or the app died; screenshot: $shot"
        show "$work/app.log"
    fi
elif kill -0 "$app_pid" 2>/dev/null; then
    DISPLAY=":$display" import -window root "$work/screenshot.png" 2>/dev/null || true
    fail "consentry-app showed no window named 'Consentry' within 60 s; screenshot: ${work#"$root"/}/screenshot.png"
    show "$work/app.log"
else
    wait "$app_pid" 2>/dev/null && code=0 || code=$?
    app_pid=""
    fail "consentry-app exited with status $code before showing a window"
    show "$work/app.log"
fi

if [[ -n "$app_pid" ]]; then
    kill -TERM -- "-$app_pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$app_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
fi

# --- removal -----------------------------------------------------------------------------
if [[ "$mode" == scratch ]]; then
    "${dpkg_cmd[@]}" --root="$prefix" --purge consentry >"$work/dpkg-remove.log" 2>&1 </dev/null || true
    left="$(find "$prefix" -mindepth 1 \( -type f -o -type l \) -not -path "$prefix/var/lib/dpkg/*" | head -n 5)"
    status="$(dpkg-query --admindir="$dpkg_db" -W -f='${Status}' consentry 2>/dev/null || true)"
    if [[ -z "$left" && "$status" != *installed* ]]; then
        pass "dpkg --purge consentry removed every file it installed"
    else
        fail "dpkg --purge consentry left: ${left:-nothing}; status '$status'"
        show "$work/dpkg-remove.log"
    fi
else
    installed_for_real=false
    if apt_in_root purge -y -qq consentry >>"$work/apt.log" 2>&1 &&
        [[ ! -e "$prefix/usr/bin/consentry" && ! -e "$prefix/usr/bin/consentry-app" && ! -e "$desktop" ]]; then
        pass "apt-get purge consentry removed its files"
    else
        fail "apt-get purge consentry"
        show "$work/apt.log"
    fi
fi

summary_and_exit
