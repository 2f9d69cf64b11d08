#!/usr/bin/env bash
# Regenerates packaging/icons/<size>.png from icons/icon.png (512x512), the sizes the
# .deb installs into /usr/share/icons/hicolor/<size>/apps/consentry.png beside the
# 512x512 original. They are committed, so that `make package` needs no ImageMagick;
# run this after changing icons/icon.png (scripts/package-test.sh checks every
# packaged icon has the size its folder names).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/icons/icon.png"
out="$root/packaging/icons"
sizes=(32 48 64 128 256)

say() { echo "icons: $*"; }
die() {
    echo "icons: error: $*" >&2
    exit 1
}

command -v convert >/dev/null || die "ImageMagick's convert is not installed (apt-get install imagemagick)"
[[ -f "$src" ]] || die "$src is missing"

mkdir -p "$out"
for size in "${sizes[@]}"; do
    # -strip drops the timestamps ImageMagick writes, so an unchanged icon gives the same
    # bytes and a rerun leaves git clean.
    convert "$src" -filter Lanczos -resize "${size}x${size}" -strip "$out/$size.png"
    say "packaging/icons/$size.png"
done
