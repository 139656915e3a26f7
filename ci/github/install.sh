#!/usr/bin/env bash
# Puts `rapport` on PATH for the action, without a Rust toolchain:
#   1. the rapport already on PATH, if there is one;
#   2. else the release binary of the action's version for this runner, downloaded from the
#      action's repository's releases and checked against its published SHA-256 checksum;
#   3. else, when that release has no binary for this runner (or cannot be downloaded), built
#      from the action's own checkout with `cargo install` (the documented fallback; it needs a
#      Rust toolchain on the runner).
# A checksum that does not match stops the job: nothing is installed and nothing is built.
#
# Reads: GITHUB_ACTION_PATH, GITHUB_ACTION_REPOSITORY, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP,
# GITHUB_PATH as GitHub sets them; RAPPORT_VERSION (default: the action's Cargo.toml version) and
# RAPPORT_RELEASES (default: https://github.com/OWNER/REPO/releases/download) to override.
set -euo pipefail

if command -v rapport >/dev/null 2>&1; then
  echo "rapport: using $(command -v rapport) ($(rapport --version))"
  exit 0
fi

action="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from the action}"
version="${RAPPORT_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action/Cargo.toml" | head -n 1)}"
version="${version#v}"
releases="${RAPPORT_RELEASES:-https://github.com/${GITHUB_ACTION_REPOSITORY:-}/releases/download}"

case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64 | Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
  macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
  Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
case "$target" in
  *windows*) suffix=.zip exe=rapport.exe ;;
  *) suffix=.tar.gz exe=rapport ;;
esac

build_from_source() {
  echo "rapport: $1; building it from the action's source with cargo instead" >&2
  if ! command -v cargo >/dev/null 2>&1; then
    echo "rapport: cargo is not installed either: add a Rust toolchain step (dtolnay/rust-toolchain@stable) before this action, or put rapport on PATH" >&2
    exit 1
  fi
  cargo install --locked --path "$action"
  # Hosted runners have cargo's bin folder on PATH already; self-hosted ones may not.
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    echo "${CARGO_HOME:-$HOME/.cargo}/bin" >>"$GITHUB_PATH"
  fi
  exit 0
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1
}

if [[ -z "$target" ]]; then
  build_from_source "no release binary for ${RUNNER_OS:-$(uname -s)} on ${RUNNER_ARCH:-$(uname -m)}"
fi
if [[ -z "$version" || "$releases" == "https://github.com//releases/download" ]]; then
  build_from_source "cannot tell which release to download (no version or no repository)"
fi

archive="rapport-$version-$target$suffix"
url="$releases/v$version/$archive"
work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rapport-download.XXXXXX")"
if ! curl --fail --silent --show-error --location --retry 3 --output "$work/$archive" "$url" ||
  ! curl --fail --silent --show-error --location --retry 3 --output "$work/$archive.sha256" "$url.sha256"; then
  build_from_source "cannot download $url"
fi

expected="$(cut -d ' ' -f 1 <"$work/$archive.sha256")"
actual="$(sha256 "$work/$archive")"
if [[ ! "$expected" =~ ^[0-9a-f]{64}$ || "$actual" != "$expected" ]]; then
  echo "::error::rapport: the checksum of $archive does not match its published one ($actual, expected ${expected:-nothing}); not installed" >&2
  exit 1
fi

install_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rapport-$version-$target"
rm -rf "$install_dir"
mkdir -p "$install_dir"
if [[ "$suffix" == .zip ]]; then
  unzip -q "$work/$archive" -d "$work"
else
  tar -xzf "$work/$archive" -C "$work"
fi
mv "$work/rapport-$version-$target/$exe" "$install_dir/$exe"
rm -rf "$work"
echo "rapport: installed $archive (sha256 $actual) in $install_dir"
if [[ -n "${GITHUB_PATH:-}" ]]; then
  echo "$install_dir" >>"$GITHUB_PATH"
fi
