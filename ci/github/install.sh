#!/usr/bin/env bash
# Puts `rapport` on PATH for the action, in two steps around a cache restore:
#
#   install.sh locate    says which rapport this action wants: its version, the runner's target,
#                        the folder it is installed in and the cache key for that folder (step
#                        outputs), or nothing when a rapport is on PATH already;
#   install.sh install   puts it on PATH: the cached folder when the cache had it; else the
#                        release binary of that version for this runner, downloaded from the
#                        action's repository's releases and checked against its published SHA-256
#                        checksum; else, when that release has no binary for this runner (or
#                        cannot be downloaded), built from the action's own checkout with
#                        `cargo install`. Either way into the cached folder, and `save=true` is
#                        output so the action saves it: a second run neither downloads nor builds.
# A checksum that does not match stops the job: nothing is installed and nothing is built.
#
# The action's repository and ref: RAPPORT_ACTION_REPOSITORY and RAPPORT_ACTION_REF (the step's
# `env:` sets them from github.action_repository and github.action_ref, the only place the runner
# fills those in for a composite action; GITHUB_ACTION_REPOSITORY is empty in its `run:` steps),
# else the runner's layout of GITHUB_ACTION_PATH: `…/_actions/OWNER/REPO/REF`.
#
# Reads: GITHUB_ACTION_PATH, GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP,
# RUNNER_TOOL_CACHE, GITHUB_OUTPUT, GITHUB_PATH as GitHub sets them; RAPPORT_VERSION (default:
# the action's Cargo.toml version) and RAPPORT_RELEASES (default:
# $GITHUB_SERVER_URL/OWNER/REPO/releases/download) to override.
set -euo pipefail

mode="${1:?usage: install.sh locate|install}"
action="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from the action}"

output() {
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi
}

# OWNER/REPO and REF of the action: the step's expressions, else the runner's folder layout.
repository="${RAPPORT_ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}"
ref="${RAPPORT_ACTION_REF:-${GITHUB_ACTION_REF:-}}"
if [[ -z "$repository" && "$action" == */_actions/*/*/* ]]; then
  IFS=/ read -r owner repo layout_ref _ <<<"${action##*/_actions/}"
  repository="$owner/$repo"
  ref="${ref:-$layout_ref}"
fi

version="${RAPPORT_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action/Cargo.toml" | head -n 1)}"
version="${version#v}"

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

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d ' ' -f 1
}

# The folder rapport is installed in, the same on every run so the cache restores it there; the
# key names the version, the target (or the platform, without one) and the action's sources,
# so a branch ref that moves on gets a fresh build.
platform="${target:-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}}"
dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}/rapport/${version:-unknown}/$platform"
sources="$(cd "$action" && find Cargo.toml Cargo.lock build.rs src -type f 2>/dev/null | LC_ALL=C sort |
  while IFS= read -r file; do sha256 "$file"; done | sha256 /dev/stdin | cut -c 1-16)"
key="rapport-${version:-unknown}-$platform-$sources"

if [[ "$mode" == locate ]]; then
  if command -v rapport >/dev/null 2>&1; then
    echo "rapport: using $(command -v rapport) ($(rapport --version))"
    output cache-key ""
    exit 0
  fi
  echo "rapport: the action is ${repository:-a local checkout}${ref:+@$ref}; rapport $version for $platform"
  output version "$version"
  output target "$target"
  output dir "$dir"
  output cache-key "$key"
  exit 0
fi
[[ "$mode" == install ]] || {
  echo "usage: install.sh locate|install" >&2
  exit 2
}

if command -v rapport >/dev/null 2>&1; then
  echo "rapport: using $(command -v rapport) ($(rapport --version))"
  exit 0
fi

on_path() {
  echo "rapport: $1 ($dir/bin)"
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    echo "$dir/bin" >>"$GITHUB_PATH"
  fi
}

if [[ -x "$dir/bin/$exe" ]]; then
  on_path "restored rapport $version from the cache"
  exit 0
fi

build_from_source() {
  echo "rapport: $1; building it from the action's source with cargo instead" >&2
  if ! command -v cargo >/dev/null 2>&1; then
    echo "rapport: cargo is not installed either: add a Rust toolchain step (dtolnay/rust-toolchain@stable) before this action, or put rapport on PATH" >&2
    exit 1
  fi
  cargo install --locked --path "$action" --root "$dir"
  output save true
  on_path "built rapport $version from source"
  exit 0
}

if [[ -z "$target" ]]; then
  build_from_source "no release binary for ${RUNNER_OS:-$(uname -s)} on ${RUNNER_ARCH:-$(uname -m)}"
fi
releases="${RAPPORT_RELEASES:-}"
if [[ -z "$releases" && -n "$repository" ]]; then
  releases="${GITHUB_SERVER_URL:-https://github.com}/$repository/releases/download"
fi
if [[ -z "$version" || -z "$releases" ]]; then
  build_from_source "cannot tell which release to download (no version, or the action is not from a repository)"
fi

archive="rapport-$version-$target$suffix"
url="$releases/v$version/$archive"
work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rapport-download.XXXXXX")"
if ! curl --fail --silent --show-error --location --retry 3 --output "$work/$archive" "$url" ||
  ! curl --fail --silent --show-error --location --retry 3 --output "$work/$archive.sha256" "$url.sha256"; then
  rm -rf "$work"
  build_from_source "cannot download $url"
fi

expected="$(cut -d ' ' -f 1 <"$work/$archive.sha256")"
actual="$(sha256 "$work/$archive")"
if [[ ! "$expected" =~ ^[0-9a-f]{64}$ || "$actual" != "$expected" ]]; then
  rm -rf "$work"
  echo "::error::rapport: the checksum of $archive does not match its published one ($actual, expected ${expected:-nothing}); not installed" >&2
  exit 1
fi

if [[ "$suffix" == .zip ]]; then
  unzip -q "$work/$archive" -d "$work"
else
  tar -xzf "$work/$archive" -C "$work"
fi
rm -rf "$dir"
mkdir -p "$dir/bin"
mv "$work/rapport-$version-$target/$exe" "$dir/bin/$exe"
rm -rf "$work"
output save true
on_path "installed $archive (sha256 $actual)"
