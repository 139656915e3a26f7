#!/usr/bin/env bash
# Puts `rapport` on PATH for the action: the one already there, else built from the action's
# own checkout (GITHUB_ACTION_PATH) with the runner's Rust toolchain.
# TODO(release): download the release's prebuilt binary here instead of building from source.
set -euo pipefail

if command -v rapport >/dev/null 2>&1; then
  echo "rapport: using $(command -v rapport) ($(rapport --version))"
  exit 0
fi

cargo install --locked --path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from the action}"
# Hosted runners have cargo's bin folder on PATH already; self-hosted ones may not.
if [[ -n "${GITHUB_PATH:-}" ]]; then
  echo "${CARGO_HOME:-$HOME/.cargo}/bin" >>"$GITHUB_PATH"
fi
