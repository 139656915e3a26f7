#!/usr/bin/env bash
# Packs a release build of rapport for one target into dist/: an archive holding the binary and
# the README in a folder named like the archive, and the archive's SHA-256 checksum beside it.
#
#   ci/release/package.sh TARGET        # after cargo build --release --target TARGET
#
# Names (the install script of the action and `cargo binstall` rely on them):
#   dist/rapport-VERSION-TARGET.tar.gz   (.zip for Windows targets)
#   dist/rapport-VERSION-TARGET.tar.gz.sha256   "HEX  rapport-VERSION-TARGET.tar.gz"
# VERSION is Cargo.toml's; the binary is read from ${CARGO_TARGET_DIR:-target}/TARGET/release/;
# RAPPORT_DIST names another folder than dist/. Prints the archive's path.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${1:?usage: ci/release/package.sh TARGET}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[[ -n "$version" ]] || { echo "package.sh: no version in Cargo.toml" >&2; exit 1; }
name="rapport-$version-$target"
case "$target" in
  *windows*) exe=rapport.exe; format=zip ;;
  *) exe=rapport; format=tar.gz ;;
esac
binary="${CARGO_TARGET_DIR:-target}/$target/release/$exe"
[[ -f "$binary" ]] || { echo "package.sh: $binary is not built: cargo build --release --target $target" >&2; exit 1; }

dist="${RAPPORT_DIST:-dist}"
rm -rf "${dist:?}/$name"
mkdir -p "$dist/$name"
cp "$binary" "$dist/$name/$exe"
cp README.md "$dist/$name/"
(
  cd "$dist"
  if [[ "$format" == zip ]]; then
    rm -f "$name.zip"
    if command -v zip >/dev/null 2>&1; then zip -qr "$name.zip" "$name"; else 7z a -tzip "$name.zip" "$name" >/dev/null; fi
  else
    tar -czf "$name.tar.gz" "$name"
  fi
  archive="$name.$format"
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$archive" >"$archive.sha256"
  else
    shasum -a 256 "$archive" >"$archive.sha256"
  fi
  rm -rf "$name"
  echo "$dist/$archive"
)
