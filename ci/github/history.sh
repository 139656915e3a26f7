#!/usr/bin/env bash
# Enough history for the pull-request report: rapport refuses a shallow clone, and it compares
# with the target branch, which a pull-request checkout does not always fetch.
# Run in the repository (the action's `working-directory`); reads GITHUB_BASE_REF.
set -euo pipefail

if [[ "$(git rev-parse --is-shallow-repository)" == "true" ]]; then
  echo "rapport: the clone is shallow; fetching the full history"
  git fetch --no-tags --prune --unshallow
fi

if [[ -n "${GITHUB_BASE_REF:-}" ]]; then
  # An explicit refspec, so origin/BRANCH exists whatever refspec the checkout configured.
  git fetch --no-tags origin "+refs/heads/${GITHUB_BASE_REF}:refs/remotes/origin/${GITHUB_BASE_REF}"
fi
