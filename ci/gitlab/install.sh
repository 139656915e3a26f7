#!/usr/bin/env bash
# Puts `rapport` on PATH for the GitLab job, without a Rust toolchain: the rapport already on
# PATH; else the command in RAPPORT_INSTALL, when set; else the static Linux release binary
# RAPPORT_VERSION from RAPPORT_RELEASES (the releases' download address, such as
# https://github.com/OWNER/rapport/releases/download), checked against its published SHA-256
# checksum. rapport.gitlab-ci.yml runs a copy of this script, kept equal by a test; the job's
# script runs in the same shell, so the PATH set here holds there.
set -euo pipefail

if command -v rapport >/dev/null 2>&1; then
  echo "rapport: using $(command -v rapport) ($(rapport --version))"
elif [[ -n "${RAPPORT_INSTALL:-}" ]]; then
  sh -c "$RAPPORT_INSTALL"
else
  if [[ -z "${RAPPORT_RELEASES:-}" ]]; then
    echo "rapport: RAPPORT_RELEASES is not set, and it is required: where rapport's releases are downloaded from, such as https://github.com/OWNER/rapport/releases/download (OWNER: the account hosting rapport)." >&2
    echo "rapport: set it in Settings > CI/CD > Variables, or under variables: in .gitlab-ci.yml; or set RAPPORT_INSTALL to a command that installs rapport, or use an image that has rapport on PATH." >&2
    exit 1
  fi
  releases="$RAPPORT_RELEASES"
  version="${RAPPORT_VERSION:?set RAPPORT_VERSION to the rapport release to install, such as 0.1.0}"
  version="${version#v}"
  case "$(uname -m)" in
    x86_64 | amd64) target=x86_64-unknown-linux-musl ;;
    aarch64 | arm64) target=aarch64-unknown-linux-musl ;;
    *)
      echo "rapport: no release binary for $(uname -m); set RAPPORT_INSTALL, such as cargo install --locked rapport" >&2
      exit 1
      ;;
  esac
  archive="rapport-$version-$target.tar.gz"
  url="$releases/v$version/$archive"
  work="$(mktemp -d)"
  curl --fail --silent --show-error --location --retry 3 --output "$work/$archive" "$url"
  curl --fail --silent --show-error --location --retry 3 --output "$work/$archive.sha256" "$url.sha256"
  expected="$(cut -d ' ' -f 1 <"$work/$archive.sha256")"
  actual="$(sha256sum "$work/$archive" | cut -d ' ' -f 1)"
  if [[ ! "$expected" =~ ^[0-9a-f]{64}$ || "$actual" != "$expected" ]]; then
    echo "rapport: the checksum of $archive does not match its published one ($actual, expected ${expected:-nothing}); not installed" >&2
    exit 1
  fi
  tar -xzf "$work/$archive" -C "$work"
  mkdir -p "$HOME/.local/bin"
  mv "$work/rapport-$version-$target/rapport" "$HOME/.local/bin/rapport"
  rm -rf "$work"
  export PATH="$HOME/.local/bin:$PATH"
  echo "rapport: installed $archive (sha256 $actual)"
fi
