#!/usr/bin/env bash
# Builds the Debian package of Consentry: the desktop app and the CLI in /usr/bin, the
# desktop entry, the icons, the copyright file, and Depends computed by dpkg-shlibdeps.
# cargo-deb makes the .deb from `[package.metadata.deb]` in src-tauri/Cargo.toml (which
# names the files in packaging/); this script builds the two binaries in the profile
# asked for and hands them to it with --no-build.
#
# Usage: scripts/package.sh [PROFILE]   (default: dist)
#   dist  the release build `make package` ships: target/package/consentry_<v>_amd64.deb
#   app   the binaries `make test` already builds (dev, core optimized), for a quick test
#         of the packaging: target/package/app/consentry_<v>_amd64.deb
#   any other Cargo profile but dev: target/package/<PROFILE>/consentry_<v>_amd64.deb
# ui/dist must be built first (`make ui`): the app embeds it at compile time.
# Prints the path of the .deb on its last line.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

say() { echo "package: $*"; }
die() {
    echo "package: error: $*" >&2
    exit 1
}

profile="${1:-dist}"
case "$profile" in
    dev | debug | test) die "cargo-deb does not package the $profile profile; use dist, app or release" ;;
esac

command -v cargo-deb >/dev/null || die "cargo-deb is not installed; run 'scripts/install-deps.sh package'"
command -v dpkg-shlibdeps >/dev/null || die "dpkg-shlibdeps is missing (dpkg-dev); run 'scripts/install-deps.sh package'"
[[ -f ui/dist/index.html ]] || die "ui/dist is missing; run 'make ui' first (the app embeds it)"

target_dir="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
out="$target_dir/package"
[[ "$profile" == dist ]] || out="$out/$profile"

# One cargo invocation for both binaries: the CLI then shares the core and every
# dependency already built for the app (same profile, same unified features), so for the
# `app` profile after `make app` this only links the CLI.
say "cargo build --profile $profile: consentry-app and consentry"
cargo build --locked --profile "$profile" -p consentry-app -p consentry --bins

# --strip: the binaries lose their symbols and debug info (the `app` profile has full
# debug info; `dist` has none, but the standard library's would remain). The version is
# cargo-deb's: the workspace version, without a Debian revision. A package that is not
# shipped is compressed with --fast: 11 s instead of 48 s, 22 MB instead of 18 MB.
flags=(--strip)
[[ "$profile" == dist ]] || flags+=(--fast)
mkdir -p "$out"
rm -f "$out"/consentry_*.deb
say "cargo deb (profile $profile) into ${out#"$root"/}/"
cargo deb -p consentry-app --profile "$profile" --no-build "${flags[@]}" --locked \
    --output "$out/" </dev/null

debs=("$out"/consentry_*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] || die "expected one consentry_*.deb in $out, found: ${debs[*]}"
deb="${debs[0]}"
say "$(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')($(du -h "$deb" | cut -f1))"
say "Depends: $(dpkg-deb -f "$deb" Depends)"
echo "$deb"
