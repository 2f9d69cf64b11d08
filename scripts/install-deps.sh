#!/usr/bin/env bash
# Installs what the Makefile needs, and only what is missing, so it is cheap to run before
# every target. A fresh Debian 12 CI machine has Rust and Node but none of the system
# libraries, the WebDriver tooling or ui/node_modules; this script is how it gets them.
#
# Usage: scripts/install-deps.sh [build|e2e|all|package]   (default: all)
#   build    compilers, WebKitGTK headers, ui/node_modules      (make app, lint, unit tests)
#   e2e      build + Xvfb, WebKitWebDriver, fonts, ImageMagick (the tests' screenshots),
#            xdotool (parks the pointer), tauri-driver (make e2e, make run)
#   all      e2e + the tools the product shells out to (minisign, openssl) and
#            the partner-side Python tools the tests run (mlcroissant, moto) in target/tools-venv
#   package  build + dpkg-dev, cargo-deb, and what the package test uses: Xvfb, fonts,
#            desktop-file-utils, xdotool, x11-utils, imagemagick, debootstrap
#            (make package, make package-test)
set -euo pipefail

scope="${1:-all}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

build_pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev librsvg2-dev)
e2e_pkgs=(xvfb xauth webkit2gtk-driver fonts-dejavu-core imagemagick xdotool)
tool_pkgs=(minisign openssl python3-venv)
# dpkg-dev (dpkg-shlibdeps) and binutils (strip) come with build-essential; named anyway,
# since cargo-deb needs them. debootstrap is for package-test.sh --fresh.
package_pkgs=(dpkg-dev binutils xvfb xauth fonts-dejavu-core desktop-file-utils xdotool
    x11-utils imagemagick debootstrap)

case "$scope" in
    build) pkgs=("${build_pkgs[@]}") ;;
    e2e) pkgs=("${build_pkgs[@]}" "${e2e_pkgs[@]}") ;;
    all) pkgs=("${build_pkgs[@]}" "${e2e_pkgs[@]}" "${tool_pkgs[@]}") ;;
    package) pkgs=("${build_pkgs[@]}" "${package_pkgs[@]}") ;;
    *)
        echo "usage: $0 [build|e2e|all|package]" >&2
        exit 2
        ;;
esac

say() { echo "install-deps: $*"; }
die() {
    echo "install-deps: error: $*" >&2
    exit 1
}

# --- Debian packages ---------------------------------------------------------------------
missing=()
for pkg in "${pkgs[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
    command -v apt-get >/dev/null || die "missing ${missing[*]} and apt-get is not available"
    sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "missing ${missing[*]}; run as root or install sudo"
        sudo=(sudo)
    fi
    for pkg in "${missing[@]}"; do say "apt: $pkg"; done
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

# --- tauri-driver (WebDriver proxy in front of WebKitWebDriver) --------------------------
if [[ "$scope" == e2e || "$scope" == all ]] && ! command -v tauri-driver >/dev/null; then
    command -v cargo >/dev/null || die "cargo is not on PATH; install Rust first"
    say "cargo: tauri-driver (one-time compile, a minute or two)"
    cargo install tauri-driver --locked --quiet
fi

# --- cargo-deb (makes the .deb from src-tauri/Cargo.toml's [package.metadata.deb]) -------
# Pinned: the package's layout and fields are this version's; bump it deliberately.
cargo_deb_version=3.7.0
if [[ "$scope" == package ]] &&
    [[ "$(cargo-deb --version 2>/dev/null || true)" != *" $cargo_deb_version"* ]]; then
    command -v cargo >/dev/null || die "cargo is not on PATH; install Rust first"
    say "cargo: cargo-deb $cargo_deb_version (one-time compile, a minute or two)"
    cargo install cargo-deb --version "$cargo_deb_version" --locked --quiet
fi

# --- ui/node_modules ---------------------------------------------------------------------
ui="$root/ui"
if [[ -f "$ui/package.json" ]]; then
    [[ -f "$ui/package-lock.json" ]] ||
        die "ui/package-lock.json is missing; npm ci needs the committed lockfile"
    if [[ ! -d "$ui/node_modules" || "$ui/package-lock.json" -nt "$ui/node_modules" ]]; then
        command -v npm >/dev/null || die "npm is not on PATH; install Node 20 first"
        say "npm ci in ui/"
        npm --prefix "$ui" ci --no-audit --no-fund --loglevel=error </dev/null
        # npm ci leaves node_modules' mtime alone when nothing changed inside it; touch it
        # so the lockfile comparison above stays true until the lockfile changes again.
        touch "$ui/node_modules"
    fi
else
    say "ui/package.json not found yet; skipping npm ci"
fi

# --- Python tools the tests run for real (mlcroissant, moto) -----------------------------
if [[ "$scope" == all ]]; then
    venv="$root/target/tools-venv"
    req="$root/scripts/requirements-tools.txt"
    if [[ ! -x "$venv/bin/python" || "$req" -nt "$venv/.installed" ]]; then
        say "pip: $(grep -v '^#' "$req" | tr '\n' ' ')into target/tools-venv"
        python3 -m venv "$venv" || die "cannot create $venv (python3-venv)"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" </dev/null ||
            die "pip could not install $req"
        touch "$venv/.installed"
    fi
fi
