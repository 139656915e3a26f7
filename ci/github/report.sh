#!/usr/bin/env bash
# The pull-request report on GitHub Actions. One `rapport report` run prints the annotations,
# appends the report to the job summary, and writes the markdown (for the sticky comment) and
# the SARIF file (for code scanning); then the comment is posted or updated, and the script
# exits with rapport's exit code, so a failing gate (1) or an invalid ledger (2) fails the job
# after the comment is up.
#
# Run in the repository. Reads: RAPPORT_PATH (ledger folder, default .), RAPPORT_BASE (default:
# from the environment, GITHUB_BASE_REF), FAIL_ON (default error), FAIL_ON_SILENCED (true: also
# fail on findings the change silenced through rapport.yaml), RAPPORT_COMMENT (true/false,
# default true), RAPPORT_OUT (folder for the files, default $RUNNER_TEMP/rapport),
# RAPPORT_CACHE_DIR (rapport's parsed file versions, kept between runs by the action's cache;
# default $RUNNER_TEMP/rapport-cache on a runner); and for the comment, what comment.sh reads. Writes to $GITHUB_OUTPUT when set: markdown, sarif (only when
# the file was written), root (the repository's top folder) and exit-code.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ledger="${RAPPORT_PATH:-.}"
fail_on="${FAIL_ON:-error}"
out="${RAPPORT_OUT:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rapport}"
mkdir -p "$out"
if [[ -n "${RUNNER_TEMP:-}" ]]; then
  export RAPPORT_CACHE_DIR="${RAPPORT_CACHE_DIR:-$RUNNER_TEMP/rapport-cache}"
fi
markdown="$out/rapport-report.md"
sarif="$out/rapport.sarif"
rm -f "$markdown" "$sarif"

args=(report "$ledger" --format github
  --output "markdown=$markdown" --output "sarif=$sarif" --fail-on "$fail_on")
if [[ "${FAIL_ON_SILENCED:-false}" == "true" ]]; then
  args+=(--fail-on-silenced)
fi
if [[ -n "${RAPPORT_BASE:-}" ]]; then
  args+=(--base "$RAPPORT_BASE")
fi

status=0
rapport "${args[@]}" || status=$?

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "exit-code=$status"
    if [[ -s "$markdown" ]]; then echo "markdown=$markdown"; fi
    if [[ -s "$sarif" ]]; then echo "sarif=$sarif"; fi
    echo "root=$(git -C "$ledger" rev-parse --show-toplevel 2>/dev/null || pwd)"
  } >>"$GITHUB_OUTPUT"
fi

if [[ ! -s "$markdown" ]]; then
  echo "rapport: no report was produced (exit code $status); no pull-request comment" >&2
elif [[ "${RAPPORT_COMMENT:-true}" != "true" ]]; then
  echo "rapport: comment: false; the report is in the job summary"
elif ! bash "$here/comment.sh" "$markdown"; then
  echo "::warning title=rapport::The pull-request comment could not be posted; the report is in the job summary."
fi

exit "$status"
